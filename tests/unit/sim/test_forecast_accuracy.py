"""The forecast held against what then happened: twin days of the three-agency hall, busy enough
for queues, snapshotted every half hour as the live store would see them. About half the tickets
must be called by their p50 and about nine in ten by their p90; a forecast that ignored the
counters' current services (p50 coverage 0.1) or the spread of service times (p90 coverage 0.5
to 0.6) misses these."""

from __future__ import annotations

import pytest

from bench.forecast import cases, merged, replay

DAYS = 4


@pytest.mark.parametrize("case", ["busy", "busy, priority lane"])
def test_coverage_and_error_in_replayed_days(case: str) -> None:
    hall, demand, scenario = cases()[case]
    figures = merged([replay(hall, demand, scenario, seed, 60) for seed in range(1, DAYS + 1)]).figures()
    assert figures["tickets"] > 400  # the claim is about many tickets, not a handful
    assert 0.35 <= figures["p50_coverage"] <= 0.65
    assert 0.8 <= figures["p90_coverage"] <= 0.97
    assert figures["mae_minutes"] < 6.0
    assert abs(figures["bias_minutes"]) < 2.0
