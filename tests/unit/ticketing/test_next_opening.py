"""When a closed hall next issues numbers (Kendari: Mon-Thu 08:00-15:00, Fri 08:00-15:30 with a
prayer break, Sat 08:00-12:00, closed Sunday, issuing stops 60 minutes before closing)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from antre.hall.model import Hall
from services.ticketing.domain.hours import next_opening
from services.ticketing.entrypoints.http import issuing_json

WITA = ZoneInfo("Asia/Makassar")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=WITA)


# 2026-11-30 is a Monday, 2026-12-04 a Friday, 2026-12-05 a Saturday, 2026-12-25 Christmas (Friday).
@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        ("2026-11-30T06:30", "2026-11-30T08:00"),  # before opening: this morning
        ("2026-11-30T14:10", "2026-12-01T08:00"),  # past the cutoff: tomorrow
        ("2026-11-30T21:00", "2026-12-01T08:00"),  # evening
        ("2026-12-05T12:30", "2026-12-07T08:00"),  # Saturday afternoon: Sunday is closed, Monday
        ("2026-12-24T16:00", "2026-12-26T08:00"),  # Christmas is a holiday: the Saturday after
    ],
)
def test_a_closed_hall_opens_next_at(kendari: Hall, moment: str, opening: str) -> None:
    assert next_opening(kendari.hours, at(moment)) == at(opening)


def test_a_break_ends_at_its_own_time(kendari: Hall) -> None:
    (prayer,) = kendari.hours.breaks
    during = dt.datetime.combine(dt.date(2026, 12, 4), prayer.start, tzinfo=WITA) + dt.timedelta(minutes=5)
    assert next_opening(kendari.hours, during) == dt.datetime.combine(during.date(), prayer.end, tzinfo=WITA)


def test_no_opening_in_sight_is_none(kendari: Hall) -> None:
    assert next_opening(kendari.hours, at("2026-12-05T12:30"), days=1) is None


def test_the_kiosk_hears_why_it_is_closed_and_when_it_opens(kendari: Hall) -> None:
    saturday_afternoon = at("2026-12-05T12:30").astimezone(dt.UTC)
    closed = issuing_json(kendari, saturday_afternoon)
    assert closed["open"] is False and closed["code"] == "closed_for_today"
    assert closed["message"] and closed["message_en"]
    assert closed["next_opening"] == "2026-12-07T08:00:00+08:00"
    assert issuing_json(kendari, saturday_afternoon, always_open=True) == {"open": True}
    assert issuing_json(kendari, at("2026-12-07T09:00").astimezone(dt.UTC)) == {"open": True}
