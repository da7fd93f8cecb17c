"""The whole hall as processes: four services under uvicorn, one NATS, PostgreSQL when the
environment provides it (else SQLite files)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.hall import RunningHall


@pytest.fixture
def start_hall(tmp_path: Path, nats_url: str, pg_url: str | None) -> Iterator[Callable[..., RunningHall]]:
    halls: list[RunningHall] = []

    def start(
        *services: str, nats: str | None = None, extra_env: dict[str, str] | None = None, **overrides: Any
    ) -> RunningHall:
        names = services or ("ticketing", "counters", "display", "notify")
        hall = RunningHall(tmp_path, nats or nats_url, pg_url, names, extra_env, **overrides)
        halls.append(hall)
        return hall.start()

    yield start
    for hall in halls:
        hall.stop()
