"""The dispatch policies and their promises."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from antre.hall.model import QueueRules
from services.counters.domain.dispatch import Candidate, PriorityLane, fifo, next_streak, position

T0 = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)


def c(name: str, minute: int, priority: bool = False, service: str = "ktp-el") -> Candidate:
    return Candidate(name, service, priority, T0 + dt.timedelta(minutes=minute))


def chosen(candidate: Candidate | None) -> str | None:
    return candidate.ticket_id if candidate else None


def test_fifo_calls_the_earliest_across_services() -> None:
    waiting = [c("b", 2, service="kk"), c("a", 1), c("p", 3, priority=True)]
    assert fifo(waiting, 0) == waiting[1]
    assert fifo([], 0) is None


def test_fifo_breaks_time_ties_on_id() -> None:
    assert chosen(fifo([c("y", 1), c("x", 1)], 0)) == "x"


def test_priority_goes_first_until_the_streak_limit() -> None:
    lane = PriorityLane(max_streak=2)
    waiting = [c("r1", 0), c("p1", 5, True)]
    assert chosen(lane(waiting, 0)) == "p1"
    assert chosen(lane(waiting, 1)) == "p1"
    assert chosen(lane(waiting, 2)) == "r1"
    assert chosen(lane([c("p1", 5, True)], 9)) == "p1"  # no regular waiting: no limit


def simulate(lane: PriorityLane, waiting: list[Candidate], calls: int) -> list[tuple[Candidate, bool]]:
    """Each call with whether a regular ticket was waiting when it was made."""
    streak, called = 0, []
    for _ in range(calls):
        pick = lane(waiting, streak)
        assert pick is not None
        called.append((pick, any(not w.priority for w in waiting)))
        streak = next_streak(pick, waiting, streak)
        waiting.remove(pick)
    return called


@pytest.mark.parametrize("max_streak", [1, 2, 3, 5])
def test_the_priority_lane_cannot_starve_regular_tickets(max_streak: int) -> None:
    """Even with priority citizens arriving without end, a regular ticket is called at least once
    in every max_streak + 1 calls at a counter."""
    rng = random.Random(max_streak)
    waiting = [c(f"r{i}", i) for i in range(50)] + [c(f"p{i}", rng.randint(0, 50), True) for i in range(500)]
    called = simulate(PriorityLane(max_streak), waiting, 200)
    run = 0
    for ticket, regular_waiting in called:
        run = run + 1 if ticket.priority and regular_waiting else 0
        assert run <= max_streak
    assert sum(1 for t, _ in called if not t.priority) == min(50, 200 // (max_streak + 1))
    regular = [t.ticket_id for t, _ in called if not t.priority]
    assert regular == sorted(regular, key=lambda s: int(s[1:]))  # regular tickets keep their order


def test_position_counts_who_goes_first() -> None:
    waiting = [c("r1", 0), c("r2", 1), c("p1", 2, True), c("other", 0, service="kk")]
    lane_rules = QueueRules(dispatch="priority_lane")
    assert position(waiting[1], waiting, lane_rules) == 3  # r1 and the priority ticket
    assert position(waiting[2], waiting, lane_rules) == 1
    assert position(waiting[1], waiting, QueueRules(dispatch="fifo")) == 2
