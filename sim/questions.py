"""The questions the twin answers, each a function from a hall, a demand and a day to an answer.

- :func:`compare`: policies side by side on common random numbers, with paired differences.
- :func:`staff`: the fewest counters per agency and hour that keep p90 wait under a target.
- :func:`cutoff`: the latest time a new ticket is still likely to be called before closing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from antre.hall.model import WEEKDAYS, Hall
from sim.demand import Demand, Profile, agency_counters, opening_order
from sim.model import BLENDS, DISPATCHES, Scenario
from sim.progress import Progress
from sim.runner import replicate, seeds, simulate
from sim.stats import Estimate, paired, summarise

UNSERVED_SLACK = 0.5  # citizens of an hour a staffing cut may add to those not served, a day's mean


@dataclass(frozen=True)
class Comparison:
    scenarios: tuple[Scenario, ...]
    summaries: tuple[dict[str, Estimate], ...]
    # key -> per scenario after the first: the paired difference to the first
    differences: dict[str, tuple[Estimate, ...]]


COMPARED = ("hall|all|wait_mean", "hall|all|wait_p90", "hall|all|reneged", "hall|all|stay_mean")


def compare(
    hall: Hall,
    demand: Demand,
    day: dt.date,
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    jobs: int = 0,
    progress: Progress | None = None,
) -> Comparison:
    runs = replicate(hall, demand, day, scenarios, replications, seed, jobs, progress)
    keys = sorted(
        {k for k in runs[0][0] if k.startswith(("hall|", "agency|")) and "wait" in k} | set(COMPARED)
    )
    diffs = {k: tuple(paired(runs[0], run, k) for run in runs[1:]) for k in keys}
    return Comparison(tuple(scenarios), tuple(summarise(r) for r in runs), diffs)


def scenario_named(name: str) -> Scenario:
    """``dispatch+blend`` (``priority_lane+near_slot``); ``hall`` for either keeps the hall file's."""
    dispatch, _, blend = name.partition("+")
    if dispatch not in (*DISPATCHES, "hall") or blend not in (*BLENDS, "hall"):
        raise ValueError(
            f"kebijakan tidak dikenal {name!r}: dispatch+blend, dispatch {'/'.join(DISPATCHES)}, "
            f"blend {'/'.join(BLENDS)} / unknown policy {name!r}: expected dispatch+blend"
        )
    return Scenario(
        name, dispatch=None if dispatch == "hall" else dispatch, blend=None if blend == "hall" else blend
    )


def default_scenarios() -> list[Scenario]:
    """The hall file's own rules first, then every dispatch with every blend."""
    return [Scenario("hall+hall")] + [scenario_named(f"{d}+{b}") for d in DISPATCHES for b in BLENDS]


@dataclass(frozen=True)
class StaffPlan:
    target_minutes: float
    plan: dict[str, dict[int, int]]  # agency -> hour -> counters open
    available: dict[str, int]
    order: dict[str, list[int]]  # which counters a number opens: the first n (opening_order)
    unreachable: dict[str, list[int]]  # hours whose p90 exceeds the target even with every counter
    summary: dict[str, Estimate]  # the day under the plan


def staff(
    hall: Hall,
    demand: Demand,
    day: dt.date,
    target_minutes: float,
    replications: int,
    seed: int,
    base: Scenario | None = None,
    jobs: int = 0,
    progress: Progress | None = None,
) -> StaffPlan:
    """Hour by hour from opening, take one counter away from every agency still reducible, keep
    the cut where no hour of that agency that met the target with every counter now misses it
    and no hour's citizens go unserved (reneged or still waiting at closing) more than with every
    counter, within :data:`UNSERVED_SLACK`; an hour that missed the target even so keeps every
    counter.
    Agencies are cut together (one simulation per step) since they share only the journeys; later
    hours stay fully staffed while an hour is decided, and all hours are re-checked every step,
    because a cut at 09:00 lengthens the queue at 10:00 too. Every step reuses the same seeds."""
    base = base or Scenario()
    span = hall.hours.on(day)
    if span is None:
        raise ValueError("the hall is closed on that day")
    hours = list(range(span.open.hour, math.ceil((span.close.hour * 60 + span.close.minute) / 60)))
    weekday = WEEKDAYS[day.weekday()]
    agencies = [a.code for a in hall.agencies if agency_counters(hall, a.code)]
    available = {a: len(agency_counters(hall, a)) for a in agencies}
    plan = {a: {h: available[a] for h in hours} for a in agencies}

    def run(p: dict[str, dict[int, int]], step: str) -> dict[str, Estimate]:
        staffing: dict[str, Profile] = {a: {weekday: {h: float(n) for h, n in p[a].items()}} for a in p}
        shown = (lambda done, total: progress(done, total, step)) if progress else None
        return summarise(
            replicate(hall, demand, day, [replace(base, staffing=staffing)], replications, seed, jobs, shown)[
                0
            ]
        )

    def mean(summary: dict[str, Estimate], agency: str, hour: int, figure: str) -> float:
        est = summary.get(f"agency_hour|{agency}@{hour:02d}|{figure}")
        return 0.0 if est is None or math.isnan(est.mean) else est.mean

    def p90(summary: dict[str, Estimate], agency: str, hour: int) -> float:
        return mean(summary, agency, hour, "wait_p90")

    def unserved(summary: dict[str, Estimate], agency: str, hour: int) -> float:
        """Citizens of the hour not served, a day's mean: a day where none were has no such
        figure (the estimate's ``n`` counts the days that have it)."""
        total = 0.0
        for outcome in ("reneged", "left_at_close"):
            est = summary.get(f"agency_hour|{agency}@{hour:02d}|{outcome}")
            if est is not None and est.n:
                total += est.mean * est.n / replications
        return total

    def holds(result: dict[str, Estimate], agency: str) -> bool:
        """The cut keeps every hour that met the target under it, and sends no hour's citizens
        home unserved more than every counter does: waits are those of citizens served, so a
        cut that leaves people waiting at closing would otherwise look like a shorter wait."""
        return all(p90(result, agency, h) <= target_minutes for h in meets[agency]) and all(
            unserved(result, agency, h) <= unserved(full, agency, h) + UNSERVED_SLACK for h in hours
        )

    full = run(plan, "semua loket / every counter")
    meets = {a: [h for h in hours if p90(full, a, h) <= target_minutes] for a in agencies}
    unreachable = {a: [h for h in hours if h not in meets[a]] for a in agencies}
    summary = full
    for i, hour in enumerate(hours):
        # An hour that misses the target with every counter keeps them all: a cut there could
        # only lengthen the wait the plan already cannot hold.
        open_ = [a for a in agencies if plan[a][hour] > 0 and hour in meets[a]]
        while open_:
            trial = {a: dict(plan[a]) for a in agencies}
            for a in open_:
                trial[a][hour] -= 1
            result = run(trial, f"{hour:02d}:00 ({i + 1}/{len(hours)})")
            kept = [a for a in open_ if holds(result, a)]
            for a in kept:
                plan[a][hour] -= 1
            if kept == open_:
                summary = result
            open_ = [a for a in kept if plan[a][hour] > 0]
    if summary is not full:
        summary = run(plan, "rencana / the plan")
    order = {a: opening_order(hall, a) for a in agencies}
    return StaffPlan(target_minutes, plan, available, order, unreachable, summary)


@dataclass(frozen=True)
class Cutoff:
    level: float
    close: str
    latest: dict[str, str | None]  # agency -> HH:MM, None: not even at opening
    curve: dict[str, list[tuple[str, float]]]  # agency -> (join time, P(called before closing))


def cutoff(
    hall: Hall,
    demand: Demand,
    day: dt.date,
    replications: int,
    seed: int,
    level: float = 0.9,
    step_minutes: int = 10,
    base: Scenario | None = None,
    progress: Progress | None = None,
) -> Cutoff:
    """Issue tickets until closing (cutoff 0) and ask, for each join time, how likely a ticket is
    to be called before closing; the answer is the last time that likelihood is still ``level``."""
    scenario = replace(base or Scenario(), cutoff_minutes=0)
    agency_of = {s.code: s.agency for s in hall.services}
    step = step_minutes * 60.0
    counts: dict[str, dict[int, list[int]]] = {}
    close_s = 0.0
    for i, sq in enumerate(seeds(seed, replications)):
        log = simulate(hall, demand, day, scenario, sq)
        if progress:
            progress(i + 1, replications)
        close_s = log.close_s
        for code, joined, called, outcome in log.visits:
            cell = counts.setdefault(agency_of[code], {}).setdefault(int(joined // step), [0, 0])
            cell[0] += 1
            cell[1] += int(outcome == "served" and called < log.close_s)
    latest: dict[str, str | None] = {}
    curve: dict[str, list[tuple[str, float]]] = {}
    for agency, cells in counts.items():
        points = [(b * step, served / n) for b, (n, served) in sorted(cells.items()) if n >= 3]
        curve[agency] = [(_hhmm(t), round(p, 3)) for t, p in points]
        good = [t for t, p in points if p >= level and t < close_s]
        latest[agency] = _hhmm(max(good) + step) if good else None
    return Cutoff(level, _hhmm(close_s), latest, curve)


def _hhmm(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"
