"""The twin against queueing theory: M/M/c against Erlang C, and a non-preemptive two-class
priority queue against Cobham's formula, both through the counters' own dispatch policies.

Sample sizes. At load 0.95 a single long run needs about 4e7 customers for a 1% interval on the
mean wait (the asymptotic relative variance per customer is about 1000), far beyond a minute. So
replications start in the stationary state (see ``queueing.run_window``): unbiased, and each
replication is short. 3,000 of them give a relative standard error near 0.4-0.6% on P(wait) and
2-3% on the mean wait; the test asserts agreement within 3 standard errors and that the standard
error on P(wait) is small enough for a 1%-scale check (measured figures are in docs/sim.md).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from antre.hall.model import QueueRules
from sim.citizens import Citizen
from sim.model import HallDay, Scenario
from tests.integration.sim.queueing import (
    DAY,
    DEMAND,
    MEAN_SERVICE,
    erlang_c,
    one_service_hall,
    run_window,
    stationary,
)


def _ratio(per: np.ndarray) -> tuple[float, float]:
    """Mean of the sums over the counts, and its standard error (delta method over replications)."""
    total, n = per[:, 0].sum(), per[:, 1].sum()
    est = total / n
    return est, float((per[:, 0] - est * per[:, 1]).std(ddof=1) * math.sqrt(len(per)) / n)


def _batch(args: tuple[int, float, np.random.SeedSequence, int]) -> np.ndarray:
    """``n`` stationary-start replications: per replication (sum of waits, arrivals, waited)."""
    servers, load, seed, n = args
    hall = one_service_hall(servers, QueueRules(dispatch="fifo"))
    rng = np.random.default_rng(seed)
    pi = stationary(servers, load, 1000)
    window = 30 * MEAN_SERVICE / (servers * load)  # about 30 arrivals per replication
    rows = []
    for _ in range(n):
        waits = np.asarray(run_window(hall, servers, load, window, rng, pi))
        rows.append((waits.sum(), len(waits), (waits > 0).sum()))
    return np.asarray(rows, dtype=float)


@pytest.mark.parametrize(("servers", "load"), [(2, 0.5), (2, 0.8), (5, 0.9), (5, 0.95)])
def test_mmc_within_one_percent_of_erlang_c(servers: int, load: float) -> None:
    """Batches of replications, on every core, until the 95% half width of both the mean wait and
    P(wait) is below 1% of Erlang C's value (or a cap is reached, which fails); then the interval's
    midpoint must be within 1% of the exact value."""
    p_exact = erlang_c(servers, load)
    w_exact = p_exact * MEAN_SERVICE / (servers * (1 - load))
    batch, cap = 4000, 160_000
    stream = iter(np.random.SeedSequence([5, servers, int(load * 100)]).spawn(cap // batch))
    per = np.empty((0, 3))
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        while len(per) < cap:
            jobs = [(servers, load, next(stream), batch) for _ in range(os.cpu_count() or 1)]
            per = np.concatenate([per, *pool.map(_batch, jobs)])
            wait, wait_se = _ratio(per[:, :2])
            p_wait, p_se = _ratio(per[:, [2, 1]])
            if 1.96 * wait_se < 0.01 * w_exact and 1.96 * p_se < 0.01 * p_exact:
                break
    print(
        f"c={servers} rho={load} n={len(per)}: W {wait / w_exact:.4f}±{1.96 * wait_se / w_exact:.4f}",
        f"P {p_wait / p_exact:.4f}±{1.96 * p_se / p_exact:.4f} (95%)",
    )
    assert 1.96 * wait_se < 0.01 * w_exact and 1.96 * p_se < 0.01 * p_exact
    assert abs(wait / w_exact - 1) < 0.01
    assert abs(p_wait / p_exact - 1) < 0.01


def test_two_class_priority_matches_cobham() -> None:
    """Non-preemptive priority in M/M/1: W_k = W0 / ((1 - s_{k-1})(1 - s_k)), W0 = rho / mu.
    The lane's streak limit is set beyond reach, so PriorityLane is strict priority."""
    rules = QueueRules(dispatch="priority_lane", priority_max_streak=10**9)
    hall = one_service_hall(1, rules)
    rng = np.random.default_rng(11)
    lam_hi, lam_lo = 0.2 / MEAN_SERVICE, 0.4 / MEAN_SERVICE  # loads 0.2 and 0.4
    n = 40_000
    gaps = rng.exponential(1 / (lam_hi + lam_lo), n)
    prio = rng.random(n) < lam_hi / (lam_hi + lam_lo)
    times = np.cumsum(gaps) / 60.0  # minutes run as seconds, so 40,000 visits fit in one day
    citizens = [
        Citizen(i, float(t), ("s",), (float(rng.exponential(MEAN_SERVICE / 60.0)),), (math.inf,), bool(p))
        for i, (t, p) in enumerate(zip(times, prio, strict=True))
    ]
    log = HallDay(hall, DEMAND, DAY, Scenario(), citizens, {}, rng, sample_every=1e9).run()
    waits = {c.id: 0.0 for c in citizens}
    for (_, joined, called, _), c in zip(sorted(log.visits, key=lambda v: v[1]), citizens, strict=True):
        waits[c.id] = (called - joined) * 60.0
    warm = n // 10
    hi = np.array([waits[c.id] for c in citizens[warm:] if c.priority])
    lo = np.array([waits[c.id] for c in citizens[warm:] if not c.priority])
    w0 = 0.6 * MEAN_SERVICE
    exact_hi, exact_lo = w0 / (1 - 0.2), w0 / ((1 - 0.2) * (1 - 0.6))
    for name, w, exact in (("high", hi, exact_hi), ("low", lo, exact_lo)):
        batches = np.array([b.mean() for b in np.array_split(w, 20)])  # batch means: waits correlate
        se = batches.std(ddof=1) / math.sqrt(len(batches))
        print(f"priority {name}: {w.mean() / exact:.4f}±{se / exact:.4f} of Cobham's {exact:.1f} s")
        assert abs(w.mean() - exact) < 3 * se
        assert se / exact < 0.06
