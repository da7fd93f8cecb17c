"""``make bench-sim``: the twin's speed on the three-agency hall day of :mod:`bench.sim_hallday`.

1. Per simulated day, side by side in this one process: Antre's twin (citizens drawn, day run
   through the live rules), the Ciw model and the SimPy model, each over the same number of days
   after one warm-up day; the ratios are Ciw / Antre and SimPy / Antre.
2. 1,000 hall days with Antre's twin: the bare days on one core, and ``sim.runner.replicate``
   (each day also turned into its figures: waits, percentiles, utilisation per hour) on one core
   and on every core.

Printed as Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

from bench import sim_ciw, sim_hallday, sim_simpy
from sim.model import Scenario
from sim.runner import replicate, seeds, simulate


def _per_day(run: Callable[[int], object], days: int) -> float:
    run(10**6)  # warm-up: imports, caches
    start = time.perf_counter()
    for i in range(days):
        run(i)
    return (time.perf_counter() - start) / days


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.sim")
    p.add_argument("--days", type=int, default=200, help="days per model for the side-by-side")
    p.add_argument("--many", type=int, default=1000, help="hall days for the replication figures")
    args = p.parse_args()
    load = os.getloadavg()  # the figures are only as steady as the machine: say how busy it was
    hall, demand, day = sim_hallday.hall(), sim_hallday.demand(), sim_hallday.DAY
    scenario = Scenario()
    pool = seeds(1, max(args.days, args.many) + 1)

    def antre(i: int) -> object:
        return simulate(hall, demand, day, scenario, pool[i % len(pool)])

    per = {
        "Antre": _per_day(antre, args.days),
        "Ciw": _per_day(sim_ciw.day, args.days),
        "SimPy": _per_day(sim_simpy.day, args.days),
    }
    cores = os.cpu_count() or 1
    machine = platform.processor() or platform.machine()
    print(f"Machine: {machine}, {cores} cores, Python {platform.python_version()}")
    print("Load average (1, 5, 15 min) at the start: {:.2f} {:.2f} {:.2f}".format(*load))
    print(f"\n| model | ms per hall day ({args.days} days) | Antre is faster by |\n| --- | --- | --- |")
    for name, seconds in per.items():
        ratio = "-" if name == "Antre" else f"{seconds / per['Antre']:.1f}x"
        print(f"| {name} | {seconds * 1000:.2f} | {ratio} |")

    start = time.perf_counter()
    for sq in seeds(2, args.many):
        simulate(hall, demand, day, scenario, sq)
    bare = time.perf_counter() - start
    timings = {}
    for jobs in (1, cores):
        start = time.perf_counter()
        replicate(hall, demand, day, [scenario], args.many, seed=3, jobs=jobs)
        timings[jobs] = time.perf_counter() - start
    print(f"\n| {args.many} hall days | seconds |\n| --- | --- |")
    print(f"| days only, 1 core | {bare:.2f} |")
    print(f"| days and their figures (`replicate`), 1 core | {timings[1]:.2f} |")
    print(f"| days and their figures (`replicate`), {cores} cores | {timings[cores]:.2f} |")
    print("\nLoad average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
