"""Migrated, empty stores for one service: a SQLite file, or a fresh PostgreSQL schema (made by
tools/stores.py, which the benchmarks use too) when the tests have a PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.support.infra import postgres_url
from tools import stores

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
    return stores.make_store(folder, migrations, require_pg() if backend == "postgresql" else None)


def drop_schema(schema: str) -> None:
    url = pg_url()
    if not schema or url is None:
        return
    stores.drop_schema(url, schema)
