"""The national calendars a hall file includes: 2026's holidays and cuti bersama from the joint
ministerial decree close the hall, the hall's own days come on top and win on a shared date, a
hall open on cuti bersama stays open then, and an unknown calendar is refused with the known ones
named, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.hall import calendar
from antre.hall.load import HallError, load_hall, parse_hall
from tests.unit.antre.test_hall_load import BASE, EXAMPLE

LEBARAN_2026 = [dt.date(2026, 3, d) for d in (20, 21, 22, 23, 24)]  # cuti bersama 20, 23, 24


def closed(text: str) -> dict[dt.date, str]:
    return {h.date: h.name for h in parse_hall(text).hours.holidays}


def test_the_2026_decree_is_shipped_whole() -> None:
    assert "indonesia-2026" in calendar.names()
    days = calendar.days_off(["indonesia-2026"], cuti_bersama=False, own=[])
    leave = calendar.days_off(["indonesia-2026"], cuti_bersama=True, own=[])
    assert (len(days), len(leave)) == (17, 25)  # 17 national holidays and 8 days of cuti bersama
    assert all(day.date.year == 2026 for day in leave)
    assert [d.date for d in leave] == sorted(d.date for d in leave)


def test_a_hall_including_the_calendar_closes_on_its_days() -> None:
    days = closed(BASE + "  calendars: [indonesia-2026]\n")
    assert set(LEBARAN_2026) <= set(days)
    assert days[dt.date(2026, 3, 21)] == "Idul Fitri 1447 Hijriah"
    assert days[dt.date(2026, 3, 20)] == "Cuti bersama Idul Fitri 1447 Hijriah"
    assert closed(BASE) == {}  # without it, no day is closed


def test_a_hall_open_on_cuti_bersama_closes_only_on_holidays() -> None:
    days = closed(BASE + "  calendars: [indonesia-2026]\n  open_on_cuti_bersama: true\n")
    assert dt.date(2026, 3, 21) in days and dt.date(2026, 3, 20) not in days
    assert len(days) == 17


def test_the_halls_own_days_come_on_top() -> None:
    own = (
        "  calendars: [indonesia-2026]\n"
        "  holidays:\n"
        "    - {date: 2026-04-27, name: HUT Kota Kendari}\n"  # a regional day
        "    - {date: 2026-12-24, name: Libur pengganti daerah}\n"  # a date the calendar names
    )
    days = closed(BASE + own)
    assert days[dt.date(2026, 4, 27)] == "HUT Kota Kendari"
    assert days[dt.date(2026, 12, 24)] == "Libur pengganti daerah"
    assert len(days) == 26


def test_an_unknown_calendar_is_refused_with_the_known_ones() -> None:
    with pytest.raises(HallError) as caught:
        parse_hall(BASE + "  calendars: [indonesia-2062]\n", source="uji.yaml")
    message = str(caught.value)
    assert "hours.calendars[0]" in message and "indonesia-2062" in message
    assert "tidak dikenal" in message and "unknown calendar" in message and "indonesia-2026" in message


def test_kendari_closes_for_lebaran_2026() -> None:
    days = {h.date for h in load_hall(EXAMPLE).hours.holidays}
    assert set(LEBARAN_2026) <= days
    assert dt.date(2027, 1, 1) in days
