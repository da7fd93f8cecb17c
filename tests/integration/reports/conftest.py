"""Reports' factories for integration tests: a migrated store (SQLite file or PostgreSQL schema),
the handlers' dependencies on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from antre.hall.model import Hall
from antre.uow import UnitOfWork
from services.reports import handlers
from services.reports.adapters.tables import outbox
from services.reports.bootstrap import MIGRATIONS
from services.reports.metrics import Metrics
from tests.support.stores import drop_schema, make_store

NOW = dt.datetime(2026, 3, 11, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Engine]:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    yield engine
    engine.dispose()
    drop_schema(schema)


@pytest.fixture
def deps(store: Engine, kendari: Hall) -> handlers.Deps:
    return handlers.Deps(
        hall=kendari, uow=UnitOfWork(store, outbox, lambda: NOW), metrics=Metrics(CollectorRegistry())
    )
