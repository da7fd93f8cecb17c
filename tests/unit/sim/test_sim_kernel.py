"""The kernel: time order, tie order and its own clock."""

from __future__ import annotations

import numpy as np

from sim.kernel import LATE, URGENT, Kernel


def test_events_run_in_time_then_priority_then_schedule_order() -> None:
    k = Kernel(np.random.default_rng(0))
    seen: list[str] = []
    k.at(5.0, lambda: seen.append("late"), LATE)
    k.at(5.0, lambda: seen.append("b"))
    k.at(5.0, lambda: seen.append("urgent"), URGENT)
    k.at(5.0, lambda: seen.append("c"))
    k.at(1.0, lambda: k.after(1.0, lambda: seen.append(f"chained@{k.now}")))
    k.run()
    assert seen == ["chained@2.0", "urgent", "b", "c", "late"]


def test_run_until_stops_the_clock_there() -> None:
    k = Kernel(np.random.default_rng(0))
    k.at(10.0, lambda: None)
    k.run(until=4.0)
    assert k.now == 4.0 and k.peek() == 10.0
