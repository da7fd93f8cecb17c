"""The reports service as a test client on a store (SQLite or a PostgreSQL schema) holding the
known hall day of :mod:`tests.support.visit_day`, with the counters' who-is-this played by
:class:`KnownPeople`. Shared by the report, export and page tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from services.reports.bootstrap import create_app
from services.reports.settings import Settings
from tests.integration.display.display_live import UNREACHABLE_NATS
from tests.support.infra import unique, write_hall
from tests.support.people import KnownPeople
from tests.support.stores import drop_schema, pg_url
from tests.support.visit_day import Day, feed, hall_day

DAY = dt.date(2026, 3, 10)


def settings(backend: str, folder: Path, **more: Any) -> tuple[Settings, str]:
    """The service's settings on ``backend``, and the PostgreSQL schema to drop afterwards."""
    common: dict[str, Any] = {
        "hall_file": write_hall(folder, unique("h")),
        "state_dir": folder,
        "nats_url": UNREACHABLE_NATS,
        **more,
    }
    if backend == "postgresql":
        schema = unique("t_")
        return Settings(**common, database_url=pg_url(), database_schema=schema), schema
    return Settings(**common), ""


@contextmanager
def day_app(backend: str, folder: Path) -> Iterator[tuple[TestClient, Day]]:
    """The app with the known day folded into its record, through the real handler."""
    config, schema = settings(backend, folder)
    try:
        with TestClient(create_app(config)) as client:
            client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
            deps = client.app.state.ctx.deps  # type: ignore[attr-defined]
            day = hall_day(deps.hall, DAY)
            feed(deps, day.events)
            yield client, day
    finally:
        drop_schema(schema)
