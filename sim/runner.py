"""Replications: seeds, parallel workers and the day a replication simulates.

Replication ``i`` of every scenario draws from child ``i`` of one :class:`numpy.random.SeedSequence`,
so results do not depend on how many workers ran them or in which order (determinism), and two
scenarios on one seed meet the same citizens (common random numbers).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from antre.hall.model import WEEKDAYS, Hall
from sim.citizens import draw_day
from sim.demand import Demand
from sim.model import DayLog, HallDay, Scenario
from sim.stats import Figures, day_figures


def simulate(
    hall: Hall, demand: Demand, day: dt.date, scenario: Scenario, seed: np.random.SeedSequence
) -> DayLog:
    rng = np.random.default_rng(seed)
    citizens, no_shows = draw_day(demand, WEEKDAYS[day.weekday()], rng)
    return HallDay(hall, demand, day, scenario, citizens, no_shows, rng).run()


_shared: tuple[Hall, Demand, dt.date, Sequence[Scenario]] | None = None


def _share(hall: Hall, demand: Demand, day: dt.date, scenarios: Sequence[Scenario]) -> None:
    """A worker's copy of what every replication shares, sent once instead of with each day."""
    global _shared
    _shared = (hall, demand, day, scenarios)


def _one(item: tuple[int, np.random.SeedSequence]) -> Figures:
    assert _shared is not None
    hall, demand, day, scenarios = _shared
    scenario, seed = item
    return day_figures(simulate(hall, demand, day, scenarios[scenario], seed), hall)


def seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(replications)


def replicate(
    hall: Hall,
    demand: Demand,
    day: dt.date,
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int = 2026,
    jobs: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[Figures]]:
    """Figures per scenario per replication, in replication order. ``jobs`` 0: one worker per core."""
    work = [(i, sq) for i in range(len(scenarios)) for sq in seeds(seed, replications)]
    jobs = jobs or os.cpu_count() or 1
    results: list[Figures] = []
    if jobs == 1 or len(work) < 8:
        _share(hall, demand, day, scenarios)
        for i, item in enumerate(work):
            results.append(_one(item))
            if progress:
                progress(i + 1, len(work))
    else:
        shared = (hall, demand, day, tuple(scenarios))
        with ProcessPoolExecutor(max_workers=jobs, initializer=_share, initargs=shared) as pool:
            # Small chunks: a day is a few milliseconds, so the last chunks decide when the
            # slowest worker finishes; sending a seed costs far less than an idle core.
            chunk = max(1, min(8, len(work) // (jobs * 16)))
            for i, figures in enumerate(pool.map(_one, work, chunksize=chunk)):
                results.append(figures)
                if progress:
                    progress(i + 1, len(work))
    return [results[i * replications : (i + 1) * replications] for i in range(len(scenarios))]


def next_weekday(name: str, start: dt.date | None = None) -> dt.date:
    """The first date on or after ``start`` that falls on the weekday ``name``."""
    start = start or dt.date(2026, 3, 2)  # a Monday with no holiday near it: a reproducible default
    return start + dt.timedelta(days=(WEEKDAYS.index(name) - start.weekday()) % 7)
