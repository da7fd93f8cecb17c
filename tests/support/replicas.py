"""Two replicas of a service, as two processes would be: two engines on one store (a SQLite file
or a PostgreSQL schema), each for a unit of work of its own, on one clock that moves only when
told; their periodic jobs run at once behind a barrier; and the events of a kind they left in the
outbox."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from google.protobuf.message import Message
from sqlalchemy import Engine, Table

from antre import db
from tests.support.deps import outbox_events
from tests.support.stores import drop_schema, make_store, pg_url

T = TypeVar("T")
M = TypeVar("M", bound=Message)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now


@contextmanager
def two_engines(backend: str, folder: Path, migrations: Path) -> Iterator[tuple[Engine, Engine]]:
    engine, schema = make_store(backend, folder, migrations)
    other = (
        db.make_engine(pg_url() or "", schema)
        if schema
        else db.make_engine(f"sqlite:///{folder / 'store.db'}")
    )
    try:
        yield engine, other
    finally:
        engine.dispose()
        other.dispose()
        drop_schema(schema)


def together(jobs: Sequence[Callable[[], T]]) -> list[T]:
    """Every job in a thread of its own, all released at once."""
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], T]) -> T:
        barrier.wait()
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def published(engine: Engine, outbox: Table, kind: type[M]) -> list[tuple[str, M]]:
    """Each event of ``kind`` staged, with its subject, in the order they were committed."""
    return [(e.subject, e.message) for e in outbox_events(engine, outbox) if isinstance(e.message, kind)]
