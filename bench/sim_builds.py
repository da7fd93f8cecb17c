"""``python -m bench.sim_builds``: the compiled rules against their Python source (``ANTRE_PURE=1``)
on :mod:`bench.sim_hallday`'s hall day and :mod:`bench.forecast`'s busy snapshot.

Each round runs both builds, each in a fresh interpreter, the order swapping every round, and each
times itself in CPU seconds of its own process (``time.process_time``): other work sharing the
cores lengthens wall time a great deal and CPU time far less. The figures are medians over the
rounds; a ratio is the median of each round's ratio. ``--against TREE`` compares two commits
instead: the compiled build of another worktree (say ``git worktree add /tmp/prev HEAD~1``, built
there with ``python setup.py build_ext --inplace``) against this one's, alternately the same way.

Printed as Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

MEASURES = {
    "day": "hall day (citizens drawn, day run)",
    "replicate": "hall day and its figures (`replicate`, 1 core)",
    "forecast": "forecast, 150 waiting, 13 counters, 100 replications",
    "forecast_big": "forecast, 300 waiting, 17 counters, 100 replications",
}


def _child(days: int) -> dict[str, float | str]:
    from antre import build
    from bench import sim_hallday
    from bench.forecast import busy_snapshot
    from sim.forecast import forecast
    from sim.model import Scenario
    from sim.runner import replicate, seeds, simulate

    hall, demand, day, scenario = sim_hallday.hall(), sim_hallday.demand(), sim_hallday.DAY, Scenario()
    pool = seeds(1, days + 1)
    simulate(hall, demand, day, scenario, pool[-1])  # warm-up: imports, caches
    start = time.process_time()
    for sq in pool[:days]:
        simulate(hall, demand, day, scenario, sq)
    per_day = (time.process_time() - start) / days
    start = time.process_time()
    replicate(hall, demand, day, [scenario], days, seed=3, jobs=1)
    per_replicate = (time.process_time() - start) / days
    took: dict[str, list[float]] = {"forecast": [], "forecast_big": []}
    for key, snap in (("forecast", busy_snapshot()), ("forecast_big", busy_snapshot(300, counters=17))):
        forecast(snap, 100)
        for _ in range(5):
            start = time.process_time()
            forecast(snap, 100)
            took[key].append(time.process_time() - start)
    return {
        "build": "compiled" if build.current().compiled else "pure",
        "day": per_day,
        "replicate": per_replicate,
        **{key: statistics.median(times) for key, times in took.items()},
    }


def _run(pure: bool, days: int, tree: str | None = None) -> dict[str, float | str]:
    """One child: this tree's code, or ``tree``'s (another worktree, its own build)."""
    env = {k: v for k, v in os.environ.items() if k != "ANTRE_PURE"}
    if pure:
        env["ANTRE_PURE"] = "1"
    if tree is not None:
        env["PYTHONPATH"] = tree
    cmd = [sys.executable, "-m", "bench.sim_builds", "--child", "--days", str(days)]
    out = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, check=True).stdout
    figures: dict[str, float | str] = json.loads(out.splitlines()[-1])
    return figures


def _load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in load)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.sim_builds")
    p.add_argument("--days", type=int, default=200, help="hall days per measure and round")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--against",
        metavar="TREE",
        help="another worktree (an earlier commit, built in place): its compiled build against this one's",
    )
    args = p.parse_args()
    if args.child:
        print(json.dumps(_child(args.days)))
        return
    load = os.getloadavg()
    # (name, pure?, tree): the slower side first, as the table reads.
    if args.against:
        sides = (("before", False, os.path.abspath(args.against)), ("compiled", False, None))
    else:
        sides = (("pure", True, None), ("compiled", False, None))
    runs: dict[str, list[dict[str, float | str]]] = {name: [] for name, _, _ in sides}
    for i in range(args.rounds):
        for name, pure, tree in sides if i % 2 else sides[::-1]:
            result = _run(pure, args.days, tree)
            if result["build"] != ("pure" if pure else "compiled"):
                raise SystemExit(f"asked for the {name} build, ran {result['build']}")
            runs[name].append(result)
    slow, fast = (name for name, _, _ in sides)
    print(f"{os.cpu_count()} cores; load average (1, 5, 15 min) at the start: {_load(load)}")
    print(f"\n| CPU ms per ({args.rounds} rounds of {args.days} days) | {slow} | {fast} | faster by |")
    print("| --- | --- | --- | --- |")
    for key, what in MEASURES.items():
        if any(key not in r for r in runs[slow]):
            continue  # an earlier tree that does not time it
        slower = [float(r[key]) for r in runs[slow]]
        faster = [float(r[key]) for r in runs[fast]]
        ratio = statistics.median(s / f for s, f in zip(slower, faster, strict=True))
        print(
            f"| {what} | {statistics.median(slower) * 1000:.2f} | {statistics.median(faster) * 1000:.2f} "
            f"| {ratio:.2f}x |"
        )
    print(f"\nLoad average (1, 5, 15 min) at the end: {_load(os.getloadavg())}")


if __name__ == "__main__":
    main()
