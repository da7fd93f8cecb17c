from __future__ import annotations

import datetime as dt

import pytest

from antre.hall.model import Hall, PriorityGroup
from antre.problems import Conflict, Forbidden
from services.counters.domain import queue, stations
from services.counters.domain.queue import QueuedTicket, State
from services.counters.domain.stations import Officer, Station, StationState

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
SITI = Officer("siti", "Siti", "dukcapil")


def ticket() -> QueuedTicket:
    return QueuedTicket(
        id="t1",
        hall_day=T0.date(),
        service="ktp-el",
        agency="dukcapil",
        number="A-001",
        priority=PriorityGroup.NONE,
        channel="walk_in",
        state=State.WAITING,
        issued_at=T0,
        queued_at=T0,
    )


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def test_a_ticket_goes_through_a_counter() -> None:
    called = queue.call(ticket(), 3, "siti", minutes(10))
    serving = queue.start(called, 3, minutes(11))
    done = queue.complete(serving, 3, minutes(19))
    assert done.state == State.COMPLETED
    assert queue.wait_seconds(called) == 600 and queue.service_seconds(done) == 480


def test_only_the_holding_counter_moves_a_ticket() -> None:
    called = queue.call(ticket(), 3, "siti", minutes(1))
    with pytest.raises(Conflict):
        queue.start(called, 4, minutes(2))
    with pytest.raises(Conflict):
        queue.call(called, 4, "budi", minutes(2))


def test_skip_is_a_no_show_after_the_recalls() -> None:
    called = queue.call(ticket(), 3, "siti", minutes(1))
    assert queue.skip(called, 3, minutes(2), max_recalls=2).state == State.SKIPPED
    twice = queue.recall(queue.recall(called, 3), 3)
    assert queue.skip(twice, 3, minutes(3), max_recalls=2).state == State.NO_SHOW


def test_transfer_keeps_number_and_joins_the_back(kendari: Hall) -> None:
    target = kendari.service("pbb-p2") or kendari.services[-1]
    moved = queue.transfer(queue.call(ticket(), 3, "siti", minutes(1)), 3, target, minutes(7))
    assert (moved.state, moved.service, moved.agency, moved.number) == (
        State.WAITING,
        target.code,
        target.agency,
        "A-001",
    )
    assert moved.queued_at == minutes(7) and moved.counter is None


def test_a_counter_is_held_by_the_officer_who_opened_it() -> None:
    opened = stations.open_station(Station(3), SITI, T0)
    assert opened is not None and opened.state == StationState.OPEN
    assert stations.open_station(opened, SITI, T0) is None
    with pytest.raises(Forbidden):
        stations.ready_to_call(opened, Officer("budi", "Budi", "dukcapil"))
    with pytest.raises(Forbidden):
        stations.may_work_at(Officer("andi", "Andi", "samsat"), frozenset({"dukcapil"}))
    stations.may_work_at(Officer("admin", "Admin", ""), frozenset({"dukcapil"}))


def test_a_counter_passes_on_only_once_its_officer_is_signed_out() -> None:
    budi = Officer("budi", "Budi", "dukcapil")
    opened = stations.open_station(Station(3), SITI, T0)
    assert opened is not None
    held = stations.holding(opened, "t1", 0)
    with pytest.raises(Forbidden) as refused:
        stations.take_over(held, budi, holder_signed_in=True, now=T0)
    assert refused.value.code == "counter_taken" and "siti" in refused.value.message_en
    taken = stations.take_over(held, budi, holder_signed_in=False, now=T0)
    assert (taken.officer, taken.state, taken.current) == ("budi", StationState.OPEN, "t1")
    stations.ready_to_call(stations.holding(taken, "", 0), budi)  # his now
    with pytest.raises(Forbidden):
        stations.ready_to_call(taken, SITI)


def test_only_an_idle_counter_left_from_an_earlier_day_by_a_signed_out_officer_closes() -> None:
    opened = stations.open_station(Station(3), SITI, T0)
    assert opened is not None
    day, later = T0.date(), T0 + dt.timedelta(days=1)
    assert stations.close_left(opened, day, day, False, later) is None  # its own day
    assert stations.close_left(opened, day, later.date(), True, later) is None  # Siti still signed in
    busy = stations.holding(opened, "t1", 0)
    assert stations.close_left(busy, day, later.date(), False, later) is None  # a citizen at it
    closed = stations.close_left(opened, day, later.date(), False, later)
    assert closed is not None and (closed.state, closed.officer) == (StationState.CLOSED, "")


def test_a_busy_or_paused_counter_cannot_call() -> None:
    opened = stations.open_station(Station(3), SITI, T0)
    assert opened is not None
    with pytest.raises(Conflict):
        stations.ready_to_call(stations.holding(opened, "t1", 0), SITI)
    paused = stations.pause(opened, SITI, T0)
    assert paused is not None
    with pytest.raises(Conflict):
        stations.ready_to_call(paused, SITI)
    with pytest.raises(Conflict):
        stations.close(stations.holding(opened, "t1", 0), SITI, T0)


def test_a_counter_holding_a_citizen_cannot_pause() -> None:
    opened = stations.open_station(Station(3), SITI, T0)
    assert opened is not None
    with pytest.raises(Conflict) as refused:
        stations.pause(stations.holding(opened, "t1", 0), SITI, T0)
    assert refused.value.code == "counter_busy"
    assert stations.pause(opened, SITI, T0) is not None  # between citizens it may
