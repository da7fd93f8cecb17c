"""An event whose handler always fails, on a real JetStream durable consumer: after its last
delivery it is given up once, counted (``antre_events_dead_total``) and logged without its
content, and the stream's other events are applied in order around it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

import nats
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from antre import bus, db
from antre.events import Envelope, new_meta, stream_name, subject_filter
from antre.outbox import OutboxRelay
from antre.runtime import Runtime, utcnow
from antre.settings import ServiceSettings
from antre.uow import UnitOfWork
from antre.v1 import events_pb2 as pb
from services.ticketing.adapters.tables import outbox
from services.ticketing.bootstrap import MIGRATIONS
from tests.support.infra import unique

ROOT = Path(__file__).resolve().parents[3]
POISON_NAME = "Siti Rahmawati"  # a citizen's name in the failing event: never in a log line
MAX_DELIVER = 3


def called(hall: str, n: int, name: str = "") -> pb.TicketCalled:
    return pb.TicketCalled(
        meta=new_meta(hall, "dukcapil", utcnow()),
        ticket=pb.TicketRef(ticket_id=f"t{n}", service="ktp-el", number=f"A-{n:03d}", hall_day="2026-12-07"),
        counter=pb.CounterRef(number=1, name=name or "Loket 1", zone="lantai-1-a"),
    )


class FailsOnPoison:
    """Applies every event but the one for ticket t2, which fails at every try."""

    def __init__(self) -> None:
        self.applied: list[str] = []
        self.tries = 0

    def __call__(self, envelopes: Sequence[Envelope]) -> None:
        for envelope in envelopes:
            message = envelope.message
            assert isinstance(message, pb.TicketCalled)
            if message.ticket.ticket_id == "t2":
                self.tries += 1
                raise ValueError("this event cannot be applied")
        self.applied.extend(e.message.ticket.ticket_id for e in envelopes)  # type: ignore[attr-defined]


def dead(registry: CollectorRegistry, durable: str, subject: str) -> float:
    value = registry.get_sample_value("antre_events_dead_total", {"durable": durable, "subject": subject})
    return value or 0.0


async def test_a_poison_event_is_given_up_once_counted_and_the_rest_applied_in_order(
    nats_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hall = unique("d")
    engine = db.make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    db.migrate(engine, MIGRATIONS)
    uow = UnitOfWork(engine, outbox, utcnow)
    with uow.begin() as tx:
        for n in range(1, 6):
            tx.publish(called(hall, n, POISON_NAME if n == 2 else ""))
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    registry = CollectorRegistry()
    handler = FailsOnPoison()
    durable = "test-dead"
    consumer = bus.Consumer(
        js,
        hall,
        durable,
        [subject_filter(hall, "ticket.called")],
        handler,
        metrics=bus.ConsumerMetrics(registry),
        max_deliver=MAX_DELIVER,
        tries_in_place=2,
        redeliver_after=0.2,
    )
    caplog.set_level(logging.INFO, logger="antre.bus")
    task: asyncio.Task[None] | None = None
    try:
        await bus.ensure_stream(js, hall)
        await OutboxRelay(engine, outbox, bus.JetStreamPublisher(js), clock=utcnow).publish_pending()
        task = asyncio.create_task(consumer.run())
        subject = f"antre.{hall}.dukcapil.ticket.called"
        deadline = asyncio.get_running_loop().time() + 30
        while consumer.dead == 0:
            assert asyncio.get_running_loop().time() < deadline, f"not given up: {handler.tries} tries"
            await asyncio.sleep(0.05)
        tries = handler.tries
        await asyncio.sleep(1.0)  # long enough for several redeliveries, were there any

        assert handler.applied == ["t1", "t3", "t4", "t5"]  # in order, not held behind t2
        assert handler.tries == tries >= 2 * MAX_DELIVER  # each delivery tried in place; no more
        assert consumer.dead == 1
        assert dead(registry, durable, subject) == 1
        info = await js.consumer_info(stream_name(hall), durable)
        assert info.num_ack_pending == 0 and info.num_redelivered == 0 and info.num_pending == 0
    finally:
        if task is not None:
            consumer.stop()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await js.delete_stream(stream_name(hall))
        await nc.close()
        engine.dispose()

    given_up = [r for r in caplog.records if r.levelno == logging.ERROR and "gave up" in r.getMessage()]
    assert len(given_up) == 1
    assert "antre.v1.TicketCalled" in given_up[0].getMessage()
    assert f"after {MAX_DELIVER} deliveries" in given_up[0].getMessage()
    assert not [r for r in caplog.records if POISON_NAME in r.getMessage()]


def test_every_runtime_exports_the_count(tmp_path: Path) -> None:
    """Each service's runtime gives its consumers the counter, on the registry /metrics shows."""
    settings = ServiceSettings(hall_file=ROOT / "examples" / "kendari.yaml", state_dir=tmp_path)
    runtime = Runtime.build("ticketing", settings, outbox, MIGRATIONS)
    try:
        runtime.events.dead.labels("ticketing-status", "antre.kendari.dukcapil.ticket.called").inc()
        exposed = generate_latest(runtime.registry).decode()
    finally:
        runtime.engine.dispose()
    assert "# TYPE antre_events_dead_total counter" in exposed
    assert 'antre_events_dead_total{durable="ticketing-status"' in exposed
