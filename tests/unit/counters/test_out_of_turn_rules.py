"""The rules of what officers do out of the queue's order: a number chosen, a citizen held aside
and called again, a ticket brought back to its place; and a pause that says why."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from antre.hall.model import PriorityGroup, QueueRules
from antre.problems import Conflict, Invalid
from services.counters.domain import dispatch, queue, stations
from services.counters.domain.dispatch import Candidate
from services.counters.domain.queue import QueuedTicket, State
from services.counters.domain.stations import Officer, Station, StationState

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
TODAY = T0.date()
SITI = Officer("siti", "Siti", "dukcapil")
SERVES = ("ktp-el", "kk")


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def ticket(n: int = 1, *, at: float = 0, service: str = "ktp-el", priority: bool = False) -> QueuedTicket:
    return QueuedTicket(
        id=f"t{n}",
        hall_day=TODAY,
        service=service,
        agency="dukcapil",
        number=f"A-{n:03d}",
        priority=PriorityGroup.ELDERLY if priority else PriorityGroup.NONE,
        channel="walk_in",
        state=State.WAITING,
        issued_at=minutes(at),
        queued_at=minutes(at),
    )


def candidate(t: QueuedTicket) -> Candidate:
    return Candidate(t.id, t.service, t.is_priority, t.queued_at)


# ---- a number chosen ----


def test_an_officer_calls_a_waiting_number_of_the_counters_services_today() -> None:
    queue.may_call(ticket(), 3, SERVES, TODAY)
    called = queue.call(ticket(), 3, "siti", minutes(5))
    with pytest.raises(Conflict) as refused:
        queue.may_call(called, 4, SERVES, TODAY)
    assert refused.value.code == "ticket_not_waiting"
    with pytest.raises(Conflict) as refused:
        queue.may_call(ticket(service="pbb-p2"), 3, SERVES, TODAY)
    assert refused.value.code == "ticket_not_served_here"
    with pytest.raises(Conflict) as refused:
        queue.may_call(replace(ticket(), hall_day=TODAY - dt.timedelta(days=1)), 3, SERVES, TODAY)
    assert refused.value.code == "ticket_not_today"


@pytest.mark.parametrize(
    ("typed", "number"),
    [("A-012", "A-012"), ("a12", "A-012"), (" A - 7 ", "A-007"), ("ab1234", "AB-1234"), ("A-0012", "A-012")],
)
def test_a_number_is_read_as_officers_type_it(typed: str, number: str) -> None:
    assert queue.number_of(typed) == number


@pytest.mark.parametrize("typed", ["", "12", "A-", "ABC-1", "A-12345", "A-1; drop"])
def test_what_is_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        queue.number_of(typed)
    assert refused.value.code == "bad_ticket_number"


# ---- held aside and called again ----


def test_a_called_or_served_citizen_is_held_by_their_counter_only() -> None:
    called = queue.call(ticket(), 3, "siti", minutes(1))
    held = queue.hold(called, 3, minutes(2))
    assert (held.state, held.counter, held.held_at) == (State.HELD, 3, minutes(2))
    assert queue.hold(queue.start(called, 3, minutes(2)), 3, minutes(4)).state == State.HELD
    for refused_hold in (
        lambda: queue.hold(called, 4, minutes(2)),
        lambda: queue.hold(ticket(), 3, minutes(2)),
    ):
        with pytest.raises(Conflict) as refused:
            refused_hold()
        assert refused.value.code == "ticket_not_at_counter"
    with pytest.raises(Conflict):
        queue.call(held, 4, "budi", minutes(3))  # not waiting: no other counter calls it
    with pytest.raises(Conflict):
        queue.call_held(held, 4, "budi", minutes(3))
    with pytest.raises(Conflict):
        queue.skip(held, 3, minutes(3), max_recalls=2)  # it is not at the desk


def test_time_away_counts_neither_as_service_nor_at_the_counter() -> None:
    """Called at 1, served from 2, held at 6 (4 minutes served), called again at 26, done at 30:
    8 minutes served, 9 at the counter, and the 20 away in neither."""
    serving = queue.start(queue.call(ticket(), 3, "siti", minutes(1)), 3, minutes(2))
    held = queue.recall(queue.call_held(queue.hold(serving, 3, minutes(6)), 3, "siti", minutes(26)), 3)
    assert held.recalls == 1
    back = queue.call_held(queue.hold(serving, 3, minutes(6)), 3, "budi", minutes(26))
    assert (back.state, back.officer, back.held_at, back.recalls) == (State.CALLED, "budi", None, 0)
    assert (back.called_at, back.serving_started_at) == (minutes(21), minutes(22))
    done = queue.complete(queue.start(back, 3, minutes(27)), 3, minutes(30))
    assert queue.service_seconds(done) == 8 * 60
    assert done.finished_at is not None and done.called_at is not None
    assert done.finished_at - done.called_at == dt.timedelta(minutes=9)


def test_a_citizen_held_before_serving_starts_serving_when_back() -> None:
    held = queue.hold(queue.call(ticket(), 3, "siti", minutes(1)), 3, minutes(2))
    back = queue.call_held(held, 3, "siti", minutes(12))
    assert (back.called_at, back.serving_started_at) == (minutes(11), None)
    assert queue.start(back, 3, minutes(13)).serving_started_at == minutes(13)


# ---- brought back to the queue ----


def test_a_passed_over_ticket_of_today_comes_back_at_any_counter_serving_it() -> None:
    called = queue.call(replace(ticket(), session_start=minutes(-5)), 3, "siti", minutes(1))
    for gone in (
        queue.skip(called, 3, minutes(2), max_recalls=2),
        queue.skip(queue.recall(queue.recall(called, 3), 3), 3, minutes(3), max_recalls=2),
    ):
        assert gone.state in queue.PASSED_OVER
        back = queue.bring_back(gone, 5, SERVES, TODAY, minutes(-1), minutes(9))
        assert (back.state, back.queued_at, back.returned_at) == (State.WAITING, minutes(-1), minutes(9))
        assert (back.counter, back.officer, back.called_at, back.finished_at) == (None, "", None, None)
        assert (back.number, back.priority, back.session_start) == ("A-001", PriorityGroup.NONE, None)


def test_only_a_ticket_skipped_a_no_show_or_held_here_today_comes_back() -> None:
    called = queue.call(ticket(), 3, "siti", minutes(1))
    held = queue.hold(called, 3, minutes(2))
    assert queue.bring_back(held, 3, SERVES, TODAY, minutes(0), minutes(5)).held_at is None
    skipped = queue.skip(called, 3, minutes(2), max_recalls=2)
    refusals = {
        "ticket_not_returnable": lambda: queue.bring_back(ticket(), 3, SERVES, TODAY, T0, T0),
        "ticket_not_at_counter": lambda: queue.bring_back(held, 4, SERVES, TODAY, T0, T0),
        "ticket_not_served_here": lambda: queue.bring_back(skipped, 9, ("pbb-p2",), TODAY, T0, T0),
        "ticket_not_today": lambda: queue.bring_back(
            skipped, 3, SERVES, TODAY + dt.timedelta(days=1), T0, T0
        ),
    }
    for code, bring in refusals.items():
        with pytest.raises(Conflict) as refused:
            bring()
        assert refused.value.code == code
    completed = queue.complete(called, 3, minutes(3))
    with pytest.raises(Conflict):
        queue.bring_back(completed, 3, SERVES, TODAY, T0, T0)


@pytest.mark.parametrize("ahead", [0, 1, 2, 3, 7])
def test_a_returned_ticket_has_return_after_tickets_of_its_lane_before_it(ahead: int) -> None:
    """Whatever the hall says, the ticket's position among those waiting is one more than the
    tickets left before it (all of them when fewer wait)."""
    waiting = [ticket(n, at=n) for n in range(2, 6)]  # joined at 2..5 minutes
    gone = queue.skip(queue.call(ticket(1), 3, "siti", minutes(1)), 3, minutes(1.5), max_recalls=2)
    place, left = queue.place_after([candidate(t) for t in waiting], ahead, minutes(9))
    assert left == min(ahead, len(waiting))
    back = queue.bring_back(gone, 3, SERVES, TODAY, place, minutes(9))
    lane = [candidate(t) for t in waiting] + [candidate(back)]
    for rules in (QueueRules(dispatch="fifo"), QueueRules()):
        assert dispatch.position(candidate(back), lane, rules) == left + 1
    order = sorted(lane, key=lambda c: (c.queued_at, c.ticket_id))
    assert order.index(candidate(back)) == left


def test_an_empty_lane_takes_a_returned_ticket_now_and_a_full_one_at_its_back() -> None:
    assert queue.place_after([], 0, minutes(9)) == (minutes(9), 0)
    late = ticket(2, at=12)  # a queue time after now: a ticket itself returned to the back
    place, left = queue.place_after([candidate(late)], 5, minutes(9))
    assert (place, left) == (minutes(12) + queue.TICK, 1)


def test_a_returned_ticket_takes_its_place_among_its_own_lane() -> None:
    """Under the priority lane a regular ticket counts only regular tickets of its service; the
    priority lane goes first anyway. Under fifo there is one line."""
    mine = ticket(1)
    others = [
        candidate(ticket(2, at=1, priority=True)),
        candidate(ticket(3, at=2)),
        candidate(ticket(4, at=3, service="kk")),
        candidate(mine),
    ]
    assert [c.ticket_id for c in queue.lane_of(mine, others, fifo=False)] == ["t3"]
    assert [c.ticket_id for c in queue.lane_of(mine, others, fifo=True)] == ["t2", "t3"]


# ---- a counter's pauses, and closing with citizens held ----


def opened() -> Station:
    station = stations.open_station(Station(3), SITI, T0)
    assert station is not None
    return station


def test_a_pause_says_why_until_the_counter_resumes() -> None:
    paused = stations.pause(opened(), SITI, T0, "prayer")
    assert paused is not None and (paused.state, paused.pause_reason) == (StationState.PAUSED, "prayer")
    assert stations.pause(paused, SITI, minutes(1), "prayer") is None  # nothing new
    moved = stations.pause(paused, SITI, minutes(1), "  ke   bank  sebentar ")
    assert moved is not None and (moved.pause_reason, moved.changed_at) == ("ke bank sebentar", T0)
    resumed = stations.resume(moved, SITI, minutes(2))
    assert resumed is not None and resumed.pause_reason == ""
    with pytest.raises(Invalid) as refused:
        stations.pause(opened(), SITI, T0, "x" * (stations.MAX_REASON + 1))
    assert refused.value.code == "reason_too_long"


def test_a_counter_holding_citizens_aside_does_not_close() -> None:
    with pytest.raises(Conflict) as refused:
        stations.close(opened(), SITI, T0, held=2)
    assert refused.value.code == "counter_holds_tickets" and "2" in refused.value.message
    assert stations.close(opened(), SITI, T0, held=0).state == StationState.CLOSED
    paused = stations.pause(opened(), SITI, T0, "break")
    assert paused is not None and stations.close(paused, SITI, T0).pause_reason == ""
