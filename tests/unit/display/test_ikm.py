"""The boards' footer line of the hall's IKM: worded from the figures reports published, the
decimal comma in Indonesian, no responses said as such, and nothing once the month turned."""

from __future__ import annotations

import datetime as dt

from services.display.domain.ikm import MonthIndex, board_line

AT = dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 11)


def test_the_line_in_both_languages() -> None:
    assert board_line(MonthIndex("2026-03", 120, 87.4, "B", AT), DAY) == (
        "IKM bulan ini: 87,40 · Baik",
        "Satisfaction index this month: 87.40 · Good",
    )
    best = board_line(MonthIndex("2026-03", 9, 100.0, "A", AT), DAY)
    assert best is not None and best[0] == "IKM bulan ini: 100,00 · Sangat Baik"
    worst = board_line(MonthIndex("2026-03", 3, 64.99, "D", AT), DAY)
    assert worst is not None and worst[0] == "IKM bulan ini: 64,99 · Tidak Baik"


def test_a_month_without_responses() -> None:
    assert board_line(MonthIndex("2026-03", 0, 0.0, "", AT), DAY) == (
        "IKM bulan ini: belum ada responden",
        "Satisfaction index this month: no responses yet",
    )


def test_nothing_before_this_months_index_is_known() -> None:
    assert board_line(None, DAY) is None
    assert board_line(MonthIndex("2026-02", 300, 90.0, "A", AT), DAY) is None  # last month's
