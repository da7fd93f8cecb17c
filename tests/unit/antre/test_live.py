"""Live notes: shared topics cross to the other replicas as notes, others stay in the process."""

from __future__ import annotations

import asyncio

from antre.live import Broadcaster


async def test_shared_topics_are_forwarded_as_notes_and_remote_notes_reach_listeners() -> None:
    live = Broadcaster()
    live.bind(asyncio.get_running_loop())
    live.share("zone:")
    sent: list[tuple[str, str, bool]] = []
    live.forward_to(lambda topic, note, pair: sent.append((topic, note, pair)))
    async with live.listen("zone:a") as zone, live.listen("ticket:1") as ticket:
        live.publish("zone:a", ("announcement", object()))
        live.publish("ticket:1", "called")  # not shared: stays here
        await asyncio.sleep(0)
        live.deliver_remote("zone:a", "board", True)
        assert sent == [("zone:a", "announcement", True)]
        assert (await zone.get())[0] == "announcement"
        assert await zone.get() == ("board", None)
        assert await ticket.get() == "called"
