"""The hall's voice in real headless Chromium: the speaker page of a zone plays the voice pack's
clips back to back at each announcement's slot; other pages of the zone stay silent; in a burst
across zones every announcement is heard once, in call order, never two at once, and a reload
in the middle replays nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import nats
import pytest

from antre.bus import ensure_stream
from antre.events import EVENT_HEADER, MSG_ID_HEADER, Envelope, event_name
from antre.hall.model import Hall
from antre.speech import CHIME, tokens, vocabulary
from services.display import handlers
from tests.integration.display.board_browser import Screen, assert_never_two_at_once, screen, screenshot, wait
from tests.integration.display.display_live import LiveDisplay
from tests.unit.display import display_factories as f

pytestmark = pytest.mark.browser
A, B = "lantai-1-a", "lantai-1-b"
A_COUNTERS, B_COUNTERS = (1, 2, 3, 4, 5, 6), (7, 8, 9, 10, 11, 12)


def ms(moment: dt.datetime) -> float:
    return moment.timestamp() * 1000


def test_the_speaker_plays_the_packs_clips_at_each_slot(
    tmp_path: Path, browser: Any, espeak_voice: Path
) -> None:
    display = LiveDisplay(tmp_path, voice_dir=str(espeak_voice)).start()
    try:
        hall = display.deps.hall
        with display.client() as c:
            manifest = c.get("/voice/manifest.json").json()
            assert set(vocabulary("id")) | {CHIME} <= set(manifest["langs"]["id"])
            clip = manifest["langs"]["id"]["nomor"]
            found = c.get(f"/voice/{clip['file']}", params={"v": manifest["version"]})
            assert found.headers["content-type"] == "audio/wav"
            assert "immutable" in found.headers["cache-control"]
            assert c.get("/voice/id/../../settings.py").status_code == 404
            assert c.get("/voice/id/tidak-ada.wav").status_code == 404
            clips = len(vocabulary("id")) + 1  # and the chime
            assert f'antre_voice_clips{{lang="id"}} {clips}.0' in c.get("/metrics").text

        speaker = screen(browser).open(f"{display.url}/boards/{A}?speaker=1")
        listener = screen(browser).open(f"{display.url}/boards/{A}")
        # A TV whose browser allows autoplay speaks from its start: no prompt, no touch.
        speaker.page.wait_for_timeout(1500)
        assert speaker.page.is_hidden("#sound") and listener.page.is_hidden("#sound")
        needed = tokens("A-012", 3) + tokens("A-013", 12)
        assert speaker.js(f"window.antreBoard.voice.has({needed}, 'id')")

        now = dt.datetime.now(dt.UTC)
        calls = [
            f.called(hall, "t1", "A-012", "ktp-el", 3, now),
            f.called(hall, "t2", "A-013", "ktp-el", 1, now),
        ]
        handlers.on_hall_events(display.deps, calls)
        log = handlers.announcements_after(display.deps, A, 0, 10)
        wait(speaker.page, lambda: speaker.plays, what="the first call")
        speaker.page.wait_for_timeout(1500)  # the chime, then the number, highlighted
        assert speaker.page.inner_text("#spotlight-number") == "A-012"
        screenshot(speaker.page, "display-board-calling.png")
        played = wait(
            speaker.page,
            lambda: (
                len(speaker.js("window.antreBoard.played")) == 2 and speaker.js("window.antreBoard.played")
            ),
            what="both calls",
        )

        for entry, announcement in zip(played, log, strict=True):
            assert entry["via"] == "clips"
            assert entry["seq"] == announcement.seq
            # At its slot (give or take the page's clock estimate), exactly as long as its clips.
            assert abs(entry["startedAt"] - ms(announcement.starts_at)) < 150
            duration = announcement.duration.total_seconds() * 1000
            assert entry["endedAt"] - entry["startedAt"] == pytest.approx(duration, abs=5)
        assert played[1]["startedAt"] >= played[0]["endedAt"] + 1000 * hall.announcement_gap_seconds - 150
        assert listener.js("window.antreBoard.played") == [] and listener.plays == []
        assert [s["seq"] for s in listener.js("window.antreBoard.shown")] == [1, 2]
        screenshot(listener.page, "display-board-listener.png")
        for s in (speaker, listener):
            s.context.close()
    finally:
        display.stop()


async def publish_burst(url: str, hall: Hall, calls: list[tuple[str, int]], seconds: float) -> list[float]:
    """Publish a TicketCalled per (number, counter), evenly over ``seconds``, each stamped when
    it is published; returns the publish moments (epoch ms)."""
    nc = await nats.connect(url)
    sent: list[float] = []
    try:
        js = nc.jetstream()
        await ensure_stream(js, hall.id)
        start = time.monotonic()
        for i, (number, counter) in enumerate(calls):
            await asyncio.sleep(max(0.0, start + i * seconds / len(calls) - time.monotonic()))
            service = "ktp-el" if counter in A_COUNTERS else "perizinan-berusaha"
            envelope: Envelope = f.called(
                hall, f"t-{number}", number, service, counter, dt.datetime.now(dt.UTC)
            )
            headers = {MSG_ID_HEADER: envelope.event_id, EVENT_HEADER: event_name(envelope.message)}
            await js.publish(envelope.subject, envelope.message.SerializeToString(), headers=headers)
            sent.append(time.time() * 1000)
    finally:
        await nc.drain()
    return sent


def assert_heard_once_in_order(plays: list[dict[str, Any]], log: list[Any], cut: float | None = None) -> None:
    """Every announcement of the zone's log started once, in seq order, none before the last
    ended. ``cut``: when the page was reloaded (epoch ms), which silenced what it was playing."""
    assert [p["seq"] for p in plays] == [a.seq for a in log]
    assert [p["number"] for p in plays] == [a.number for a in log]
    assert_never_two_at_once(plays, cut)


@pytest.mark.nats
def test_fifty_calls_in_ten_seconds_across_zones(
    tmp_path: Path, browser: Any, tone_voice: Path, nats_url: str
) -> None:
    display = LiveDisplay(
        tmp_path, nats_url, hall={"announcement_gap_seconds": 0.2}, voice_dir=str(tone_voice)
    ).start()
    screens: list[Screen] = []
    try:
        hall = display.deps.hall
        a_speaker = screen(browser, sound_on=True).open(f"{display.url}/boards/{A}?speaker=1")
        a_listener = screen(browser, sound_on=True).open(f"{display.url}/boards/{A}")
        b_speaker = screen(browser, sound_on=True).open(f"{display.url}/boards/{B}?speaker=1")
        screens += [a_speaker, a_listener, b_speaker]

        calls = [
            (f"A-{i // 2 + 1:03d}", A_COUNTERS[i % 6])
            if i % 2 == 0
            else (f"P-{i // 2 + 1:03d}", B_COUNTERS[i % 6])
            for i in range(50)
        ]
        burst = threading.Thread(target=lambda: asyncio.run(publish_burst(nats_url, hall, calls, 10.0)))
        started = time.monotonic()
        burst.start()
        wait(
            a_speaker.page,
            lambda: len(a_speaker.plays) >= 5 and time.monotonic() - started > 5,
            what="mid-burst",
        )
        cut = time.time() * 1000
        a_speaker.reload()  # a refresh in the middle of the burst
        burst.join(timeout=30)
        assert time.monotonic() - started < 12  # the burst took its 10 s

        def logs() -> tuple[list[Any], list[Any]]:
            return tuple(handlers.announcements_after(display.deps, z, 0, 100) for z in (A, B))  # type: ignore[return-value]

        a_log, b_log = wait(a_speaker.page, lambda: sum(map(len, logs())) == 50 and logs(), what="the log")
        assert [a.number for a in a_log] == [n for n, _ in calls if n.startswith("A")]
        assert [a.number for a in b_log] == [n for n, _ in calls if n.startswith("P")]
        wait(
            a_speaker.page,
            lambda: len(a_speaker.plays) >= 25 and len(b_speaker.plays) >= 25,
            60,
            "every call",
        )
        a_speaker.page.wait_for_timeout(1500)  # anything more would be a replay

        assert_heard_once_in_order(a_speaker.plays, a_log, cut)
        assert_heard_once_in_order(b_speaker.plays, b_log)
        assert a_listener.plays == [] and a_listener.js("window.antreBoard.played") == []
        assert {p["via"] for p in a_speaker.plays + b_speaker.plays} == {"clips"}
        assert a_speaker.js("window.antreBoard.skipped") == [] == b_speaker.js("window.antreBoard.skipped")
        # Every page shows its own zone's calls, and only those.
        assert [s["seq"] for s in a_listener.js("window.antreBoard.shown")] == [a.seq for a in a_log]
        assert [s["seq"] for s in b_speaker.js("window.antreBoard.shown")] == [a.seq for a in b_log]
        # The arbiter's slots were kept: each started at its slot, but those the reload held up.
        slots = {a.seq: ms(a.starts_at) for a in a_log + b_log}
        on_time = [p for p in a_speaker.plays if p["startedAt"] < cut] + b_speaker.plays
        assert all(-150 < p["startedAt"] - slots[p["seq"]] < 150 for p in on_time), on_time
        assert any(p["startedAt"] > cut for p in a_speaker.plays)  # the reloaded page went on
        screenshot(b_speaker.page, "display-board-after-burst.png")
    finally:
        for s in screens:
            s.context.close()
        display.stop()
