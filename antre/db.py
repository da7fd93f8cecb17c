"""Database engines and migrations for a service's own store.

Each service owns its database: a SQLite file by default, a PostgreSQL schema in production (the
schema is put on the connection's ``search_path``, so tables and Alembic's version table live in
it and one PostgreSQL database can hold every service without sharing a table).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, overload

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]*$")
WRITE = "antre_write"
PING_AFTER = 2.0  # seconds a pooled connection may sit unused before it is checked
# A statement's values stay out of its errors' text, which is logged: they are phones, names and
# NIK hashes as often as ids.
HIDE_PARAMETERS = True


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, schema: str = "") -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database or "")
    if schema and not _SCHEMA.match(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    connect_args: dict[str, Any] = {"options": f"-csearch_path={schema}"} if schema else {}
    engine = create_engine(
        url, connect_args=connect_args, pool_size=10, max_overflow=20, hide_parameters=HIDE_PARAMETERS
    )
    ping_when_idle(engine)
    return engine


def ping_when_idle(engine: Engine, after: float = PING_AFTER) -> None:
    """Check a pooled connection before use only if it sat unused for ``after`` seconds.

    ``pool_pre_ping`` would spend a round trip on every transaction (a sixth of a ticket's). A
    connection that served a moment ago is alive; one that idled may have been closed by a
    server restart or a proxy, and is replaced before the request sees it. A restart in the middle
    of a busy minute fails the statements in flight (refused, nothing committed); SQLAlchemy then
    drops the whole pool."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < after:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("a pooled connection did not answer") from error


def _sqlite_engine(url: str, database: str) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=HIDE_PARAMETERS
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that writers can BEGIN IMMEDIATE: a deferred
        # transaction that reads and then writes fails at once with SQLITE_BUSY under contention
        # instead of waiting its turn.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed on success, rolled back on any error."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def row_of(record: Any) -> dict[str, Any]:
    """A flat dataclass's fields as a row's values (``dataclasses.asdict`` would deep-copy every
    value, for nothing on a hot path: these records hold no mutable values)."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


@overload
def utc(value: dt.datetime) -> dt.datetime: ...
@overload
def utc(value: None) -> None: ...
@overload
def utc(value: dt.datetime | None) -> dt.datetime | None: ...
def utc(value: dt.datetime | None) -> dt.datetime | None:
    """Everything is stored in UTC; SQLite hands datetimes back without their zone. A value in is
    a value out (typed so: a non-null column read through it stays non-null)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def ensure_schema(engine: Engine, schema: str) -> None:
    if engine.dialect.name != "postgresql" or not schema:
        return
    with engine.connect() as conn, conn.begin():
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


# The key of the PostgreSQL advisory lock migrations hold ("antre" in ASCII).
MIGRATION_LOCK = 0x616E747265


def migrate(engine: Engine, migrations_dir: Path, schema: str = "") -> None:
    """Bring the service's schema to the newest Alembic revision.

    Replicas of a service, and its migration Job, may start together on an empty schema; two
    upgrades at once would both create the same tables and one would fail. On PostgreSQL each
    holds an advisory lock while it migrates, so they take turns and the later ones find the
    schema at head."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    with _migration_lock(engine):
        ensure_schema(engine, schema)
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            conn.commit()
