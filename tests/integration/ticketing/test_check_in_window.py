"""A check-in outside its window: the refusal says when check-in opens (while that is ahead) and
whether a walk-in number can be taken now instead, and changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from antre.hall.model import Hall
from antre.problems import Refused
from services.ticketing import handlers
from services.ticketing.bootstrap import MIGRATIONS
from services.ticketing.domain.citizen_bookings import Booking, State
from services.ticketing.handlers import bookings, check_ins
from tests.support.deps import ticketing_deps
from tests.support.stores import make_store

SECRET = b"a-test-secret-of-32-bytes-length"
MONDAY_0700 = dt.datetime(2026, 11, 29, 23, 0, tzinfo=dt.UTC)  # Monday 30 Nov 07:00 WITA
TUESDAY = dt.date(2026, 12, 1)
LIMITS = bookings.Limits(per_phone=1000, per_client=100_000)


def book(deps: handlers.Deps, n: int, at: dt.time, day: dt.date = TUESDAY) -> Booking:
    cmd = bookings.Book(
        service="ktp-el", day=day, session=at, nik=f"7471010101900{n + 1:03d}", name=f"Warga {n}",
        phone=f"0812{n:08d}",
    )  # fmt: skip
    return bookings.book(deps, cmd, SECRET, LIMITS)


@pytest.fixture
def clock() -> list[dt.datetime]:
    return [MONDAY_0700]


@pytest.fixture
def deps(tmp_path: Path, kendari: Hall, clock: list[dt.datetime]) -> handlers.Deps:
    engine, _ = make_store("sqlite", tmp_path, MIGRATIONS)
    return ticketing_deps(engine, kendari, clock=lambda: clock[0], always_open=False)


def refusal(deps: handlers.Deps, code: str) -> Refused:
    with pytest.raises(Refused) as refused:
        check_ins.check_in(deps, code)
    return refused.value


def test_too_early_says_when_check_in_opens_and_offers_a_walk_in(
    deps: handlers.Deps, clock: list[dt.datetime]
) -> None:
    early = book(deps, 1, dt.time(11, 0))
    clock[0] = dt.datetime(2026, 12, 1, 0, 50, tzinfo=dt.UTC)  # Tuesday 08:50 WITA: the hall is open
    refused = refusal(deps, early.code)
    assert refused.code == "check_in_too_early"
    assert refused.details == {"opens_at": "2026-12-01T10:30:00+08:00", "service": "ktp-el", "walk_in": True}
    assert bookings.lookup(deps, early.code).state == State.BOOKED  # nothing changed


def test_a_booking_for_a_later_day_says_the_day_and_time_check_in_opens(
    deps: handlers.Deps, clock: list[dt.datetime]
) -> None:
    later = book(deps, 2, dt.time(9, 0), day=dt.date(2026, 12, 2))
    clock[0] = dt.datetime(2026, 12, 1, 0, 50, tzinfo=dt.UTC)
    refused = refusal(deps, later.code)
    assert refused.code == "booking_other_day"
    assert refused.details["opens_at"] == "2026-12-02T08:30:00+08:00"
    assert refused.details["walk_in"] is True


def test_no_walk_in_is_offered_when_the_hall_no_longer_issues(
    deps: handlers.Deps, clock: list[dt.datetime]
) -> None:
    missed = book(deps, 3, dt.time(9, 0))
    clock[0] = dt.datetime(2026, 12, 1, 7, 30, tzinfo=dt.UTC)  # Tuesday 15:30 WITA: past the cutoff
    refused = refusal(deps, missed.code)
    assert refused.code == "booking_missed"
    assert "opens_at" not in refused.details  # the window is behind it
    assert refused.details["walk_in"] is False


def test_no_walk_in_is_offered_when_the_days_walk_in_places_are_gone(
    deps: handlers.Deps, clock: list[dt.datetime], kendari: Hall
) -> None:
    early = book(deps, 4, dt.time(11, 0))
    clock[0] = dt.datetime(2026, 12, 1, 0, 50, tzinfo=dt.UTC)
    ktp = kendari.service("ktp-el")
    assert ktp is not None and ktp.booking is not None
    for _ in range(ktp.booking.daily_quota - ktp.booking.online_quota):
        handlers.issue(deps, handlers.IssueTicket(service="ktp-el", kiosk="kiosk-1"))
    assert refusal(deps, early.code).details["walk_in"] is False
