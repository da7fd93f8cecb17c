"""Migrated, empty stores for one service, for the tests and the benchmarks: a SQLite file, or a
fresh PostgreSQL schema."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from antre import db
from tools.hall import unique


def make_store(folder: Path, migrations: Path, url: str | None = None) -> tuple[Engine, str]:
    """A store migrated to head and its schema: on PostgreSQL at ``url`` a schema of its own,
    otherwise a SQLite file in ``folder`` (schema "")."""
    if url is None:
        engine = db.make_engine(f"sqlite:///{folder / 'store.db'}")
        db.migrate(engine, migrations)
        return engine, ""
    schema = unique("t_")
    engine = db.make_engine(url, schema)
    db.migrate(engine, migrations, schema)
    return engine, schema


def drop_schema(url: str, schema: str) -> None:
    admin = create_engine(db.normalise_url(url))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
