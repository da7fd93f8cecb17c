"""The booking limits' table ``rate_windows`` stays bounded over a simulated week of traffic and
guesses, and the periodic job empties it when the hall goes quiet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from antre.hall.model import Hall
from antre.problems import TooMany
from services.ticketing import handlers
from services.ticketing.adapters.tables import rate_windows
from services.ticketing.bootstrap import MIGRATIONS
from services.ticketing.handlers import limits as booking_limits
from tests.support.deps import ticketing_deps
from tests.support.stores import drop_schema, make_store

MONDAY = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(minutes=30)  # a week of them; the job runs at each (in a hall: every 5 minutes)


@pytest.fixture
def clock() -> list[dt.datetime]:
    return [MONDAY]


@pytest.fixture
def limited(backend: str, tmp_path: Path, kendari: Hall, clock: list[dt.datetime]) -> Iterator[handlers.Deps]:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    yield ticketing_deps(engine, kendari, clock=lambda: clock[0])
    engine.dispose()
    drop_schema(schema)


@pytest.fixture
def week_store(tmp_path: Path, kendari: Hall, clock: list[dt.datetime]) -> Iterator[handlers.Deps]:
    """SQLite only: a week is thousands of transactions, and the delete is the same SQL on both
    backends (the test below runs on each)."""
    engine, _ = make_store("sqlite", tmp_path, MIGRATIONS)
    yield ticketing_deps(engine, kendari, clock=lambda: clock[0])
    engine.dispose()


def windows(deps: handlers.Deps) -> int:
    with deps.uow.read() as conn:
        return int(conn.execute(select(func.count()).select_from(rate_windows)).scalar_one())


def test_rate_windows_stay_bounded_over_a_week_and_empty_when_quiet(
    week_store: handlers.Deps, clock: list[dt.datetime]
) -> None:
    """Every half hour of a week a new client books (a key for the client and one for the phone)
    and another guesses a wrong NIK (counted; a guess never prunes on write). From midnight to
    six the bookings stop and the guesses go on, as a scripted guesser's would."""
    deps, limits = week_store, booking_limits.Limits()
    sizes = []
    for step in range(7 * 24 * 2):
        clock[0] = MONDAY + step * STEP
        if clock[0].hour >= 6:
            booking_limits.limit(deps, f"client:{step}", limits.per_client)
            booking_limits.limit(deps, f"phone:{step}", limits.per_phone)
        booking_limits.count_guess(deps, f"ip:guesser-{step}")
        booking_limits.forget_old_windows(deps)
        sizes.append(windows(deps))

    # A request's window is kept two hours (4 steps and the current one, 2 keys each), a guess's
    # up to three (its hour's start, then two hours): about 16 rows, where a week unpruned holds
    # over 800.
    kept = booking_limits.WINDOWS_KEPT // STEP
    assert max(sizes) <= (kept + 1) * 2 + (kept + 2 + 1)
    assert max(sizes[-48:]) >= kept * 2 + kept  # the day's traffic really was kept that long

    # The hall goes quiet: nothing is written, so only the job deletes; three hours on, all is over.
    for _ in range(6):
        clock[0] += STEP
        booking_limits.forget_old_windows(deps)
    assert windows(deps) == 0


def test_the_job_keeps_the_windows_still_counting(limited: handlers.Deps, clock: list[dt.datetime]) -> None:
    """A key over its limit stays refused across the job: only windows that are over go."""
    for _ in range(5):
        booking_limits.limit(limited, "phone:0812", 5)
    booking_limits.count_guess(limited, "ip:192.0.2.7")
    clock[0] += dt.timedelta(seconds=30)
    assert booking_limits.forget_old_windows(limited) == 0
    limited.throttled.clear()  # another replica, which has not refused this key yet
    with pytest.raises(TooMany):
        booking_limits.limit(limited, "phone:0812", 5)
    assert windows(limited) == 2
