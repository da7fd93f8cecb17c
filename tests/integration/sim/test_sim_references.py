"""Antre's twin, a Ciw model and a SimPy model of the same three-agency hall day
(:mod:`bench.sim_hallday`) agree on the mean wait per agency within their confidence intervals,
and on the mean wait of booked and of walk-in visits per agency: the mean over all visits is the
same under every work-conserving order (a conservation law), so only the split shows that the
near-slot rule is the same rule in all three.

Each model draws its own days from its own seeds (no common random numbers), so the comparison is
of two independent estimates: a day's mean wait per agency is one observation, and the difference
of the means over replications must lie within 3 standard errors of the difference (about the
99.7% interval). The standard errors are asserted small, so that agreement means something.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from bench import sim_ciw, sim_hallday, sim_simpy
from sim.model import Scenario
from sim.runner import seeds, simulate

AGENCIES = sim_hallday.AGENCIES
DayWaits = dict[str, list[float]]


def antre_day(seed: np.random.SeedSequence) -> DayWaits:
    log = simulate(sim_hallday.hall(), sim_hallday.demand(), sim_hallday.DAY, Scenario(), seed)
    waits = sim_hallday.empty_waits()
    assert all(outcome == "served" for *_, outcome in log.visits)  # nobody is sent home at closing
    for (code, joined, called, _), booked in zip(log.visits, log.booked, strict=True):
        sim_hallday.record(waits, code, booked, (called - joined) / 60.0)
    return waits


def _means(days: list[DayWaits]) -> dict[str, tuple[float, float]]:
    """Per agency (and kind): mean over days of the day's mean wait, and its standard error."""
    out = {}
    for key in days[0]:
        x = np.array([np.mean(d[key]) for d in days if d[key]])
        out[key] = (float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))))
    return out


@pytest.fixture(scope="module")
def antre() -> dict[str, tuple[float, float]]:
    return _means([antre_day(s) for s in seeds(2026, 600)])


REFERENCES: dict[str, tuple[Callable[[int], DayWaits], int]] = {
    "ciw": (sim_ciw.day, 250),
    "simpy": (sim_simpy.day, 250),
}


@pytest.mark.parametrize("name", list(REFERENCES))
def test_mean_wait_per_agency_agrees(name: str, antre: dict[str, tuple[float, float]]) -> None:
    model, replications = REFERENCES[name]
    offset = 10_000 * (list(REFERENCES).index(name) + 1)  # each model its own days
    ref = _means([model(offset + i) for i in range(replications)])
    for key in antre:
        (a, a_se), (r, r_se) = antre[key], ref[key]
        se = math.hypot(a_se, r_se)
        print(f"{name} {key}: antre {a:.3f}±{1.96 * a_se:.3f}, {name} {r:.3f}±{1.96 * r_se:.3f} min")
        assert abs(a - r) < 3 * se
        assert se < 0.1 * max(a, r) + 0.02  # tight enough to tell a wrong model from a right one
