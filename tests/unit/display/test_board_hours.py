"""When a board shows the hall closed: the Kendari hall (Mon-Thu 08:00-15:00, Fri to 15:30 with
Friday prayer 11:30-13:00, Sat to 12:00, Sunday closed, national holidays), at chosen moments."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from antre.hall.model import Break, Hall, Holiday, Hours
from services.display.domain.hours import Closed, Why, lines, opening

WITA = ZoneInfo("Asia/Makassar")


def at(day: str, clock: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(clock), WITA)


@pytest.fixture
def hours(kendari: Hall) -> Hours:
    return kendari.hours


@pytest.mark.parametrize(
    ("moment", "closes"),
    [
        (at("2026-12-07", "08:00"), at("2026-12-07", "15:00")),  # a Monday, at opening
        (at("2026-12-07", "14:59"), at("2026-12-07", "15:00")),  # past the kiosks' cutoff: still calling
        (at("2026-12-11", "11:29"), at("2026-12-11", "11:30")),  # Friday, just before prayer
        (at("2026-12-11", "13:00"), at("2026-12-11", "15:30")),  # back from prayer
        (at("2026-12-12", "09:00"), at("2026-12-12", "12:00")),  # Saturday
    ],
)
def test_open_until_the_next_close(hours: Hours, moment: dt.datetime, closes: dt.datetime) -> None:
    assert opening(hours, moment).closed is None
    assert opening(hours, moment).changes_at == closes


@pytest.mark.parametrize(
    ("moment", "closed"),
    [
        (at("2026-12-07", "07:59"), Closed(Why.NOT_OPEN_YET, at("2026-12-07", "08:00"))),
        (at("2026-12-07", "15:00"), Closed(Why.AFTER_HOURS, at("2026-12-08", "08:00"))),
        (at("2026-12-11", "11:30"), Closed(Why.BREAK, at("2026-12-11", "13:00"), "Salat Jumat")),
        (at("2026-12-12", "12:00"), Closed(Why.AFTER_HOURS, at("2026-12-14", "08:00"))),  # Sat to Mon
        (at("2026-12-13", "10:00"), Closed(Why.CLOSED_TODAY, at("2026-12-14", "08:00"))),  # Sunday
        # Christmas on a Friday: the weekend follows, Monday opens.
        (
            at("2026-12-25", "09:00"),
            Closed(Why.HOLIDAY, at("2026-12-26", "08:00"), "Kelahiran Yesus Kristus"),
        ),
        (at("2026-12-31", "23:00"), Closed(Why.AFTER_HOURS, at("2027-01-02", "08:00"))),  # New Year
    ],
)
def test_closed_says_why_and_when_it_opens_again(hours: Hours, moment: dt.datetime, closed: Closed) -> None:
    found = opening(hours, moment)
    assert found.closed == closed
    assert found.changes_at == closed.reopens


def test_the_words_indonesian_first_and_english(hours: Hours) -> None:
    def said(moment: dt.datetime) -> tuple[str, str, str, str]:
        closed = opening(hours, moment).closed
        assert closed is not None
        return lines(closed, moment)

    assert said(at("2026-12-12", "13:00")) == (
        "LAYANAN TUTUP",
        "Layanan tutup · buka kembali Senin 08:00",
        "CLOSED",
        "Closed · opens again Monday 08:00",
    )
    assert said(at("2026-12-07", "06:30"))[1::2] == (
        "Layanan tutup · buka kembali pukul 08:00",
        "Closed · opens again at 08:00",
    )
    assert said(at("2026-12-08", "16:00"))[1::2] == (
        "Layanan tutup · buka kembali besok, Rabu 08:00",
        "Closed · opens again tomorrow, Wednesday 08:00",
    )
    assert said(at("2026-12-11", "12:00")) == (
        "ISTIRAHAT",
        "Layanan istirahat (Salat Jumat) · buka kembali pukul 13:00",
        "ON A BREAK",
        "On a break (Salat Jumat) · opens again at 13:00",
    )
    assert (
        said(at("2026-12-25", "10:00"))[1]
        == "Layanan tutup (Kelahiran Yesus Kristus) · buka kembali besok, Sabtu 08:00"
    )
    assert (
        said(at("2026-12-25", "10:00"))[3]
        == "Closed (Kelahiran Yesus Kristus) · opens again tomorrow, Saturday 08:00"
    )


def test_a_long_closure_names_the_date_and_none_within_a_month_names_none(hours: Hours) -> None:
    lebaran = tuple(Holiday(dt.date(2027, 3, 8) + dt.timedelta(days=n), "Cuti bersama") for n in range(12))
    long_leave = replace(hours, holidays=hours.holidays + lebaran)
    closed = opening(long_leave, at("2027-03-07", "10:00")).closed  # a Sunday before the leave
    assert closed is not None and closed.reopens == at("2027-03-20", "08:00")  # a Saturday
    assert lines(closed, at("2027-03-07", "10:00"))[1::2] == (
        "Layanan tutup · buka kembali Sabtu, 20 Maret 08:00",
        "Closed · opens again Saturday 20 March 08:00",
    )
    shut = Hours()  # no day open at all
    found = opening(shut, at("2027-03-07", "10:00"))
    assert found.closed == Closed(Why.CLOSED_TODAY, None) and found.changes_at is None
    assert lines(found.closed, at("2027-03-07", "10:00")) == (
        "LAYANAN TUTUP",
        "Layanan tutup",
        "CLOSED",
        "Closed",
    )


def test_a_break_at_opening_or_overlapping_breaks_leave_no_empty_span(hours: Hours) -> None:
    breaks = (Break(dt.time(8, 0), dt.time(9, 0), name="Apel pagi"), Break(dt.time(8, 30), dt.time(9, 30)))
    morning = replace(hours, breaks=breaks)
    found = opening(morning, at("2026-12-07", "08:10"))
    assert found.closed == Closed(Why.BREAK, at("2026-12-07", "09:30"), "Apel pagi")
    assert opening(morning, at("2026-12-07", "07:00")).closed == Closed(
        Why.NOT_OPEN_YET, at("2026-12-07", "09:30")
    )
    assert opening(morning, at("2026-12-07", "09:30")).closed is None
