"""Quiet hours: what waits, and until when. Pure."""

from __future__ import annotations

import datetime as dt

import pytest

from services.notify.domain.quiet import is_quiet, release

WITA = "Asia/Makassar"
NINE_PM, SEVEN_AM = dt.time(21), dt.time(7)


def wita(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC) - dt.timedelta(hours=8)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (dt.time(20, 59), False),
        (dt.time(21), True),
        (dt.time(0), True),
        (dt.time(6, 59), True),
        (dt.time(7), False),
    ],
)
def test_a_window_across_midnight(moment: dt.time, quiet: bool) -> None:
    assert is_quiet(moment, NINE_PM, SEVEN_AM) is quiet


def test_a_window_within_a_day_and_none_at_all() -> None:
    assert is_quiet(dt.time(13), dt.time(12), dt.time(14))
    assert not is_quiet(dt.time(14), dt.time(12), dt.time(14))
    assert not is_quiet(dt.time(3), dt.time(7), dt.time(7))


def test_outside_the_window_a_message_goes_now() -> None:
    assert release(wita(3, 9, 15), WITA, NINE_PM, SEVEN_AM) == wita(3, 9, 15)


def test_before_midnight_it_waits_for_tomorrow_morning() -> None:
    assert release(wita(3, 21, 30), WITA, NINE_PM, SEVEN_AM) == wita(4, 7)


def test_after_midnight_it_waits_for_this_morning() -> None:
    assert release(wita(4, 2, 0), WITA, NINE_PM, SEVEN_AM) == wita(4, 7)


def test_the_window_is_in_the_halls_time_not_utc() -> None:
    # 13:30 UTC is 21:30 in Kendari (WITA) but 20:30 in Jakarta (WIB).
    moment = dt.datetime(2026, 3, 3, 13, 30, tzinfo=dt.UTC)
    assert release(moment, WITA, NINE_PM, SEVEN_AM) == dt.datetime(2026, 3, 3, 23, 0, tzinfo=dt.UTC)
    assert release(moment, "Asia/Jakarta", NINE_PM, SEVEN_AM) == moment
