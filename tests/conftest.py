"""Fixtures for every ring: the hall file, database backends and a NATS JetStream server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from antre import db
from antre.hall.load import load_hall
from antre.hall.model import Hall
from tests.support.infra import KENDARI, NatsServer, postgres_url, unique

_PG = postgres_url()
BACKENDS = ["sqlite"] + (["postgresql"] if _PG else [])


@pytest.fixture(scope="session")
def kendari() -> Hall:
    return load_hall(KENDARI)


@pytest.fixture(scope="session")
def pg_url() -> str | None:
    return _PG


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("ANTRE_TEST_NATS_URL")
    if url:
        yield url
        return
    server = NatsServer(tmp_path_factory.mktemp("nats")).start()
    yield server.url
    server.stop()


def make_store(backend: str, folder: Path, migrations: Path) -> tuple[Engine, str]:
    """A migrated, empty store for one service: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        engine = db.make_engine(f"sqlite:///{folder / 'store.db'}")
        db.migrate(engine, migrations)
        return engine, ""
    assert _PG is not None
    schema = unique("t_")
    engine = db.make_engine(_PG, schema)
    db.migrate(engine, migrations, schema)
    return engine, schema


def drop_schema(schema: str) -> None:
    if not schema or _PG is None:
        return
    admin = create_engine(db.normalise_url(_PG))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
