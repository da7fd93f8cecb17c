"""PostgreSQL's cut of the figures equals the Python figures, the reference, to the digit: on the
known hall day for every dimension with and without an agency or a service, for the monthly
report, and on a hall of random legs that holds what the known day rarely does (a ticket whose
priority changes on a transfer, legs of a service the hall file no longer names, waits without a
service, empty groups beside full ones). A leg with a value the database's cut does not name
sends the report to the Python figures, which count it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert

from services.reports.adapters import figures_sql
from services.reports.adapters.tables import bookings, legs
from services.reports.domain.figures import CHANNELS, OUTCOMES, PRIORITIES, Dimension
from services.reports.handlers import reporting
from services.reports.handlers.deps import Deps
from tests.integration.reports.day_app import DAY, day_app
from tests.support.people import MANAGER

pytestmark = pytest.mark.usefixtures("needs_postgres")

RANDOM_HALL = "acak"


@pytest.fixture(scope="module")
def deps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deps]:
    running: tuple[TestClient, Any]
    with day_app("postgresql", tmp_path_factory.mktemp("figures-sql")) as running:
        yield running[0].app.state.ctx.deps  # type: ignore[attr-defined]


def both(deps: Deps, query: reporting.Query, hall: str = "") -> tuple[reporting.Report, reporting.Report]:
    """The report cut by PostgreSQL, and the same from the rows in Python."""
    hall_id = hall or deps.hall.id
    scope = figures_sql.Scope((hall_id,), query.start, query.end, query.agency, query.service)
    with deps.uow.read() as conn:
        database = reporting.assemble(deps.hall, query, reporting.database_cut(conn, deps.hall, query, scope))
        rows = reporting.read(conn, hall_id, query)
    return database, reporting.build(deps.hall, query, rows)


@pytest.mark.parametrize("by", list(Dimension))
@pytest.mark.parametrize("narrow", ["", "agency", "service"])
def test_the_database_cuts_the_known_day_as_the_python_figures(
    deps: Deps, by: Dimension, narrow: str
) -> None:
    service = deps.hall.services[1]
    agency = service.agency if narrow else ""
    query = reporting.Query(DAY, DAY, by, agency, service.code if narrow == "service" else "")
    database, python = both(deps, query)
    assert python.totals.queued > 0
    assert database == python


def test_the_monthly_report_is_the_same_on_both_paths(deps: Deps) -> None:
    query = reporting.ask_month(deps.hall, MANAGER, DAY, DAY.strftime("%Y-%m"))
    month = reporting.monthly(deps, query)  # PostgreSQL's cut
    with deps.uow.read() as conn:
        rows = reporting.read(conn, deps.hall.id, query)
    python = reporting.rows_cut(deps.hall, query, rows)
    assert month.totals == python(Dimension.HALL)[""] and month.totals.visits > 0
    assert month.agencies == reporting.lines(deps.hall, python, Dimension.AGENCY)
    assert month.services == reporting.lines(deps.hall, python, Dimension.SERVICE)
    assert month.hours == reporting.lines(deps.hall, python, Dimension.HOUR)


def random_legs(deps: Deps, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    draw = random.Random(seed)
    services = [(s.code, s.agency) for s in deps.hall.services] + [("layanan-lama", "instansi-lama")]
    at = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)
    leg_rows, booking_rows = [], []
    for t in range(900):
        day = dt.date(2026, 3, 2) + dt.timedelta(days=draw.randrange(3))
        channel = draw.choice(CHANNELS)
        for n in range(draw.choice([1, 1, 1, 2, 3])):
            service, agency = draw.choice(services)
            outcome = draw.choice([*OUTCOMES[:-1], "waiting", "called", "serving", "held"])
            called = outcome not in ("waiting", "cancelled") and draw.random() < 0.9
            leg_rows.append(
                {
                    "ticket_id": f"{RANDOM_HALL}-{t}",
                    "leg": n,
                    "hall": RANDOM_HALL,
                    "day": day,
                    "hour": draw.randrange(7, 16),
                    "service": service,
                    "agency": agency,
                    "channel": channel,
                    "priority": draw.choice(PRIORITIES),  # may change from one leg to the next
                    "queued_at": at,
                    "recalls": 0,
                    "counter": draw.randrange(1, 9) if called else None,
                    "officer": f"petugas-{draw.randrange(6)}" if called else "",
                    "outcome": outcome,
                    "transferred_to": "",
                    "wait_seconds": draw.randrange(0, 5400) if called else None,
                    "service_seconds": draw.randrange(30, 3600) if called and draw.random() < 0.8 else None,
                }
            )
        if draw.random() < 0.3:
            service, agency = draw.choice(services)
            booking_rows.append(
                {
                    "booking_id": f"{RANDOM_HALL}-b{t}",
                    "hall": RANDOM_HALL,
                    "day": day,
                    "service": service,
                    "agency": agency,
                    "channel": "online",
                    "session_start": at,
                    "created_at": at,
                    "state": draw.choice(["booked", "checked_in", "no_show", "cancelled"]),
                    "late": 0,
                    "ticket_id": "",
                }
            )
    return leg_rows, booking_rows


@pytest.fixture
def random_hall(deps: Deps) -> Iterator[None]:
    leg_rows, booking_rows = random_legs(deps, seed=7)
    with deps.uow.engine.begin() as conn:
        conn.execute(insert(legs), leg_rows)
        conn.execute(insert(bookings), booking_rows)
    yield
    with deps.uow.engine.begin() as conn:
        conn.execute(delete(legs).where(legs.c.hall == RANDOM_HALL))
        conn.execute(delete(bookings).where(bookings.c.hall == RANDOM_HALL))


@pytest.mark.usefixtures("random_hall")
@pytest.mark.parametrize("by", list(Dimension))
def test_the_database_cuts_random_legs_as_the_python_figures(deps: Deps, by: Dimension) -> None:
    query = reporting.Query(dt.date(2026, 3, 1), dt.date(2026, 3, 31), by)
    database, python = both(deps, query, RANDOM_HALL)
    assert python.totals.visits == 900
    assert database == python


def test_a_value_the_database_does_not_name_is_counted_the_python_way(deps: Deps) -> None:
    query = reporting.Query(DAY, DAY, Dimension.SERVICE)
    before = reporting.report(deps, query)
    odd = {c.name: None for c in legs.c} | {
        "ticket_id": "ganjil",
        "leg": 0,
        "hall": deps.hall.id,
        "day": DAY,
        "hour": 9,
        "service": deps.hall.services[0].code,
        "agency": deps.hall.services[0].agency,
        "channel": "walk_in",
        "priority": "none",
        "queued_at": dt.datetime(2026, 3, 10, 1, tzinfo=dt.UTC),
        "recalls": 0,
        "officer": "",
        "outcome": "lost_in_time",  # no outcome the record writes
        "transferred_to": "",
        "away_seconds": 0,
    }
    with deps.uow.engine.begin() as conn:
        conn.execute(insert(legs), [odd])
    try:
        with deps.uow.read() as conn, pytest.raises(figures_sql.Unexpected):
            figures_sql.grouped(
                conn,
                figures_sql.Scope((deps.hall.id,), DAY, DAY),
                Dimension.HALL,
                reporting.targets(deps.hall),
            )
        after = reporting.report(deps, query)
        assert after.totals.queued == before.totals.queued + 1
        assert after.totals.outcomes["lost_in_time"] == 1
    finally:
        with deps.uow.engine.begin() as conn:
            conn.execute(delete(legs).where(legs.c.ticket_id == "ganjil"))
