"""The line a board's footer says of the hall's satisfaction index (IKM, the SKM survey of
PermenPAN-RB 14/2017) of the month so far: "IKM bulan ini: 87,40 · Baik". Reports computes the
index and its grade; the board only words them, and only for the month it is in (a month's index
is not this month's once the month turned)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The regulation's mutu pelayanan, by letter: the words a board shows, Indonesian and English.
GRADE_WORDS = {
    "A": ("Sangat Baik", "Very good"),
    "B": ("Baik", "Good"),
    "C": ("Kurang Baik", "Fair"),
    "D": ("Tidak Baik", "Poor"),
}


@dataclass(frozen=True)
class MonthIndex:
    """The latest ``skm.index`` the display learnt of."""

    month: str  # YYYY-MM, the hall's month
    responses: int
    ikm: float  # two decimals; 0 with no responses
    grade: str  # A to D; empty with no responses
    at: dt.datetime  # when reports computed it


def month_of(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def board_line(index: MonthIndex | None, day: dt.date) -> tuple[str, str] | None:
    """The footer's line on the hall ``day``, in Indonesian and English; None when the display
    knows no index of that month yet."""
    if index is None or index.month != month_of(day):
        return None
    words = GRADE_WORDS.get(index.grade)
    if not index.responses or words is None:
        return "IKM bulan ini: belum ada responden", "Satisfaction index this month: no responses yet"
    figure = f"{index.ikm:.2f}"
    return (
        f"IKM bulan ini: {figure.replace('.', ',')} · {words[0]}",
        f"Satisfaction index this month: {figure} · {words[1]}",
    )
