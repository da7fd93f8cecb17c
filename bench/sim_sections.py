"""``python -m bench.sim_sections``: where a hall day of :mod:`bench.sim_hallday` spends its time,
in CPU milliseconds of this process per day: drawing the citizens, setting up the day, running
it, and turning it into its figures. Whichever build ``ANTRE_PURE`` selects; run it in two
worktrees alternately to compare two commits step by step.

Printed as one Markdown row for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from antre import build
from antre.hall.model import WEEKDAYS
from bench import sim_hallday
from sim.citizens import draw_day
from sim.model import HallDay, Scenario
from sim.runner import seeds
from sim.stats import day_figures

PARTS = ("draw", "setup", "run", "figures")


def sections(days: int) -> dict[str, float]:
    """Seconds of CPU per day for each part, over ``days`` seeds."""
    hall, demand, day, scenario = sim_hallday.hall(), sim_hallday.demand(), sim_hallday.DAY, Scenario()
    weekday = WEEKDAYS[day.weekday()]
    took = dict.fromkeys(PARTS, 0.0)
    clock = time.process_time
    for seed in seeds(1, days):
        a = clock()
        rng = np.random.default_rng(seed)
        citizens, no_shows = draw_day(demand, weekday, rng)
        b = clock()
        hall_day = HallDay(hall, demand, day, scenario, citizens, no_shows, rng)
        c = clock()
        log = hall_day.run()
        d = clock()
        day_figures(log, hall)
        e = clock()
        for part, spent in zip(PARTS, (b - a, c - b, d - c, e - d), strict=True):
            took[part] += spent
    return {part: spent / days for part, spent in took.items()}


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.sim_sections")
    p.add_argument("--days", type=int, default=300)
    args = p.parse_args()
    load = os.getloadavg()[0]
    took = sections(args.days)
    kind = "compiled" if build.current().compiled else "pure"
    cells = " | ".join(f"{took[part] * 1000:.3f}" for part in PARTS)
    print(f"| build | {' | '.join(PARTS)} | total | load |\n| --- | --- | --- | --- | --- | --- | --- |")
    print(f"| {kind} | {cells} | {sum(took.values()) * 1000:.3f} | {load:.2f} |")


if __name__ == "__main__":
    main()
