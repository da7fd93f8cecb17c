"""Each service's migrations build exactly the tables its code declares, on SQLite and
PostgreSQL, and run again without change (a restart migrates nothing)."""

from __future__ import annotations

import importlib
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from antre import db
from tests.support.infra import unique
from tests.support.stores import drop_schema, make_store

SERVICES = ["ticketing", "counters", "display", "notify"]


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_the_tables(service: str, backend: str, tmp_path: Path) -> None:
    tables = importlib.import_module(f"services.{service}.adapters.tables")
    migrations = Path("services") / service / "migrations"
    engine, schema = make_store(backend, tmp_path, migrations)
    try:
        db.migrate(engine, migrations, schema)  # twice: nothing to do
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
        assert diff == []
    finally:
        engine.dispose()
        drop_schema(schema)


def test_replicas_starting_together_migrate_one_at_a_time(needs_postgres: str) -> None:
    """Two pods of a service, or a pod and the migration Job, start at once on an empty schema:
    every one of them comes up, and the schema is migrated once."""
    schema = unique("t_")
    migrations = Path("services") / "counters" / "migrations"
    engines = [db.make_engine(needs_postgres, schema) for _ in range(4)]
    start = threading.Barrier(len(engines))

    def start_up(engine: Engine) -> None:
        start.wait()
        db.migrate(engine, migrations, schema)

    try:
        with ThreadPoolExecutor(len(engines)) as pool:
            for done in [pool.submit(start_up, engine) for engine in engines]:
                done.result()  # raises what a start-up raised
        with engines[0].connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        for engine in engines:
            engine.dispose()
        drop_schema(schema)
