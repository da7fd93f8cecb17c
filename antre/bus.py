"""JetStream: the hall's stream, the publisher the outbox relay uses, and durable consumers.

Consumers are durable pull consumers with explicit acks: replicas of a service bind the same
durable name and share the work; a message is acked only after its handler committed, and
handlers are idempotent (see :mod:`antre.inbox`), so redelivery after a crash doubles nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import nats
from google.protobuf.message import DecodeError
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig, StreamInfo
from nats.js.errors import FetchTimeoutError, NotFoundError
from prometheus_client import CollectorRegistry, Counter

from antre.events import (
    EVENT_HEADER,
    TRACE_HEADER,
    Envelope,
    UnknownEvent,
    decode,
    hall_subjects,
    stream_name,
)
from antre.outbox import Publisher
from antre.settings import nats_servers
from antre.telemetry import span_under

log = logging.getLogger(__name__)
ACK_WAIT_SECONDS = 30.0  # an event delivered and not acknowledged this long is delivered again
# A poison event is delivered this many times (each delivery tried TRIES_IN_PLACE times, then given
# back for REDELIVER_AFTER seconds): retried for about ten minutes, then given up and counted.
MAX_DELIVER = 50
TRIES_IN_PLACE = 6
REDELIVER_AFTER = 5.0
UNKNOWN_VERSION = (0, 0)  # a server's version not given: treated as older than any feature


async def connect(servers: str | Sequence[str], name: str) -> Client:
    """Connect to any of the servers (a URL, comma-separated URLs or a list: a cluster's nodes)
    and keep reconnecting for ever, to whichever node answers: a hall outlives NATS restarts and
    the loss of a node. The client also learns the cluster's other nodes from the server."""
    urls = nats_servers(servers) if isinstance(servers, str) else list(servers)
    return await nats.connect(
        servers=urls, name=name, max_reconnect_attempts=-1, reconnect_time_wait=0.5, connect_timeout=2
    )


class Streams(Protocol):
    """What :func:`ensure_stream` asks of JetStream (the catalogue passes a recorder instead)."""

    async def stream_info(self, name: str) -> StreamInfo: ...
    async def add_stream(self, config: StreamConfig) -> object: ...


async def ensure_stream(js: Streams, hall: str, replicas: int = 1) -> None:
    """Create the hall's stream when it is missing. An existing stream is left as it is (its
    replicas are an operator's choice, see deploy/k8s/overlays/prod/nats-stream.yaml); a
    different replica count is only logged."""
    name = stream_name(hall)
    config = StreamConfig(
        name=name,
        subjects=[hall_subjects(hall)],
        duplicate_window=120.0,
        max_age=60 * 60 * 24 * 90,  # the history calibrates the simulator; keep a season
        num_replicas=replicas,
    )
    try:
        info = await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(config)
        return
    if info.config.num_replicas != replicas:
        log.warning(
            "stream %s has %s replicas, ANTRE_NATS_REPLICAS says %d: left as it is",
            config.name,
            info.config.num_replicas,
            replicas,
        )


class JetStreamPublisher(Publisher):
    def __init__(self, js: JetStreamContext) -> None:
        self._js = js

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> None:
        await self._js.publish(subject, payload, headers=headers, timeout=2.0)


# What a handler returns (a count, the commands' results) is for its own tests: ignored here.
Handler = Callable[[Sequence[Envelope]], object]


class ConsumerMetrics:
    """``antre_events_dead_total{durable,subject}``: events a consumer gave up on after their last
    delivery. Each is left in the stream (the history keeps it) but this consumer will not apply
    it: what it should have changed did not change. Any rise is worth a look (AntreEventsDead)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.dead = Counter(
            "antre_events_dead",
            "Events a durable consumer gave up on after their last delivery",
            ["durable", "subject"],
            registry=registry,
        )


@contextmanager
def consumed(envelope: Envelope) -> Iterator[None]:
    """The span of one consumed event, in the trace the event carries (a ticket's journey is one
    trace across the services). Batch handlers wrap each event's work in it."""
    with span_under(f"{envelope.consumer} {envelope.name}", envelope.traceparent, "antre.bus"):
        yield


class Consumer:
    """One durable consumer feeding batches of decoded events to a synchronous handler (run in a
    worker thread, since handlers write to the database)."""

    def __init__(
        self,
        js: JetStreamContext,
        hall: str,
        durable: str,
        subjects: Sequence[str],
        handler: Handler,
        *,
        batch: int = 100,
        batched: bool = False,
        linger: float = 0.0,
        in_order: bool = False,
        metrics: ConsumerMetrics | None = None,
        max_deliver: int = MAX_DELIVER,
        tries_in_place: int = TRIES_IN_PLACE,
        redeliver_after: float = REDELIVER_AFTER,
        server_version: tuple[int, int] = UNKNOWN_VERSION,
    ) -> None:
        self._js = js
        self._hall = hall
        self._durable = durable
        self._subjects = list(subjects)
        self._handler = handler
        self._batch = batch
        # A batched handler takes a whole fetch in one call (one transaction, one commit) and
        # opens each event's span itself (:func:`consumed`); others get one event per call.
        self._batched = batched
        # While events flow, wait this long between fetches so that they arrive in batches: a
        # batch costs one transaction and one commit, so a burst costs a fraction of its CPU.
        # For events no one waits on (issued tickets reach the queue 50 ms later); never calls.
        self._linger = linger
        # In order: a consumer taking over (a restart, another replica after a crash) first lets
        # the events its predecessor held unacknowledged fall due again, since JetStream serves
        # due redeliveries before new events; fetching at once would apply later events first.
        self._in_order = in_order
        self._metrics = metrics
        self._max_deliver = max_deliver
        self._tries_in_place = tries_in_place
        self._redeliver_after = redeliver_after
        self._server_version = server_version
        self.processed = 0
        self.dead = 0  # events given up on after their last delivery, in this process
        self._stopping = False

    def stop(self) -> None:
        """Finish the batch in hand, then fetch no more (what was not acked is redelivered)."""
        self._stopping = True

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        subject, subjects = self._filter()
        config = ConsumerConfig(
            durable_name=self._durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            filter_subject=subject,
            filter_subjects=subjects,
            ack_wait=ACK_WAIT_SECONDS,
            max_ack_pending=10_000,
            max_deliver=self._max_deliver,  # then given up, counted and logged (see _handle)
        )
        return await self._bind(config)

    async def _let_held_events_fall_due(self) -> None:
        info = await self._js.consumer_info(stream_name(self._hall), self._durable)
        if info.num_ack_pending:
            log.warning(
                "consumer %s: %d events held by a predecessor; waiting %.0f s for them to fall due",
                self._durable,
                info.num_ack_pending,
                ACK_WAIT_SECONDS,
            )
            await asyncio.sleep(ACK_WAIT_SECONDS + 1.0)

    def _filter(self) -> tuple[str | None, list[str] | None]:
        """The consumer's ``filter_subject`` and ``filter_subjects``. One subject filters on the
        server. Several need NATS 2.10's ``filter_subjects``; on an older server, or one whose
        version was not given, the consumer takes the hall's whole stream and filters here."""
        if len(self._subjects) == 1:
            return self._subjects[0], None
        if self._server_version >= (2, 10):
            return None, list(self._subjects)
        return hall_subjects(self._hall), None

    def _wanted(self, subject: str) -> bool:
        return any(subject_matches(pattern, subject) for pattern in self._subjects)

    async def _bind(self, config: ConsumerConfig) -> JetStreamContext.PullSubscription:
        stream = stream_name(self._hall)
        try:
            info = await self._js.consumer_info(stream, self._durable)
        except NotFoundError:
            await self._js.add_consumer(stream, config)
        else:
            if _filters(info.config) != _filters(config):
                # A release that listens to other events than the durable was made for: the
                # durable takes the new filter and keeps its place (the new subjects' events
                # from here on; earlier ones stay behind it).
                log.info("consumer %s: subjects now %s", self._durable, ", ".join(_filters(config)))
                await self._js.add_consumer(stream, config)
        return await self._js.pull_subscribe_bind(self._durable, stream=stream)

    async def run(self) -> None:
        sub = await self._subscribe()
        if self._in_order:
            await self._let_held_events_fall_due()
        # Wait for one message with a long poll; once they flow, drain in batches. (A batch fetch
        # that finds nothing waits for a whole batch until its timeout, which would add latency.)
        # With a linger, draining goes on until a fetch finds nothing, pausing between fetches.
        draining = False
        while not self._stopping:
            size, timeout = (self._batch, 0.02) if draining else (1, 1.0)
            try:
                msgs = await sub.fetch(size, timeout=timeout)
            except (TimeoutError, NatsTimeout, FetchTimeoutError):
                draining = False
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: nats-py reconnects; try again shortly
                log.warning("consumer %s: %s", self._durable, exc)
                await asyncio.sleep(0.5)
                continue
            await self._handle(msgs)
            draining = len(msgs) == size or (draining and self._linger > 0)
            if draining and self._linger > 0 and len(msgs) < self._batch:
                await asyncio.sleep(self._linger)

    async def _apply(self, envelopes: list[Envelope], msgs: list[Msg]) -> set[str]:
        """Apply a batch; return the ids of the events that kept failing.

        The whole batch goes first in one call. If that fails, one event at a time, in order:
        a failing event is retried in place a few times before it is given back, since a
        redelivery would come after later events and break their order (a board would call
        B-002 before A-001); one that still fails is given back alone, so that a poison event
        holds back nothing but itself. Handlers are idempotent: what already committed is not
        applied twice."""
        try:
            await asyncio.to_thread(self._handle_all, envelopes)
            return set()
        except Exception:
            log.exception("consumer %s: a batch of %d failed; one at a time", self._durable, len(envelopes))
        failed: set[str] = set()
        for envelope in envelopes:
            if not await self._apply_one(envelope, msgs):
                failed.add(envelope.event_id)
        return failed

    async def _apply_one(self, envelope: Envelope, msgs: list[Msg]) -> bool:
        delay = 0.2
        for attempt in range(self._tries_in_place):
            try:
                await asyncio.to_thread(self._handle_all, [envelope])
                return True
            except Exception:
                log.exception("consumer %s: %s failed (try %d)", self._durable, envelope.name, attempt + 1)
            for msg in msgs:
                await msg.in_progress()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)
        return False

    def _handle_all(self, envelopes: list[Envelope]) -> None:
        if self._batched:
            self._handler(envelopes)  # the handler opens each event's span
            return
        for envelope in envelopes:
            with consumed(envelope):
                self._handler([envelope])

    async def _handle(self, msgs: list[Msg]) -> None:
        received: list[tuple[Msg, Envelope | None]] = []
        for msg in msgs:
            if not self._wanted(msg.subject):
                received.append((msg, None))
                continue
            headers = msg.headers or {}
            try:
                message = decode(headers.get(EVENT_HEADER, ""), msg.data)
            except (UnknownEvent, DecodeError) as exc:
                # A newer producer's event this version cannot read: skip it, do not block the rest.
                log.warning("consumer %s: cannot decode %s: %s", self._durable, msg.subject, exc)
                received.append((msg, None))
                continue
            trace = headers.get(TRACE_HEADER, "")
            received.append((msg, Envelope(msg.subject, message, trace, self._durable)))
        envelopes = [e for _, e in received if e is not None]
        failed = await self._apply(envelopes, msgs) if envelopes else set()
        for msg, envelope in received:
            if envelope is None or envelope.event_id not in failed:
                await msg.ack()
            elif msg.metadata.num_delivered < self._max_deliver:
                await msg.nak(delay=self._redeliver_after)
            else:
                await self._give_up(msg, envelope)
        self.processed += len(envelopes) - len(failed)

    async def _give_up(self, msg: Msg, envelope: Envelope) -> None:
        """The last delivery failed too: the server would deliver it no more. Say so to it
        (``term``), count it and log it: the event's name, id and subject, never its content,
        which may hold a citizen's name or phone."""
        await msg.term()
        self.dead += 1
        if self._metrics is not None:
            self._metrics.dead.labels(self._durable, msg.subject).inc()
        log.error(
            "consumer %s: gave up %s %s on %s after %d deliveries; it stays in the stream, not applied",
            self._durable,
            envelope.name,
            envelope.event_id,
            msg.subject,
            msg.metadata.num_delivered,
        )


def server_version(nc: Client) -> tuple[int, int]:
    """The major and minor version of the server the client is connected to (what a consumer's
    subject filters may use)."""
    version = nc.connected_server_version
    return (version.major, version.minor)


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcard matching: ``*`` is one token, ``>`` the rest (one token or more)."""
    want, have = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or (token != "*" and token != have[i]):
            return False
    return len(want) == len(have)


def _filters(config: ConsumerConfig) -> list[str]:
    """A consumer's subjects, however the server holds them (one filter, or several)."""
    return sorted(config.filter_subjects or ([config.filter_subject] if config.filter_subject else []))
