"""Figures of one simulated day, and their means with 95% confidence intervals over replications.

A day's figures are a flat ``{key: value}`` map with keys ``scope|name|metric``: scopes are
``hall``, ``agency``, ``service``, ``hour`` (``09``) and ``agency_hour`` (``dukcapil@09``); waits
and stays are in minutes. Flat keys keep replications, JSON and comparisons one simple shape.
A figure a replication cannot have (no one served in that hour) is NaN and left out of its mean.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from antre.hall.model import Hall
from sim.model import DayLog

Figures = dict[str, float]
WAIT_METRICS = ("wait_mean", "wait_p50", "wait_p90", "wait_p95", "wait_max")


def _percentile(ordered: list[float], q: float) -> float:
    """numpy's default (``linear``) percentile of sorted values, step by step as numpy takes it
    (virtual index ``(n - 1) q``, then its ``_lerp``), so the figures are the same to the bit
    without numpy's per-call overhead, which dominated a day's figures."""
    n = len(ordered)
    index = (n - 1) * q
    below = math.floor(index)
    if below >= n - 1:
        return ordered[-1]
    a, b = ordered[below], ordered[below + 1]
    t = index - below
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def _waits(out: Figures, key: str, waits: list[float]) -> None:
    """``waits`` in minutes, in visit order (the mean's summation order is numpy's over it)."""
    if not waits:
        return
    n = len(waits)
    ordered = sorted(waits)
    out[f"{key}|wait_mean"] = float(np.add.reduce(np.array(waits))) / n
    out[f"{key}|wait_p50"] = _percentile(ordered, 0.5)
    out[f"{key}|wait_p90"] = _percentile(ordered, 0.9)
    out[f"{key}|wait_p95"] = _percentile(ordered, 0.95)
    out[f"{key}|wait_max"] = ordered[-1]
    out[f"{key}|p_wait"] = (n - bisect_right(ordered, 0.0)) / n


def day_figures(log: DayLog, hall: Hall) -> Figures:
    agency_of = {s.code: s.agency for s in hall.services}
    # Visits are grouped by (service, hour, outcome): the five keys each one counts under are
    # made once per group, not once per visit. A group is made at its first visit, so the keys
    # enter the map in the order the visits first name them.
    counts: dict[str, float] = {}
    groups: dict[tuple[str, float, str], _Group] = {}
    waits: dict[str, list[float]] = {}
    served: dict[tuple[str, float], list[list[float]]] = {}  # -> the wait lists a visit joins
    for code, joined, called, outcome in log.visits:
        hour = joined // 3600
        group = groups.get((code, hour, outcome))
        if group is None:
            group = groups[code, hour, outcome] = _group(counts, agency_of[code], code, hour, outcome)
        group.visits += 1
        if outcome == "served":
            lists = served.get((code, hour))
            if lists is None:
                lists = served[code, hour] = [
                    waits.setdefault(key, []) for key in _keys(agency_of[code], code, hour)
                ]
            wait = (called - joined) / 60.0
            for values in lists:
                values.append(wait)
    for group in groups.values():
        for key in group.keys:
            counts[key] += group.visits
    out: Figures = {}
    for code in agency_of:  # zero counts are facts too, not missing figures
        for key in ("hall|all", f"agency|{agency_of[code]}", f"service|{code}"):
            for outcome in ("served", "reneged", "left_at_close"):
                out.setdefault(f"{key}|{outcome}", 0.0)
            no_show, refused = f"{key}|no_show", f"{key}|refused"
            counts[no_show] = counts.get(no_show, 0.0) + log.no_shows.get(code, 0)
            counts[refused] = counts.get(refused, 0.0) + log.refused.get(code, 0)
    out |= counts
    for key, values in waits.items():
        _waits(out, key, values)
    if log.stays:
        stays = np.asarray(log.stays) / 60.0
        out["hall|all|stay_mean"] = float(stays.mean())
        out["hall|all|stay_p90"] = _percentile(sorted(stays.tolist()), 0.9)
    busy: dict[str, float] = defaultdict(float)
    open_: dict[str, float] = defaultdict(float)
    for desk in log.desks:
        opened = sum(desk.open_s, 0.0)  # a float start: compiled, sum's type is its start's
        if opened > 0:
            out[f"counter|{desk.number}|utilisation"] = sum(desk.busy_s, 0.0) / opened
        for h in range(24):  # not ``hour``: compiled, a name keeps one type (``hour`` above is a float)
            if desk.open_s[h] > 0:
                agency_hour = f"agency_hour|{desk.agency}@{_two(h)}"
                for key in (agency_hour, f"agency|{desk.agency}", "hall|all"):
                    busy[key] += desk.busy_s[h]
                    open_[key] += desk.open_s[h]
                counters_open = f"{agency_hour}|counters_open"
                out[counters_open] = out.get(counters_open, 0.0) + desk.open_s[h] / 3600
    for key, total in open_.items():
        out[f"{key}|utilisation"] = busy[key] / total
    per_agency: dict[str, list[int]] = {}  # queue lengths summed over each agency's services
    for code, lengths in log.queue_lengths.items():
        summed = per_agency.get(agency_of[code])
        per_agency[agency_of[code]] = lengths if summed is None else list(map(operator.add, summed, lengths))
    for i, t in enumerate(log.queue_times):
        stamp = f"{_two(int(t // 3600))}:{_two(int(t % 3600 // 60))}"
        for agency, totals in per_agency.items():
            out[f"queue|{agency}@{stamp}|length"] = float(totals[i])
    return out


def _two(n: int) -> str:
    """``f"{n:02d}"`` for n >= 0 without a format spec, which compiled is a str.format call."""
    return str(n).zfill(2)


def _keys(agency: str, code: str, hour: float) -> tuple[str, str, str, str, str]:
    """The five scopes a visit joined in this hour counts under."""
    at = _two(int(hour))
    return "hall|all", f"agency|{agency}", f"service|{code}", f"hour|{at}", f"agency_hour|{agency}@{at}"


@dataclass(slots=True)
class _Group:
    """The visits of one (service, hour, outcome) and the keys each of them counts under."""

    keys: list[str]
    visits: int = 0


def _group(counts: dict[str, float], agency: str, code: str, hour: float, outcome: str) -> _Group:
    keys = [f"{key}|{outcome}" for key in _keys(agency, code, hour)]
    for key in keys:
        counts.setdefault(key, 0.0)
    return _Group(keys)


@dataclass(frozen=True)
class Estimate:
    mean: float
    half_width: float  # of the 95% confidence interval; nan with fewer than two values
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def as_dict(self) -> dict[str, float | int | None]:
        def clean(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 4)

        return {"mean": clean(self.mean), "ci95": clean(self.half_width), "n": self.n}


def estimate(values: Sequence[float] | np.ndarray) -> Estimate:
    """Mean and the t-interval's half width over independent replications."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return Estimate(math.nan, math.nan, 0)
    if len(x) == 1:
        return Estimate(float(x[0]), math.nan, 1)
    half = float(sps.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return Estimate(float(x.mean()), half, len(x))


def summarise(days: Sequence[Figures]) -> dict[str, Estimate]:
    keys = sorted({k for d in days for k in d})
    return {k: estimate([d.get(k, math.nan) for d in days]) for k in keys}


def paired(a: Sequence[Figures], b: Sequence[Figures], key: str) -> Estimate:
    """The difference b - a on common random numbers: replication i of both met the same citizens,
    so the paired interval is far narrower than the two separate ones."""
    return estimate([y.get(key, math.nan) - x.get(key, math.nan) for x, y in zip(a, b, strict=True)])
