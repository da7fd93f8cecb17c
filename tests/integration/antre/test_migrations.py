"""Each service's migrations build exactly the tables its code declares, on SQLite and
PostgreSQL, and run again without change (a restart migrates nothing)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from antre import db
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
