"""The transactional outbox and its relay to JetStream.

A service writes its state and the events that state change produced in one transaction
(:func:`add`). Once the transaction commits, the unit of work hands the staged rows straight to
the relay (:meth:`OutboxRelay.handoff`), which publishes them at once with the event id as
JetStream's message id and marks them published in batches. The relay also polls the table for
committed rows nobody handed over (a crash between commit and handoff, another replica's rows, rows
written while NATS was down): a row published twice is dropped by JetStream's de-duplication.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

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
    bindparam,
    func,
    select,
    update,
)

from antre import db
from antre.events import EVENT_HEADER, MSG_ID_HEADER, TRACE_HEADER, event_name, meta_of, subject_for
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


@dataclass(frozen=True)
class Staged:
    """An outbox row as the relay publishes it."""

    event_id: str
    subject: str
    event_type: str
    payload: bytes
    traceparent: str

    def headers(self) -> dict[str, str]:
        headers = {MSG_ID_HEADER: self.event_id, EVENT_HEADER: self.event_type}
        if self.traceparent:
            headers[TRACE_HEADER] = self.traceparent
        return headers


def add(conn: Connection, table: Table, message: Message, now: dt.datetime, traceparent: str = "") -> Staged:
    """Stage an event in the caller's transaction."""
    staged = Staged(
        event_id=meta_of(message).event_id,
        subject=subject_for(message),
        event_type=event_name(message),
        payload=message.SerializeToString(),
        traceparent=traceparent or current_traceparent(),
    )
    # Parameters apart from the statement: SQLAlchemy caches the compiled insert.
    conn.execute(table.insert(), {**staged.__dict__, "created_at": now})
    return staged


def backlog(engine: Engine, table: Table) -> int:
    """Committed events not yet published."""
    with db.read(engine) as conn:
        return int(conn.execute(select(func.count()).where(table.c.published_at.is_(None))).scalar_one())


class Publisher:
    """What the relay needs of JetStream (an adapter over nats-py, or a fake in tests)."""

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> None:
        raise NotImplementedError


class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        table: Table,
        publisher: Publisher,
        *,
        clock: Callable[[], dt.datetime],
        batch: int = 200,
        poll_seconds: float = 0.5,
        mark_linger: float = 0.05,
    ) -> None:
        self._engine = engine
        self._table = table
        self._publisher = publisher
        self._clock = clock
        self._batch = batch
        self._poll = poll_seconds
        self._linger = mark_linger
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._fresh: deque[Staged] = deque()
        self._unmarked: list[str] = []
        self._unmarked_since = 0.0
        self.published = 0

    def handoff(self, rows: Iterable[Staged]) -> None:
        """Committed rows to publish now. Callable from any thread."""
        rows = list(rows)
        if self._loop is not None and rows:
            self._loop.call_soon_threadsafe(self._take, rows)

    def _take(self, rows: list[Staged]) -> None:
        self._fresh.extend(rows)
        if self._wakeup is not None:
            self._wakeup.set()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        backoff = 0.2
        last_poll = 0.0
        while True:
            try:
                if time.monotonic() - last_poll >= self._poll:
                    last_poll = time.monotonic()
                    self._fresh.extendleft(reversed(await asyncio.to_thread(self._pending, True)))
                await self._publish_fresh()
                await self._mark(force=False)
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS down or a database hiccup: keep the rows, try again
                log.warning("outbox relay: %s; retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if self._fresh:
                continue
            self._wakeup.clear()
            timeout = self._poll - (time.monotonic() - last_poll)
            if self._unmarked:
                timeout = min(timeout, self._linger)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=max(timeout, 0.001))

    async def _publish_fresh(self) -> None:
        while self._fresh:
            row = self._fresh[0]
            await self._publisher.publish(row.subject, row.payload, row.headers())
            self._fresh.popleft()
            if not self._unmarked:
                self._unmarked_since = time.monotonic()
            self._unmarked.append(row.event_id)
            self.published += 1
            if len(self._unmarked) >= self._batch:
                await self._mark(force=True)

    async def _mark(self, force: bool) -> None:
        """Mark published rows in one statement per batch; a short linger lets a busy hall's
        events share it (a crash before marking only means a duplicate JetStream drops)."""
        if not self._unmarked:
            return
        if not force and time.monotonic() - self._unmarked_since < self._linger:
            return
        ids, self._unmarked = self._unmarked, []
        await asyncio.to_thread(self._mark_ids, ids)

    async def flush(self) -> None:
        """Publish and mark what this relay holds (on shutdown)."""
        await self._publish_fresh()
        await self._mark(force=True)

    async def publish_pending(self) -> int:
        """Publish every committed row still unpublished (used at start-up and by tests)."""
        rows = await asyncio.to_thread(self._pending, False)
        self._fresh.extend(rows)
        await self._publish_fresh()
        await self._mark(force=True)
        return len(rows)

    def backlog(self) -> int:
        return backlog(self._engine, self._table)

    def _pending(self, settled_only: bool) -> list[Staged]:
        """Unpublished rows, oldest first, less those this relay already holds. ``settled_only``
        leaves out rows younger than a second: their own process is about to hand them over."""
        t = self._table
        query = select(t.c.event_id, t.c.subject, t.c.event_type, t.c.payload, t.c.traceparent).where(
            t.c.published_at.is_(None)
        )
        if settled_only:
            query = query.where(t.c.created_at < self._clock() - dt.timedelta(seconds=1))
        held = {r.event_id for r in self._fresh} | set(self._unmarked)
        with db.read(self._engine) as conn:
            rows = conn.execute(query.order_by(t.c.seq).limit(self._batch)).all()
        return [Staged(*row) for row in rows if row.event_id not in held]

    def _mark_ids(self, ids: list[str]) -> None:
        t = self._table
        stmt = update(t).where(t.c.event_id.in_(bindparam("ids", expanding=True)))
        with db.write(self._engine) as conn:
            if conn.dialect.name == "postgresql":
                # A mark lost in a crash only republishes rows that JetStream then de-duplicates,
                # so this commit need not wait for the disk.
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            conn.execute(stmt, {"ids": ids, "published_at": self._clock()})
