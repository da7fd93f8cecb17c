"""The living hall's forecast on snapshots small enough to know the answer: deterministic service
times give exact call times, the live rules decide the order, and the hall's hours bound it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from antre.hall.model import Break, DayHours, Hall, Hours, QueueRules
from services.counters.domain import blending
from services.counters.domain.stations import StationState
from sim.demand import Distribution
from sim.forecast import (
    MIN_RECENT,
    Arrivals,
    Desk,
    Snapshot,
    Waiting,
    day_bounds,
    forecast,
    remaining,
    service_time,
)

ZONE = ZoneInfo("Asia/Makassar")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZONE)  # a Monday
TEN = Distribution("empirical", values=(10.0,))  # every service takes exactly ten minutes


def minutes(m: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=m)


def waiting(n: int, priority: tuple[int, ...] = ()) -> tuple[Waiting, ...]:
    """``n`` tickets of service "a", one a minute before now, the i-th priority if listed."""
    return tuple(Waiting(f"t{i}", "a", i in priority, minutes(-30 + i)) for i in range(n))


def snapshot(tickets: tuple[Waiting, ...], *desks: Desk, **changes: object) -> Snapshot:
    snap = Snapshot(
        now=NOW,
        waiting=tickets,
        desks=desks or (Desk(1, ("a",), StationState.OPEN),),
        rules=QueueRules(dispatch="fifo"),
        policies={"a": blending.CheckIn()},
        service_times={"a": TEN},
        closes_at=minutes(8 * 60),
    )
    return dataclasses.replace(snap, **changes)  # type: ignore[arg-type]  # each test's own fields


def p50_minutes(snap: Snapshot, replications: int = 20) -> dict[str, float | None]:
    out = forecast(snap, replications)
    return {tid: None if f.p50 is None else (f.p50 - NOW).total_seconds() / 60 for tid, f in out.items()}


def test_one_counter_calls_every_ten_minutes_and_p50_is_p90() -> None:
    out = forecast(snapshot(waiting(3)), 20)
    assert [(out[t].p50, out[t].p90) for t in ("t0", "t1", "t2")] == [
        (minutes(0), minutes(0)),
        (minutes(10), minutes(10)),
        (minutes(20), minutes(20)),
    ]
    assert all(f.not_called == 0.0 for f in out.values())


def test_a_counter_busy_for_four_minutes_calls_in_six() -> None:
    busy = Desk(1, ("a",), StationState.OPEN, serving="a", since=minutes(-4))
    assert p50_minutes(snapshot(waiting(2), busy)) == {"t0": 6.0, "t1": 16.0}


def test_two_counters_share_the_queue() -> None:
    desks = (Desk(1, ("a",), StationState.OPEN), Desk(2, ("a",), StationState.OPEN))
    assert p50_minutes(snapshot(waiting(4), *desks)) == {"t0": 0.0, "t1": 0.0, "t2": 10.0, "t3": 10.0}


def test_the_priority_lane_calls_the_priority_ticket_first_and_keeps_its_streak() -> None:
    lane = QueueRules(dispatch="priority_lane", priority_max_streak=1)
    tickets = waiting(4, priority=(2, 3))
    assert p50_minutes(snapshot(tickets, rules=lane)) == {"t0": 10.0, "t1": 30.0, "t2": 0.0, "t3": 20.0}
    # A counter whose streak is already spent calls the regular ticket first.
    spent = Desk(1, ("a",), StationState.OPEN, blending.CounterState(priority_streak=1))
    assert p50_minutes(snapshot(tickets, spent, rules=lane))["t0"] == 0.0


def test_closing_time_leaves_the_last_ticket_uncalled() -> None:
    out = forecast(snapshot(waiting(3), closes_at=minutes(15)), 20)
    assert out["t1"].p50 == minutes(10)
    assert out["t2"].p50 is None and out["t2"].p90 is None and out["t2"].not_called == 1.0


def test_nobody_is_called_during_a_break() -> None:
    lunch = ((minutes(5), minutes(30)),)
    assert p50_minutes(snapshot(waiting(3), breaks=lunch)) == {"t0": 0.0, "t1": 30.0, "t2": 40.0}


def test_a_paused_counter_comes_back_and_a_closed_one_does_not() -> None:
    paused = Desk(1, ("a",), StationState.PAUSED, since=minutes(-4))
    assert p50_minutes(snapshot(waiting(1), paused)) == {"t0": 6.0}
    closed = Desk(1, ("a",), StationState.CLOSED)
    out = forecast(snapshot(waiting(1), closed), 20)
    assert out["t0"].p50 is None and out["t0"].not_called == 1.0


def test_citizens_held_aside_are_served_at_their_counter_before_it_calls_again() -> None:
    """Busy four minutes more with its current citizen, then two held citizens come back (ten
    minutes each): the queue's first is called in 24 minutes. A held citizen of another counter
    delays nobody here; one of a paused counter is served after the pause."""
    busy = Desk(1, ("a",), StationState.OPEN, serving="a", since=minutes(-6), held=("a", "a"))
    assert p50_minutes(snapshot(waiting(2), busy)) == {"t0": 24.0, "t1": 34.0}
    desks = (Desk(1, ("a",), StationState.OPEN), Desk(2, ("a",), StationState.CLOSED, held=("a",)))
    assert p50_minutes(snapshot(waiting(1), *desks)) == {"t0": 0.0}
    paused = Desk(1, ("a",), StationState.PAUSED, since=minutes(-4), held=("a",))
    assert p50_minutes(snapshot(waiting(1), paused)) == {"t0": 16.0}


def test_a_counter_calls_only_its_own_services() -> None:
    other = Desk(1, ("b",), StationState.OPEN)
    both = snapshot(waiting(1), other, service_times={"a": TEN, "b": TEN})
    assert forecast(both, 10)["t0"].not_called == 1.0


def test_future_priority_citizens_delay_regular_tickets_under_the_priority_lane_only() -> None:
    tickets = waiting(6)
    many = {"a": Arrivals(priority=12.0)}  # one every five minutes on average
    lane = QueueRules(dispatch="priority_lane")
    alone = p50_minutes(snapshot(tickets, rules=lane))
    with_arrivals = p50_minutes(snapshot(tickets, rules=lane, arrivals=many), 50)
    assert with_arrivals["t5"] is not None and alone["t5"] is not None
    assert with_arrivals["t5"] > alone["t5"]
    # Under fifo they join behind everyone: the forecast does not move.
    assert p50_minutes(snapshot(tickets, arrivals=many), 50) == p50_minutes(snapshot(tickets))


def test_walk_ins_go_ahead_of_an_early_booked_ticket_under_near_slot() -> None:
    early = Waiting("b0", "a", False, minutes(-5), session_start=minutes(60))
    near = {"a": blending.NearSlot()}
    walk_ins = {"a": Arrivals(walk_in=30.0)}
    busy = Desk(1, ("a",), StationState.OPEN, serving="a", since=NOW)
    alone = p50_minutes(snapshot((early,), busy, policies=near))
    crowded = p50_minutes(snapshot((early,), busy, policies=near, arrivals=walk_ins), 50)
    assert alone == {"b0": 10.0}  # nobody else: called when the counter is free
    assert crowded["b0"] is not None and crowded["b0"] >= 20.0  # walk-ins who came in the meantime


def test_the_same_snapshot_gives_the_same_forecast() -> None:
    spread = {"a": Distribution("lognormal", 8.0, 0.6)}
    snap = snapshot(waiting(12), service_times=spread, arrivals={"a": Arrivals(priority=4.0)})
    assert forecast(snap, 30, seed=5) == forecast(snap, 30, seed=5)
    other = forecast(snap, 30, seed=6)
    assert other != forecast(snap, 30, seed=5)
    f = other["t11"]
    assert f.p50 is not None and f.p90 is not None and f.p50 <= f.p90


def test_the_rest_of_a_lognormal_service_is_drawn_given_its_elapsed_time() -> None:
    d = Distribution("lognormal", 10.0, 0.5)
    rng = np.random.default_rng(1)
    fresh = remaining(d, 0.0, rng, 4000) / 60
    late = remaining(d, 20 * 60.0, rng, 4000) / 60
    assert fresh.mean() == pytest.approx(10.0, rel=0.05)
    assert (late >= 0).all() and late.mean() < fresh.mean()  # far in the tail, little is left
    empirical = Distribution("empirical", values=(5.0, 12.0))
    assert set((remaining(empirical, 6 * 60.0, rng, 50) / 60).round(6)) == {6.0}


def test_the_days_own_services_replace_the_hall_files_target_once_there_are_enough() -> None:
    assert service_time(15, [4.0] * (MIN_RECENT - 1)) == Distribution("lognormal", 15, 0.5)
    assert service_time(15, [4.0] * MIN_RECENT) == Distribution("empirical", values=(4.0,) * MIN_RECENT)


def test_day_bounds_follow_the_hall_file(kendari: Hall) -> None:
    friday = dt.datetime(2026, 3, 6, 9, 0, tzinfo=ZONE)
    prayer = Break(dt.time(11, 30), dt.time(13), ("friday",))
    hall = dataclasses.replace(
        kendari,
        hours=Hours(friday=DayHours(dt.time(8), dt.time(15)), breaks=(prayer,), cutoff_minutes=60),
    )
    closes, breaks, stops = day_bounds(hall, friday)
    at = friday.replace
    assert closes == at(hour=15) and stops == at(hour=14)
    assert breaks == ((at(hour=11, minute=30), at(hour=13)),)
    saturday = friday + dt.timedelta(days=1)
    assert day_bounds(hall, saturday) == (saturday, (), saturday)
