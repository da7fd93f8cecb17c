"""What a service runs beside its HTTP routes: its hall, database, unit of work, the connection to
NATS, the outbox relay, durable consumers and periodic jobs. Built in the app's lifespan, never at
import time, and torn down in order on SIGTERM (consumers drained, relay stopped, engine closed).

NATS may be down when a service starts: the service still serves and writes to its outbox, and a
background task connects when NATS comes back, then starts the relay and the consumers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, Table, text

from antre import bus, db
from antre.hall.load import load_hall
from antre.hall.model import Hall
from antre.lease import Lease
from antre.live import Broadcaster
from antre.outbox import OutboxRelay, Staged, backlog
from antre.settings import ServiceSettings
from antre.telemetry import setup_tracing
from antre.uow import UnitOfWork
from antre.web import HttpMetrics

log = logging.getLogger(__name__)
LEASE_POLL_SECONDS = 2.0  # a waiting replica asks for an exclusive consumer's lease this often
LEASE_CHECK_SECONDS = 2.0  # the holder checks it still holds it this often


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OutboxBacklog(Collector):
    """``antre_outbox_backlog``: committed events not yet published (read at scrape time)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("antre_outbox_backlog", "Committed events not yet published to NATS")
        try:
            family.add_metric([], backlog(self._runtime.engine, self._runtime.outbox))
        except Exception as exc:  # a scrape must not fail because the database hiccups
            log.warning("%s: outbox backlog: %s", self._runtime.service, exc)
        yield family


class LeasesHeld(Collector):
    """``antre_consumer_lease{durable}``: 1 on the replica holding an exclusive consumer's lease
    (the one folding the stream), 0 on the others (waiting to take over)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "antre_consumer_lease", "Whether this replica runs the exclusive consumer", labels=["durable"]
        )
        for durable, lease in self._runtime.leases.items():
            family.add_metric([durable], 1.0 if lease.held else 0.0)
        yield family


@dataclass
class ConsumerSpec:
    durable: str
    subjects: Sequence[str]
    handler: bus.Handler
    batched: bool = False
    linger: float = 0.0
    exclusive: bool = False


@dataclass
class Runtime:
    service: str
    settings: ServiceSettings
    hall: Hall
    engine: Engine
    uow: UnitOfWork
    registry: CollectorRegistry
    live: Broadcaster
    outbox: Table
    http: HttpMetrics
    events: bus.ConsumerMetrics
    consumers: list[ConsumerSpec] = field(default_factory=list)
    nc: Client | None = None
    js: JetStreamContext | None = None
    relay: OutboxRelay | None = None
    leases: dict[str, Lease] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _started: list[bus.Consumer] = field(default_factory=list)
    _consumer_tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        service: str,
        settings: ServiceSettings,
        outbox: Table,
        migrations: Path,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> Runtime:
        hall = load_hall(settings.hall_file)
        engine = db.make_engine(settings.db_url(service), settings.db_schema(service))
        db.migrate(engine, migrations, settings.db_schema(service))
        registry = CollectorRegistry()
        runtime = cls(
            service=service,
            settings=settings,
            hall=hall,
            engine=engine,
            uow=UnitOfWork(engine, outbox, clock),
            registry=registry,
            live=Broadcaster(),
            outbox=outbox,
            http=HttpMetrics(registry),
            events=bus.ConsumerMetrics(registry),
        )
        runtime.uow.on_commit = runtime._hand_to_relay
        runtime.registry.register(OutboxBacklog(runtime))
        runtime.registry.register(LeasesHeld(runtime))
        return runtime

    def _hand_to_relay(self, staged: list[Staged]) -> None:
        if self.relay is not None:
            self.relay.handoff(staged)

    def consume(
        self,
        durable: str,
        subjects: Sequence[str],
        handler: bus.Handler,
        *,
        batched: bool = False,
        linger: float = 0.0,
        exclusive: bool = False,
    ) -> None:
        """Declare a durable consumer; it starts once NATS is connected. A ``batched`` handler
        takes each fetched batch in one call; ``linger`` gathers flowing events into batches
        (see :class:`bus.Consumer`). An ``exclusive`` one runs on one replica at a time, the
        holder of its :class:`~antre.lease.Lease`, so that its handler sees the stream in order
        (replicas sharing a durable apply batches side by side)."""
        spec = ConsumerSpec(f"{self.service}-{durable}", subjects, handler, batched, linger, exclusive)
        self.consumers.append(spec)

    def every(self, seconds: float, job: Callable[[], object]) -> None:
        """Run a synchronous job (in a worker thread) every few seconds while the service runs."""

        async def loop() -> None:
            while True:
                await asyncio.sleep(seconds)
                try:
                    await asyncio.to_thread(job)
                except Exception:
                    log.exception("%s: periodic job failed", self.service)

        self._tasks.append(asyncio.create_task(loop()))

    async def start(self) -> None:
        setup_tracing(self.service, self.settings.otlp_endpoint)
        self.live.bind(asyncio.get_running_loop())
        self._tasks.append(asyncio.create_task(self._connect()))

    async def _connect(self) -> None:
        while self.nc is None:
            nc: Client | None = None
            try:
                nc = await bus.connect(self.settings.nats_servers(), f"antre-{self.service}")
                js = nc.jetstream()
                # On a cluster that is still electing its leaders this fails for a few seconds.
                await bus.ensure_stream(js, self.hall.id, self.settings.nats_replicas)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("%s: NATS not reachable (%s); retrying", self.service, exc)
                if nc is not None:  # connected but the stream is not there yet: do not leak it
                    with contextlib.suppress(Exception):
                        await nc.close()
                await asyncio.sleep(1.0)
                continue
            self.nc, self.js = nc, js
        assert self.js is not None
        await self._share_live(self.nc)
        self.relay = OutboxRelay(
            self.engine, self.outbox, bus.JetStreamPublisher(self.js), clock=self.uow.clock
        )
        self._tasks.append(asyncio.create_task(self.relay.run()))
        for spec in self.consumers:
            if spec.exclusive:
                self._tasks.append(asyncio.create_task(self._lead(spec)))
            else:
                self._tasks.append(self._run_consumer(spec))

    def _run_consumer(self, spec: ConsumerSpec) -> asyncio.Task[None]:
        assert self.nc is not None and self.js is not None
        consumer = bus.Consumer(
            self.js,
            self.hall.id,
            spec.durable,
            spec.subjects,
            spec.handler,
            batched=spec.batched,
            linger=spec.linger,
            in_order=spec.exclusive,
            metrics=self.events,
            server_version=bus.server_version(self.nc),
        )
        self._started.append(consumer)
        task = asyncio.create_task(consumer.run())
        self._consumer_tasks.append(task)
        return task

    async def _lead(self, spec: ConsumerSpec) -> None:
        """Run an exclusive consumer while this replica holds its lease; wait for the lease
        otherwise, and stop the consumer the moment the lease is found lost."""
        lease = Lease(self.engine, spec.durable, self.settings.state_dir)
        self.leases[spec.durable] = lease
        try:
            while True:
                if not await asyncio.to_thread(lease.try_take):
                    await asyncio.sleep(LEASE_POLL_SECONDS)
                    continue
                log.info("%s: holds the lease of %s; consuming", self.service, spec.durable)
                task = self._run_consumer(spec)
                consumer = self._started[-1]
                while await asyncio.to_thread(lease.still_held):
                    done, _ = await asyncio.wait({task}, timeout=LEASE_CHECK_SECONDS)
                    if done:  # the consumer ended on its own (an error it did not survive)
                        task = self._run_consumer(spec)
                        consumer = self._started[-1]
                log.warning("%s: lost the lease of %s; stopped consuming", self.service, spec.durable)
                consumer.stop()
                await asyncio.gather(task, return_exceptions=True)
        finally:
            lease.release()

    async def _share_live(self, nc: Client) -> None:
        """Shared live topics (see :mod:`antre.live`) cross to this service's other replicas as
        plain NATS messages: live notes need no history, and a note lost while NATS is away only
        means a page refreshes at the next change. The subject is outside the hall's stream."""
        subject = f"antre.live.{self.hall.id}.{self.service}"
        me = uuid.uuid4().hex
        pending: set[asyncio.Task[None]] = set()

        def send(topic: str, note: str, pair: bool) -> None:
            body = json.dumps({"from": me, "topic": topic, "note": note, "pair": pair}).encode()
            task = asyncio.create_task(nc.publish(subject, body))
            pending.add(task)
            task.add_done_callback(pending.discard)

        async def receive(msg: Msg) -> None:
            try:
                note = json.loads(msg.data)
                if note["from"] != me:
                    self.live.deliver_remote(str(note["topic"]), str(note["note"]), bool(note["pair"]))
            except (ValueError, KeyError, TypeError):
                log.warning("%s: a live note that cannot be read on %s", self.service, subject)

        await nc.subscribe(subject, cb=receive)
        self.live.forward_to(send)

    async def stop(self) -> None:
        """SIGTERM: consumers finish their batch, the relay publishes what it holds, then the
        connections close. Whatever did not finish is redelivered or republished by a replica."""
        for consumer in self._started:
            consumer.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*self._consumer_tasks, return_exceptions=True), 2.0)
        if self.relay is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.relay.flush(), 2.0)
        for task in self._tasks:
            task.cancel()
        # Bounded: a task or a NATS client that does not heed its cancel must not keep the
        # process from exiting (what it held is redelivered or republished by a replica).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), 5.0)
        if self.nc is not None:
            await self._drain(self.nc)
        self.engine.dispose()

    async def _drain(self, nc: Client) -> None:
        """Drain the connection: its subscriptions (the consumers' pull inboxes, the live notes)
        take what is already on its way to them, and what this process published or acked is
        flushed to the server, before it closes. A connection that is reconnecting cannot drain
        and is closed; either way within 5 s."""
        try:
            await asyncio.wait_for(nc.drain(), 5.0)
        except Exception as exc:
            log.info("%s: NATS connection not drained (%s); closing it", self.service, type(exc).__name__)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(nc.close(), 5.0)

    async def db_ready(self) -> bool:
        def ping() -> bool:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True

        return await asyncio.to_thread(ping)

    async def nats_ready(self) -> bool:
        return self.nc is not None and self.nc.is_connected and self.relay is not None

    def ready_checks(self) -> dict[str, Callable[[], Awaitable[bool]]]:
        return {"database": self.db_ready, "nats": self.nats_ready}
