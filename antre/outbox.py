"""The transactional outbox and its relay to JetStream.

A service writes its state and the events that state change produced in one transaction
(:func:`add`); the relay then publishes committed rows in order, with the event id as JetStream's
message id, so a relay that crashes between publishing and marking a row publishes it again and
JetStream drops the copy. Events written while NATS is down wait here until it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable

from google.protobuf.message import Message
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    select,
    update,
)

from antre import db
from antre.events import EVENT_HEADER, MSG_ID_HEADER, TRACE_HEADER, event_name, subject_for
from antre.telemetry import current_traceparent

log = logging.getLogger(__name__)

Id = BigInteger().with_variant(Integer, "sqlite")


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("seq", Id, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("subject", String(255), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("traceparent", String(64), nullable=False, default=""),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
    )


def add(conn: Connection, table: Table, message: Message, now: dt.datetime, traceparent: str = "") -> None:
    """Stage an event in the caller's transaction."""
    conn.execute(
        table.insert().values(
            event_id=message.meta.event_id,  # type: ignore[attr-defined]
            subject=subject_for(message),
            event_type=event_name(message),
            payload=message.SerializeToString(),
            traceparent=traceparent or current_traceparent(),
            created_at=now,
        )
    )


class Publisher:
    """What the relay needs of JetStream (an adapter over nats-py, or a fake in tests)."""

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> None:
        raise NotImplementedError


class OutboxRelay:
    """Publishes committed outbox rows. Woken right after each commit (:meth:`wake`, callable from
    any thread) and otherwise polls, so a row committed by another replica is not left behind."""

    def __init__(
        self,
        engine: Engine,
        table: Table,
        publisher: Publisher,
        *,
        clock: Callable[[], dt.datetime],
        batch: int = 200,
        poll_seconds: float = 0.5,
    ) -> None:
        self._engine = engine
        self._table = table
        self._publisher = publisher
        self._clock = clock
        self._batch = batch
        self._poll = poll_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self.published = 0

    def wake(self) -> None:
        if self._loop is not None and self._wakeup is not None:
            self._loop.call_soon_threadsafe(self._wakeup.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        backoff = 0.2
        while True:
            try:
                sent = await self.publish_pending()
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS down or database hiccup: keep the rows, try again
                log.warning("outbox relay: %s; retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if sent >= self._batch:
                continue
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll)

    async def publish_pending(self) -> int:
        rows = await asyncio.to_thread(self._pending)
        done: list[int] = []
        try:
            for row in rows:
                headers = {MSG_ID_HEADER: row.event_id, EVENT_HEADER: row.event_type}
                if row.traceparent:
                    headers[TRACE_HEADER] = row.traceparent
                await self._publisher.publish(row.subject, row.payload, headers)
                done.append(row.seq)
        finally:
            if done:
                await asyncio.to_thread(self._mark, done)
                self.published += len(done)
        return len(rows)

    def backlog(self) -> int:
        with db.read(self._engine) as conn:
            query = select(func.count()).where(self._table.c.published_at.is_(None))
            return int(conn.execute(query).scalar_one())

    def _pending(self) -> list:
        t = self._table
        with db.read(self._engine) as conn:
            query = select(t).where(t.c.published_at.is_(None)).order_by(t.c.seq).limit(self._batch)
            return list(conn.execute(query))

    def _mark(self, seqs: list[int]) -> None:
        t = self._table
        with db.write(self._engine) as conn:
            conn.execute(update(t).where(t.c.seq.in_(seqs)).values(published_at=self._clock()))
