"""Database engines and migrations for a service's own store.

Each service owns its database: a SQLite file by default, a PostgreSQL schema in production (the
schema is put on the connection's ``search_path``, so tables and Alembic's version table live in
it and one PostgreSQL database can hold every service without sharing a table).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]*$")
WRITE = "antre_write"


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
    return create_engine(url, connect_args=connect_args, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _sqlite_engine(url: str, database: str) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

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


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """Everything is stored in UTC; SQLite hands datetimes back without their zone."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def ensure_schema(engine: Engine, schema: str) -> None:
    if engine.dialect.name != "postgresql" or not schema:
        return
    with engine.connect() as conn, conn.begin():
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


def migrate(engine: Engine, migrations_dir: Path, schema: str = "") -> None:
    """Bring the service's schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    ensure_schema(engine, schema)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()
