"""When the hall issues numbers (Kendari: Mon-Thu 08:00-15:00, Fri 08:00-15:30 with a prayer break,
Sat 08:00-12:00, closed Sunday, issuing stops 60 minutes before closing)."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.hall.model import Hall
from antre.problems import Refused
from services.ticketing.domain.hours import check_issuing


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}")


# 2026-11-30 is a Monday, 2026-12-04 a Friday, 2026-12-06 a Sunday, 2026-12-25 Christmas (Friday).
@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (at("2026-11-30", "07:59"), "not_open_yet"),
        (at("2026-11-30", "08:00"), None),
        (at("2026-11-30", "13:59"), None),
        (at("2026-11-30", "14:00"), "past_cutoff"),
        (at("2026-11-30", "15:00"), "closed_for_today"),
        (at("2026-12-06", "10:00"), "closed_today"),
        (at("2026-12-25", "10:00"), "closed_holiday"),
    ],
)
def test_issuing_follows_the_hours(kendari: Hall, moment: dt.datetime, code: str | None) -> None:
    if code is None:
        check_issuing(kendari.hours, moment)
        return
    with pytest.raises(Refused) as refused:
        check_issuing(kendari.hours, moment)
    assert refused.value.code == code
    assert refused.value.message and refused.value.message_en


def test_a_break_refuses_with_its_end(kendari: Hall) -> None:
    friday_break = next(b for b in kendari.hours.breaks if "friday" in b.days)
    during = dt.datetime.combine(dt.date(2026, 12, 4), friday_break.start)
    with pytest.raises(Refused) as refused:
        check_issuing(kendari.hours, during)
    assert refused.value.code == "on_break"
    assert friday_break.end.strftime("%H:%M") in refused.value.message


def test_a_demo_hall_is_always_open(kendari: Hall) -> None:
    check_issuing(kendari.hours, at("2026-12-06", "23:00"), always_open=True)


def test_the_hall_day_turns_at_local_midnight(kendari: Hall) -> None:
    # 16:30 UTC is 00:30 WITA the next day.
    assert kendari.day_of(dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 1)
    assert kendari.day_of(dt.datetime(2026, 11, 30, 15, 59, tzinfo=dt.UTC)) == dt.date(2026, 11, 30)
