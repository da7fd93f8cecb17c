"""A service's runtime stopping (SIGTERM) against a real JetStream server: the batch in hand is
finished and acknowledged, nothing is left for a replica to redo, and the connection is drained
and closed."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import nats

from antre.events import Envelope, new_meta, stream_name, subject_filter
from antre.runtime import Runtime, utcnow
from antre.settings import ServiceSettings
from antre.v1 import events_pb2 as pb
from services.ticketing.adapters.tables import outbox
from services.ticketing.bootstrap import MIGRATIONS
from tests.support.infra import unique, write_hall


class SlowHandler:
    """Takes half a second over each event, so that the stop arrives while it works."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.done: list[str] = []

    def __call__(self, envelopes: Sequence[Envelope]) -> None:
        self.started.set()
        time.sleep(0.5)
        self.done.extend(e.event_id for e in envelopes)


async def test_stopping_finishes_the_batch_in_hand_acks_it_and_drains(nats_url: str, tmp_path: Path) -> None:
    hall = unique("s")
    settings = ServiceSettings(hall_file=write_hall(tmp_path, hall), state_dir=tmp_path, nats_url=nats_url)
    runtime = Runtime.build("ticketing", settings, outbox, MIGRATIONS)
    handler = SlowHandler()
    runtime.consume("slow", [subject_filter(hall, "ticket.called")], handler)
    watcher = await nats.connect(nats_url)
    js = watcher.jetstream()
    stopped = False
    try:
        await runtime.start()
        deadline = time.monotonic() + 20
        while not await runtime.nats_ready():
            assert time.monotonic() < deadline, "NATS not ready"
            await asyncio.sleep(0.05)
        event = pb.TicketCalled(
            meta=new_meta(hall, "dukcapil", utcnow()),
            ticket=pb.TicketRef(ticket_id="t1", service="ktp-el", number="A-001", hall_day="2026-12-07"),
            counter=pb.CounterRef(number=1, name="Loket 1", zone="lantai-1-a"),
        )
        with runtime.uow.begin() as tx:
            tx.publish(event)
        assert await asyncio.to_thread(handler.started.wait, 20), "the event never reached the handler"

        await runtime.stop()
        stopped = True

        assert handler.done == [event.meta.event_id]
        assert runtime.nc is not None and runtime.nc.is_closed
        info = await js.consumer_info(stream_name(hall), "ticketing-slow")
        assert (info.num_ack_pending, info.num_pending, info.num_redelivered) == (0, 0, 0)
    finally:
        if not stopped:
            await runtime.stop()
        await js.delete_stream(stream_name(hall))
        await watcher.close()
