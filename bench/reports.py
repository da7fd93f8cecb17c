"""How fast a report answers over a year of history for 20 halls (bench/reports_history.py, made
on first use: 7 million visits, 7.4 million legs).

- *a hall's month*: the reports service's own path (:mod:`services.reports.handlers.reporting`:
  one read per table, the figures in Python), by agency and by service, each of the 20 halls in
  turn, each of the last 6 months in turn;
- *a month across the 20 halls*: what the database alone takes to cut one month of every hall
  by agency with exact percentiles (GROUP BY with percentile_disc), the floor of any exact
  cross-hall report on this machine (the service does not offer one yet).

    .venv/bin/python -m bench.reports --runs 30
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time

from sqlalchemy import Engine, text

from antre.hall.load import load_hall
from bench.reports_history import FIRST_DAY, halls, make
from bench.run import pct
from services.reports.domain.figures import Dimension
from services.reports.handlers import reporting
from tests.support.infra import KENDARI

CROSS_HALL = """
SELECT agency, count(*), avg(wait_seconds),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY wait_seconds),
       percentile_disc(0.9) WITHIN GROUP (ORDER BY wait_seconds),
       avg(service_seconds) FILTER (WHERE outcome = 'served'),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY service_seconds) FILTER (WHERE outcome = 'served'),
       percentile_disc(0.9) WITHIN GROUP (ORDER BY service_seconds) FILTER (WHERE outcome = 'served'),
       count(*) FILTER (WHERE outcome = 'no_show')
FROM legs WHERE day BETWEEN :start AND :end GROUP BY agency
"""


def months(count: int) -> list[tuple[dt.date, dt.date]]:
    """The last ``count`` whole months of the history."""
    out = []
    first = FIRST_DAY.replace(day=1)
    for i in range(12 - count, 12):
        start = dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        out.append((start, following - dt.timedelta(days=1)))
    return out


def hall_month(engine: Engine, runs: int) -> dict[str, list[float]]:
    hall = load_hall(KENDARI)
    timings: dict[str, list[float]] = {"agency": [], "service": []}
    names, spans = halls(20), months(6)
    for run in range(runs):
        for by in (Dimension.AGENCY, Dimension.SERVICE):
            start, end = spans[run % len(spans)]
            query = reporting.Query(start, end, by)
            began = time.perf_counter()
            with engine.connect() as conn:
                rows = reporting.read(conn, names[run % len(names)], query)
            reporting.build(hall, query, rows)
            timings[by.value].append((time.perf_counter() - began) * 1000)
    return timings


def cross_hall(engine: Engine, runs: int) -> list[float]:
    spans, out = months(6), []
    for run in range(runs):
        start, end = spans[run % len(spans)]
        began = time.perf_counter()
        with engine.connect() as conn:
            conn.execute(text(CROSS_HALL), {"start": start, "end": end}).all()
        out.append((time.perf_counter() - began) * 1000)
    return out


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
    hall_month(engine, 2)  # warm the cache and the connection pool
    timings = hall_month(engine, args.runs)
    across = cross_hall(engine, max(5, args.runs // 3))
    load = os.getloadavg()[0]
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{visits:,} visits, {legs:,} legs; load average {load:.1f}"
    )
    print("| report | n | p50 ms | p90 ms | max ms |\n|---|---|---|---|---|")
    print(line("a hall's month by agency (the service's path)", timings["agency"]))
    print(line("a hall's month by service (the service's path)", timings["service"]))
    print(line("a month of 20 halls by agency (the database alone)", across))


if __name__ == "__main__":
    main()
