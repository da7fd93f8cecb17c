"""Migrated, empty stores for one service: a SQLite file, or a fresh PostgreSQL schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from antre import db
from tests.support.infra import postgres_url, unique

# Both, always: a PostgreSQL case without a PostgreSQL skips when its store is made, so no
# container is started while tests are collected.
BACKENDS = ["sqlite", "postgresql"]


def pg_url() -> str | None:
    return postgres_url()


def require_pg() -> str:
    """The PostgreSQL URL, or skip the test that needs one (CI always gives one)."""
    url = postgres_url()
    if url is None:
        pytest.skip("needs PostgreSQL: set ANTRE_TEST_DATABASE_URL, or run a Docker engine")
    return url


def make_store(backend: str, folder: Path, migrations: Path) -> tuple[Engine, str]:
    if backend == "sqlite":
        engine = db.make_engine(f"sqlite:///{folder / 'store.db'}")
        db.migrate(engine, migrations)
        return engine, ""
    url = require_pg()
    schema = unique("t_")
    engine = db.make_engine(url, schema)
    db.migrate(engine, migrations, schema)
    return engine, schema


def drop_schema(schema: str) -> None:
    url = pg_url()
    if not schema or url is None:
        return
    admin = create_engine(db.normalise_url(url))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
