"""Migrated, empty stores for one service: a SQLite file, or a fresh PostgreSQL schema."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from antre import db
from tests.support.infra import postgres_url, unique

PG_URL = postgres_url()  # once per test session
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def make_store(backend: str, folder: Path, migrations: Path) -> tuple[Engine, str]:
    if backend == "sqlite":
        engine = db.make_engine(f"sqlite:///{folder / 'store.db'}")
        db.migrate(engine, migrations)
        return engine, ""
    assert PG_URL is not None
    schema = unique("t_")
    engine = db.make_engine(PG_URL, schema)
    db.migrate(engine, migrations, schema)
    return engine, schema


def drop_schema(schema: str) -> None:
    if not schema or PG_URL is None:
        return
    admin = create_engine(db.normalise_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
