"""A one-service hall and the textbook formulas the simulator is checked against."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from antre.hall.model import Agency, Counter, DayHours, Hall, Hours, QueueRules, Service, Zone
from sim.citizens import Citizen
from sim.demand import Demand, Distribution, ServiceDemand
from sim.model import HallDay, Scenario

DAY = dt.date(2026, 3, 2)  # a Monday
MEAN_SERVICE = 60.0  # seconds


def one_service_hall(counters: int, rules: QueueRules) -> Hall:
    always = DayHours(open=dt.time(0, 0), close=dt.time(23, 59))
    return Hall(
        id="lab",
        name="Lab",
        timezone="Asia/Makassar",
        zones=(Zone("z", "Z"),),
        agencies=(Agency("a", "A"),),
        services=(Service("s", "S", "a", "A"),),
        counters=tuple(Counter(n, f"L{n}", "z", ("s",)) for n in range(1, counters + 1)),
        hours=Hours(monday=always, cutoff_minutes=0),
        queue=rules,
    )


DEMAND = Demand(hall="", services={"s": ServiceDemand({}, Distribution("exponential", 1.0))})


def erlang_c(c: int, rho: float) -> float:
    """P(wait > 0) in M/M/c with utilisation rho = lambda / (c mu)."""
    a = c * rho
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) / (1 - rho)
    return tail / (head + tail)


def stationary(c: int, rho: float, n_max: int) -> np.ndarray:
    """P(N = n), n = 0..n_max-1, of the number in an M/M/c system (truncated far in the tail)."""
    a = c * rho
    p = np.array(
        [
            a**n / math.factorial(n) if n <= c else a**c / math.factorial(c) * rho ** (n - c)
            for n in range(n_max)
        ]
    )
    return p / p.sum()


def run_window(
    hall: Hall, c: int, rho: float, window: float, rng: np.random.Generator, pi: np.ndarray
) -> list[float]:
    """One replication started in the stationary state: N(0) citizens already there at time 0
    (memoryless service makes fresh service times exact for those in service), Poisson arrivals
    in (0, window]. By stationarity and PASTA each arrival's wait has exactly the stationary
    distribution, so the mean over replications is an unbiased estimate of Erlang C's, without the
    warm-up bias or the long autocorrelation a single long run would carry at loads near 1."""
    lam = c * rho / MEAN_SERVICE
    n0 = int(rng.choice(len(pi), p=pi))
    k = rng.poisson(lam * window)
    arrivals = np.sort(rng.uniform(0.0, window, k))
    times = np.concatenate([np.zeros(n0), arrivals])
    services = rng.exponential(MEAN_SERVICE, len(times))
    citizens = [
        Citizen(i, float(t), ("s",), (float(s),), (math.inf,), False)
        for i, (t, s) in enumerate(zip(times, services, strict=True))
    ]
    log = HallDay(hall, DEMAND, DAY, Scenario(), citizens, {}, rng, sample_every=1e9).run()
    return [called - joined for _, joined, called, _ in log.visits if joined > 0.0]
