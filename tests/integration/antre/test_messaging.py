"""The outbox relay and durable consumers against a real NATS JetStream server."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import nats
import pytest
from nats.js import JetStreamContext
from sqlalchemy import select

from antre import bus, db
from antre.events import Envelope, new_meta, stream_name, subject_filter
from antre.outbox import OutboxRelay, Staged
from antre.runtime import utcnow
from antre.uow import UnitOfWork
from antre.v1 import events_pb2 as pb
from services.ticketing.adapters.tables import outbox
from services.ticketing.bootstrap import MIGRATIONS
from tests.support.infra import NatsServer, free_port, unique


def called(hall: str, n: int) -> pb.TicketCalled:
    return pb.TicketCalled(
        meta=new_meta(hall, "dukcapil", utcnow()),
        ticket=pb.TicketRef(ticket_id=f"t{n}", service="ktp-el", number=f"A-{n:03d}", hall_day="2026-11-30"),
        counter=pb.CounterRef(number=1, name="Loket 1", zone="lantai-1-a"),
    )


def stage(engine, hall: str, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    uow = UnitOfWork(engine, outbox, utcnow)
    ids = []
    for n in range(count):
        with uow.begin() as tx:
            event = called(hall, n)
            tx.publish(event, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            ids.append(event.meta.event_id)
    return ids


@asynccontextmanager
async def hall_stream(nats_url: str) -> AsyncIterator[tuple[str, JetStreamContext]]:
    """A new hall's stream on the server, deleted afterwards; the hall's id and JetStream."""
    hall = unique("m")
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        await bus.ensure_stream(js, hall)
        yield hall, js
    finally:
        await js.delete_stream(stream_name(hall))
        await nc.close()


async def wait_until(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


class Collector:
    def __init__(self) -> None:
        self.seen: list[Envelope] = []
        self.fail_next = 0

    def __call__(self, envelopes: Sequence[Envelope]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("handler failed")
        self.seen.extend(envelopes)


async def test_relay_publishes_once_and_consumer_gets_everything(nats_url: str, tmp_path: Path) -> None:
    hall = unique("m")
    engine = db.make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    db.migrate(engine, MIGRATIONS)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        await bus.ensure_stream(js, hall)
        ids = stage(engine, hall, 20)
        relay = OutboxRelay(engine, outbox, bus.JetStreamPublisher(js), clock=utcnow)
        assert await relay.publish_pending() == 20
        # A relay that crashed after publishing but before marking publishes again: JetStream drops it.
        with db.write(engine) as conn:
            conn.execute(outbox.update().values(published_at=None))
        await relay.publish_pending()
        info = await js.stream_info(stream_name(hall))
        assert info.state.messages == 20
        with db.read(engine) as conn:
            assert conn.execute(select(outbox).where(outbox.c.published_at.is_(None))).first() is None

        collector = Collector()
        collector.fail_next = 1  # the first batch fails: it must come again, not be lost
        consumer = bus.Consumer(js, hall, "test-board", [subject_filter(hall, "ticket.called")], collector)
        task = asyncio.create_task(consumer.run())

        async def all_seen() -> bool:
            return len({e.event_id for e in collector.seen}) == 20

        await wait_until(all_seen)
        task.cancel()
        assert [e.event_id for e in collector.seen] == ids  # in order
        assert all(e.traceparent.startswith("00-0af7651916cd43dd") for e in collector.seen)
        assert isinstance(collector.seen[0].message, pb.TicketCalled)
    finally:
        await js.delete_stream(stream_name(hall))
        await nc.close()


async def test_consumer_filters_subjects_it_did_not_ask_for(nats_url: str, tmp_path: Path) -> None:
    async with hall_stream(nats_url) as (hall, js):
        engine = db.make_engine(f"sqlite:///{tmp_path / 'o.db'}")
        db.migrate(engine, MIGRATIONS)
        uow = UnitOfWork(engine, outbox, utcnow)
        with uow.begin() as tx:
            tx.publish(called(hall, 1))
            tx.publish(
                pb.CounterClosed(meta=new_meta(hall, "dukcapil", utcnow()), counter=pb.CounterRef(number=1))
            )
            tx.publish(pb.TicketCancelled(meta=new_meta(hall, "dukcapil", utcnow()), reason="print_failed"))
        await OutboxRelay(engine, outbox, bus.JetStreamPublisher(js), clock=utcnow).publish_pending()
        collector = Collector()
        wanted = [subject_filter(hall, "ticket.called"), subject_filter(hall, "counter.closed")]
        task = asyncio.create_task(bus.Consumer(js, hall, "test-two", wanted, collector).run())

        async def two_seen() -> bool:
            return len(collector.seen) >= 2

        await wait_until(two_seen)
        await asyncio.sleep(0.3)
        task.cancel()
        assert sorted(e.name for e in collector.seen) == ["antre.v1.CounterClosed", "antre.v1.TicketCalled"]


async def test_events_written_while_nats_is_down_arrive_when_it_returns(tmp_path: Path) -> None:
    hall = unique("m")
    server = NatsServer(tmp_path / "nats", free_port()).start()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    db.migrate(engine, MIGRATIONS)
    nc = await bus.connect(server.url, "test")
    js = nc.jetstream()
    await bus.ensure_stream(js, hall)
    relay = OutboxRelay(engine, outbox, bus.JetStreamPublisher(js), clock=utcnow, poll_seconds=0.1)
    task = asyncio.create_task(relay.run())
    try:
        stage(engine, hall, 5)

        async def published(n: int) -> bool:
            return relay.published >= n

        await wait_until(lambda: published(5))
        server.kill()
        ids = stage(engine, hall, 10)  # the hall goes on: the outbox keeps them
        await asyncio.sleep(1.0)
        assert relay.backlog() == 10
        server.start()  # same port, same storage
        await wait_until(lambda: published(15), timeout=30)
        info = await js.stream_info(stream_name(hall))
        assert info.state.messages == 15
        last = await js.get_last_msg(stream_name(hall), subject_filter(hall, "ticket.called"))
        assert last.headers is not None and last.headers["Nats-Msg-Id"] == ids[-1]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await nc.close()
        server.stop()


@pytest.mark.parametrize("n", [0])
def test_subject_for_every_event_names_hall_and_agency(n: int) -> None:
    from antre.events import SUFFIXES, subject_for

    for cls, suffix in SUFFIXES.items():
        message = cls(meta=new_meta("kendari", "dukcapil", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
        assert subject_for(message) == f"antre.kendari.dukcapil.{suffix}"


class Batches:
    """A batched handler that fails on every batch holding one poison event, as a handler whose
    transaction covers the batch would."""

    def __init__(self, poison: str) -> None:
        self.poison = poison
        self.calls: list[int] = []
        self.seen: list[Envelope] = []

    def __call__(self, envelopes: Sequence[Envelope]) -> None:
        self.calls.append(len(envelopes))
        if any(e.event_id == self.poison for e in envelopes):
            raise RuntimeError("poison event")
        self.seen.extend(envelopes)


async def test_a_batched_consumer_takes_whole_fetches_and_isolates_a_poison_event(
    nats_url: str, tmp_path: Path
) -> None:
    async with hall_stream(nats_url) as (hall, js):
        ids = await published(js, hall, tmp_path, 30)
        handler = Batches(poison=ids[12])
        subjects = [subject_filter(hall, "ticket.called")]
        consumer = bus.Consumer(js, hall, "test-batched", subjects, handler, batched=True)
        task = asyncio.create_task(consumer.run())

        async def the_rest_seen() -> bool:
            return len({e.event_id for e in handler.seen}) == 29

        await wait_until(the_rest_seen, timeout=20.0)
        task.cancel()
        assert max(handler.calls) > 1  # whole fetches reached the handler at once
        assert ids[12] not in {e.event_id for e in handler.seen}
        assert all(e.consumer == "test-batched" for e in handler.seen)  # names each event's span


async def published(js: JetStreamContext, hall: str, folder: Path, count: int) -> list[str]:
    """``count`` calls staged in an outbox and relayed to the hall's stream; their event ids."""
    engine = db.make_engine(f"sqlite:///{folder / 'o.db'}")
    db.migrate(engine, MIGRATIONS)
    ids = stage(engine, hall, count)
    relay = OutboxRelay(engine, outbox, bus.JetStreamPublisher(js), clock=utcnow)
    assert await relay.publish_pending() == count
    engine.dispose()
    return ids


async def test_a_lingering_consumer_gathers_a_flow_into_batches_and_keeps_its_order(
    nats_url: str, tmp_path: Path
) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    db.migrate(engine, MIGRATIONS)
    async with hall_stream(nats_url) as (hall, js):
        ids = stage(engine, hall, 60)
        with db.read(engine) as conn:
            columns = (
                outbox.c.event_id,
                outbox.c.subject,
                outbox.c.event_type,
                outbox.c.payload,
                outbox.c.traceparent,
            )
            rows = [Staged(*row) for row in conn.execute(select(*columns).order_by(outbox.c.seq))]
        publisher = bus.JetStreamPublisher(js)
        handler = Batches(poison="")
        subjects = [subject_filter(hall, "ticket.called")]
        consumer = bus.Consumer(js, hall, "test-linger", subjects, handler, batched=True, linger=0.05)
        task = asyncio.create_task(consumer.run())
        started = time.monotonic()
        for row in rows:  # a kiosk hour's flow, sped up: an event every 5 ms or so
            await publisher.publish(row.subject, row.payload, row.headers())
            await asyncio.sleep(0.005)
        flowed = time.monotonic() - started

        async def all_seen() -> bool:
            return len(handler.seen) >= 60

        await wait_until(all_seen)
        await asyncio.sleep(0.2)
        task.cancel()
    engine.dispose()
    assert [e.event_id for e in handler.seen] == ids  # each once, in order
    # One batch per linger at most, and the flow's first event alone (the flow lasts well under
    # 3 s, so one event at a time, 60 calls, fails this).
    assert len(handler.calls) <= flowed / 0.05 + 3, (flowed, handler.calls)


async def test_a_durable_takes_the_subjects_a_new_release_listens_to(nats_url: str, tmp_path: Path) -> None:
    """A durable made by an earlier release keeps its place and takes the subjects added since
    (reports' record learnt device.status after halls ran it): events on them arrive."""
    async with hall_stream(nats_url) as (hall, js):
        engine = db.make_engine(f"sqlite:///{tmp_path / 'o.db'}")
        db.migrate(engine, MIGRATIONS)
        uow = UnitOfWork(engine, outbox, utcnow)
        relay = OutboxRelay(engine, outbox, bus.JetStreamPublisher(js), clock=utcnow)
        before = [subject_filter(hall, "ticket.called")]
        after = [*before, subject_filter(hall, "device.status")]
        collector = Collector()

        async def seen(count: int) -> bool:
            return len(collector.seen) >= count

        async def rebound() -> bool:  # several subjects, or the hall's all on a server before 2.10
            config = (await js.consumer_info(stream_name(hall), "test-grows")).config
            return (config.filter_subjects or [config.filter_subject]) != before

        with uow.begin() as tx:
            tx.publish(called(hall, 1))
        await relay.publish_pending()
        async with running(bus.Consumer(js, hall, "test-grows", before, collector)):
            await wait_until(lambda: seen(1))
        await asyncio.sleep(1.5)  # the earlier release's last pull request expires (1 s)

        async with running(bus.Consumer(js, hall, "test-grows", after, collector)):
            await wait_until(rebound)
            with uow.begin() as tx:
                tx.publish(called(hall, 2))
                tx.publish(
                    pb.DeviceStatus(meta=new_meta(hall, "_hall", utcnow()), kind="kiosk", device="kiosk-1")
                )
            await relay.publish_pending()
            await wait_until(lambda: seen(3))
        assert [e.name for e in collector.seen] == [
            "antre.v1.TicketCalled",
            "antre.v1.TicketCalled",
            "antre.v1.DeviceStatus",
        ]  # the first call once: the durable kept its place


@asynccontextmanager
async def running(consumer: bus.Consumer) -> AsyncIterator[None]:
    """The consumer's loop for the block, stopped and awaited after it (whatever happened)."""
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        consumer.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
