"""A unit of work: one write transaction holding a service's state change and the events it
produced (the outbox), and a nudge to the relay once it committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from google.protobuf.message import Message
from sqlalchemy import Connection, Engine, Table

from antre import db, outbox
from antre.outbox import Staged


@dataclass
class Transaction:
    conn: Connection
    now: dt.datetime
    _outbox: Table
    staged: list[Staged] = field(default_factory=list)

    def publish(self, message: Message, traceparent: str = "") -> None:
        """Stage an event; it leaves only if this transaction commits."""
        self.staged.append(outbox.add(self.conn, self._outbox, message, self.now, traceparent))


class UnitOfWork:
    def __init__(
        self,
        engine: Engine,
        outbox_table: Table,
        clock: Callable[[], dt.datetime],
        on_commit: Callable[[list[Staged]], None] = lambda staged: None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self._outbox = outbox_table
        self.on_commit = on_commit

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (on SQLite it does not take the write lock)."""
        with db.read(self.engine) as conn:
            yield conn

    @contextmanager
    def begin(self) -> Iterator[Transaction]:
        with db.write(self.engine) as conn:
            tx = Transaction(conn, self.clock(), self._outbox)
            yield tx
        if tx.staged:
            self.on_commit(tx.staged)
