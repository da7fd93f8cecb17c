"""Figures of one simulated day, and their means with 95% confidence intervals over replications.

A day's figures are a flat ``{key: value}`` map with keys ``scope|name|metric``: scopes are
``hall``, ``agency``, ``service``, ``hour`` (``09``) and ``agency_hour`` (``dukcapil@09``); waits
and stays are in minutes. Flat keys keep replications, JSON and comparisons one simple shape.
A figure a replication cannot have (no one served in that hour) is NaN and left out of its mean.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from antre.hall.model import Hall
from sim.model import DayLog

Figures = dict[str, float]
WAIT_METRICS = ("wait_mean", "wait_p50", "wait_p90", "wait_p95", "wait_max")


def _waits(out: Figures, key: str, waits: list[float]) -> None:
    if not waits:
        return
    w = np.asarray(waits) / 60.0
    p50, p90, p95 = np.percentile(w, (50, 90, 95))
    out |= {
        f"{key}|wait_mean": float(w.mean()),
        f"{key}|wait_p50": float(p50),
        f"{key}|wait_p90": float(p90),
        f"{key}|wait_p95": float(p95),
        f"{key}|wait_max": float(w.max()),
        f"{key}|p_wait": float(np.mean(w > 0)),
    }


def day_figures(log: DayLog, hall: Hall) -> Figures:
    agency_of = {s.code: s.agency for s in hall.services}
    waits: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, float] = defaultdict(float)
    for code, joined, called, outcome in log.visits:
        hour = f"{int(joined // 3600):02d}"
        agency = agency_of[code]
        keys = (
            "hall|all",
            f"agency|{agency}",
            f"service|{code}",
            f"hour|{hour}",
            f"agency_hour|{agency}@{hour}",
        )
        for key in keys:
            counts[f"{key}|{outcome}"] += 1
            if outcome == "served":
                waits[key].append(called - joined)
    out: Figures = {}
    for code in agency_of:  # zero counts are facts too, not missing figures
        for key in ("hall|all", f"agency|{agency_of[code]}", f"service|{code}"):
            for outcome in ("served", "reneged", "left_at_close"):
                out.setdefault(f"{key}|{outcome}", 0.0)
            counts[f"{key}|no_show"] += log.no_shows.get(code, 0)
            counts[f"{key}|refused"] += log.refused.get(code, 0)
    out |= counts
    for key, values in waits.items():
        _waits(out, key, values)
    if log.stays:
        stays = np.asarray(log.stays) / 60.0
        out["hall|all|stay_mean"] = float(stays.mean())
        out["hall|all|stay_p90"] = float(np.percentile(stays, 90))
    busy: dict[str, float] = defaultdict(float)
    open_: dict[str, float] = defaultdict(float)
    for desk in log.desks:
        if sum(desk.open_s) > 0:
            out[f"counter|{desk.number}|utilisation"] = sum(desk.busy_s) / sum(desk.open_s)
        for hour in range(24):
            if desk.open_s[hour] > 0:
                for key in (f"agency_hour|{desk.agency}@{hour:02d}", f"agency|{desk.agency}", "hall|all"):
                    busy[key] += desk.busy_s[hour]
                    open_[key] += desk.open_s[hour]
                out[f"agency_hour|{desk.agency}@{hour:02d}|counters_open"] = (
                    out.get(f"agency_hour|{desk.agency}@{hour:02d}|counters_open", 0.0)
                    + desk.open_s[hour] / 3600
                )
    for key, total in open_.items():
        out[f"{key}|utilisation"] = busy[key] / total
    for i, t in enumerate(log.queue_times):
        stamp = f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}"
        per_agency: dict[str, int] = defaultdict(int)
        for code, lengths in log.queue_lengths.items():
            per_agency[agency_of[code]] += lengths[i]
        for agency, n in per_agency.items():
            out[f"queue|{agency}@{stamp}|length"] = float(n)
    return out


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
