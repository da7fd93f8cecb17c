"""A visit's fold by hand: a citizen set aside while served is away, not served, until called
again; one passed over and brought back waits again in the same leg, and their first call still
counts for the wait."""

from __future__ import annotations

import datetime as dt

from services.reports.domain import visits as fold
from services.reports.domain.visits import Outcome

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def visit() -> fold.Visit:
    return fold.issued(
        ticket_id="t1",
        day=T0.date(),
        number="A-001",
        service="ktp-el",
        agency="dukcapil",
        channel="walk_in",
        priority="none",
        kiosk="kiosk-1",
        booking_id="",
        at=at(0),
        hour=9,
    )


def test_time_set_aside_while_served_is_not_service() -> None:
    v = visit()
    fold.called(v, at(10), 3, "siti")
    fold.serving(v, at(11), 3)
    fold.held(v, at(15))  # 4 minutes served, then off to fetch a document
    assert v.leg.outcome is Outcome.HELD and v.outcome is Outcome.HELD
    fold.called(v, at(40), 3, "siti")  # called again from the held list: 25 minutes away
    assert v.leg.outcome is Outcome.SERVING
    fold.completed(v, at(46), None, 3)  # 6 more minutes
    assert v.leg.wait_seconds == 600  # to the first call only
    assert v.leg.service_seconds == 600  # 4 + 6 minutes, not the 35 from start to end
    assert v.outcome is Outcome.SERVED


def test_set_aside_before_serving_leaves_service_time_alone() -> None:
    v = visit()
    fold.called(v, at(5), 3, "siti")
    fold.held(v, at(6))
    fold.called(v, at(20), 3, "siti")
    assert v.leg.outcome is Outcome.CALLED
    fold.serving(v, at(21), 3)
    fold.completed(v, at(30), None, 3)
    assert (v.leg.wait_seconds, v.leg.service_seconds) == (300, 540)


def test_a_no_show_brought_back_waits_again_and_is_served() -> None:
    v = visit()
    fold.called(v, at(10), 3, "siti")
    fold.skipped(v, at(12), True, 2, 3)
    assert v.outcome is Outcome.NO_SHOW and v.leg.finished_at == at(12)
    fold.returned(v, at(20))
    assert v.outcome is Outcome.WAITING and v.leg.finished_at is None and v.leg.returned_at == at(20)
    fold.called(v, at(30), 4, "budi")
    fold.serving(v, at(31), 4)
    fold.completed(v, at(41), None, 4)
    assert (v.leg.wait_seconds, v.leg.service_seconds) == (600, 600)
    assert (v.leg.counter, v.leg.officer, v.leg.recalls) == (4, "budi", 2)
    assert v.outcome is Outcome.SERVED and len(v.legs) == 1


def test_only_a_passed_over_or_held_ticket_comes_back() -> None:
    v = visit()
    fold.called(v, at(1), 3, "siti")
    fold.serving(v, at(2), 3)
    fold.completed(v, at(3), None, 3)
    fold.returned(v, at(4))  # a served visit is done: a stray return changes nothing
    assert v.outcome is Outcome.SERVED and v.leg.finished_at == at(3) and v.leg.returned_at is None
    waiting = visit()
    fold.held(waiting, at(1))  # never called: nothing to set aside
    assert waiting.outcome is Outcome.WAITING
