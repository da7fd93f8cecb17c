"""How fast a report answers over a year of history for 20 halls (bench/reports_history.py, made
on first use: 7 million visits, 7.4 million legs).

- *a hall's month*: the reports service's own path (:func:`services.reports.handlers.reporting.cut`:
  on PostgreSQL the figures cut by the database), by agency and by service, each of the 20 halls
  in turn, each of the last 6 months in turn; the same from the rows in Python (the reference
  figures, the path SQLite takes) beside it;
- *a hall's monthly report*: the Laporan Bulanan's figures (the totals, by agency, by service, by
  hour, and the survey totals);
- *a month across the 20 halls*: the same database cut over every hall's legs, by agency (the
  service folds one hall, but one database may hold a city's record).

    .venv/bin/python -m bench.reports --runs 30
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

from antre.hall.load import load_hall
from antre.hall.model import Hall
from bench.reports_history import FIRST_DAY, halls, make
from bench.run import pct
from services.reports.adapters import figures_sql
from services.reports.domain.figures import Dimension
from services.reports.handlers import reporting
from tools.hall import KENDARI


def months(count: int) -> list[tuple[dt.date, dt.date]]:
    """The last ``count`` whole months of the history."""
    out = []
    first = FIRST_DAY.replace(day=1)
    for i in range(12 - count, 12):
        start = dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        out.append((start, following - dt.timedelta(days=1)))
    return out


def timed(engine: Engine, runs: int, work: Callable[[Connection, Hall, int], object]) -> list[float]:
    """``work`` on each of the 20 halls and the last 6 months in turn, a connection from the pool."""
    kendari, names, out = load_hall(KENDARI), halls(20), []
    for run in range(runs):
        hall = dataclasses.replace(kendari, id=names[run % len(names)])
        began = time.perf_counter()
        with engine.connect() as conn:
            work(conn, hall, run)
        out.append((time.perf_counter() - began) * 1000)
    return out


def span(run: int) -> tuple[dt.date, dt.date]:
    spans = months(6)
    return spans[run % len(spans)]


def service_path(by: Dimension) -> Callable[[Connection, Hall, int], object]:
    def work(conn: Connection, hall: Hall, run: int) -> object:
        query = reporting.Query(*span(run), by)
        return reporting.assemble(hall, query, reporting.cut(conn, hall, query))

    return work


def python_path(by: Dimension) -> Callable[[Connection, Hall, int], object]:
    def work(conn: Connection, hall: Hall, run: int) -> object:
        query = reporting.Query(*span(run), by)
        return reporting.build(hall, query, reporting.read(conn, hall.id, query))

    return work


def monthly(conn: Connection, hall: Hall, run: int) -> object:
    query = reporting.Query(*span(run), Dimension.AGENCY)
    by = reporting.cut(conn, hall, query)
    figures = [
        by(Dimension.HALL),
        *(reporting.lines(hall, by, d) for d in (Dimension.AGENCY, Dimension.SERVICE, Dimension.HOUR)),
    ]
    return figures, reporting.survey_totals(conn, hall.id, query)


def cross_hall(conn: Connection, hall: Hall, run: int) -> object:
    scope = figures_sql.Scope(tuple(halls(20)), *span(run))
    return figures_sql.grouped(conn, scope, Dimension.AGENCY, reporting.targets(hall))


def line(name: str, ms: list[float]) -> str:
    return f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {pct(ms, 90):.0f} | {max(ms):.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    engine = make(args.url)
    with engine.connect() as conn:
        visits = conn.execute(text("SELECT count(*) FROM visits")).scalar_one()
        legs = conn.execute(text("SELECT count(*) FROM legs")).scalar_one()
    for warm in (service_path(Dimension.AGENCY), python_path(Dimension.AGENCY)):
        timed(engine, 2, warm)  # the cache and the connection pool
    results = [
        (
            "a hall's month by agency (the service's path: cut by PostgreSQL)",
            timed(engine, args.runs, service_path(Dimension.AGENCY)),
        ),
        (
            "a hall's month by service (the service's path: cut by PostgreSQL)",
            timed(engine, args.runs, service_path(Dimension.SERVICE)),
        ),
        (
            "a hall's monthly report: totals, agencies, services, hours, SKM",
            timed(engine, args.runs, monthly),
        ),
        (
            "a hall's month by agency, figures in Python (the reference)",
            timed(engine, max(5, args.runs // 3), python_path(Dimension.AGENCY)),
        ),
        (
            "a month of 20 halls by agency (cut by PostgreSQL)",
            timed(engine, max(5, args.runs // 3), cross_hall),
        ),
    ]
    load = os.getloadavg()[0]
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{visits:,} visits, {legs:,} legs; load average {load:.1f}"
    )
    print("| report | n | p50 ms | p90 ms | max ms |\n|---|---|---|---|---|")
    for name, ms in results:
        print(line(name, ms))


if __name__ == "__main__":
    main()
