"""When a zone's board shows the hall closed, and what it says: after the hall's hours, before
them, on a day it does not open (a weekday the hall file leaves out, a holiday) and during its
breaks, each with when it opens again ("Layanan tutup · buka kembali Senin 08:00").

Times are the hall's local time (aware, in its zone); callers convert. The board stays open up to
closing, past the kiosks' cutoff: the last citizens in line are still being called then.

Invariants: the hall is open at a moment exactly when the moment is inside one of the day's open
spans (opening to closing, less the breaks of that weekday, none on a holiday); ``reopens`` is the
start of the first open span after the moment, and ``changes_at`` the next moment at which
open/closed may flip (a board asks again then, with no event to wake it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from antre.hall.model import WEEKDAYS, Hours

LOOKAHEAD_DAYS = 31  # a hall shut longer than this says "closed" with no date to open again

DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class Why(StrEnum):
    BREAK = "break"  # a break of the hall file (Friday prayer, lunch)
    HOLIDAY = "holiday"
    CLOSED_TODAY = "closed_today"  # a weekday the hall does not open
    NOT_OPEN_YET = "not_open_yet"
    AFTER_HOURS = "after_hours"


@dataclass(frozen=True)
class Closed:
    why: Why
    reopens: dt.datetime | None  # local; None: not within LOOKAHEAD_DAYS
    name: str = ""  # the holiday's or the break's name, when it has one


@dataclass(frozen=True)
class Opening:
    """The hall at a moment: ``closed`` None while it is open."""

    closed: Closed | None
    changes_at: dt.datetime | None  # local; the next moment it may open or close


def spans(hours: Hours, day: dt.date, tz: dt.tzinfo | None) -> list[tuple[dt.datetime, dt.datetime]]:
    """The day's open spans (:meth:`Hours.open_spans`) as moments in ``tz``."""
    return [
        (dt.datetime.combine(day, a, tz), dt.datetime.combine(day, b, tz)) for a, b in hours.open_spans(day)
    ]


def opening(hours: Hours, local: dt.datetime) -> Opening:
    """Whether the hall is open at ``local`` and, when it is not, why and when it opens again."""
    day = local.date()
    tz = local.tzinfo
    for start, end in spans(hours, day, tz):
        if start <= local < end:
            return Opening(None, end)
    reopens = _next_start(hours, local)
    return Opening(_why(hours, local, reopens), reopens)


def _next_start(hours: Hours, local: dt.datetime) -> dt.datetime | None:
    for ahead in range(LOOKAHEAD_DAYS + 1):
        day = local.date() + dt.timedelta(days=ahead)
        later = [start for start, _ in spans(hours, day, local.tzinfo) if start > local]
        if later:
            return later[0]
    return None


def _why(hours: Hours, local: dt.datetime, reopens: dt.datetime | None) -> Closed:
    day, now = local.date(), local.time()
    holiday = next((h for h in hours.holidays if h.date == day), None)
    if holiday is not None:
        return Closed(Why.HOLIDAY, reopens, holiday.name)
    today = hours.on(day)
    if today is None:
        return Closed(Why.CLOSED_TODAY, reopens)
    if now < today.open:
        return Closed(Why.NOT_OPEN_YET, reopens)
    if now >= today.close:
        return Closed(Why.AFTER_HOURS, reopens)
    weekday = WEEKDAYS[day.weekday()]
    pause = next((b for b in hours.breaks if weekday in b.days and b.start <= now < b.end), None)
    return Closed(Why.BREAK, reopens, pause.name if pause else "")


def lines(closed: Closed, local: dt.datetime) -> tuple[str, str, str, str]:
    """What the board says: a title and a line, in Indonesian and in English
    ("LAYANAN TUTUP", "Layanan tutup · buka kembali Senin 08:00", "CLOSED", ...)."""
    named = f" ({closed.name})" if closed.name else ""
    if closed.why == Why.BREAK:
        title_id, title_en = "ISTIRAHAT", "ON A BREAK"
        head_id, head_en = f"Layanan istirahat{named}", f"On a break{named}"
    else:
        title_id, title_en = "LAYANAN TUTUP", "CLOSED"
        head_id, head_en = f"Layanan tutup{named}", f"Closed{named}"
    if closed.reopens is None:
        return title_id, head_id, title_en, head_en
    when_id, when_en = _when(closed.reopens, local)
    return title_id, f"{head_id} · buka kembali {when_id}", title_en, f"{head_en} · opens again {when_en}"


def _when(at: dt.datetime, local: dt.datetime) -> tuple[str, str]:
    """Today "pukul 13:00", then "besok, Senin 08:00", "Senin 08:00" within the week, else with the
    date ("Senin, 4 Januari 08:00")."""
    clock = at.strftime("%H:%M")
    days = (at.date() - local.date()).days
    if days == 0:
        return f"pukul {clock}", f"at {clock}"
    weekday = at.weekday()
    if days == 1:
        return f"besok, {DAYS_ID[weekday]} {clock}", f"tomorrow, {DAYS_EN[weekday]} {clock}"
    if days < 7:
        return f"{DAYS_ID[weekday]} {clock}", f"{DAYS_EN[weekday]} {clock}"
    day, month = at.day, at.month - 1
    return (
        f"{DAYS_ID[weekday]}, {day} {MONTHS_ID[month]} {clock}",
        f"{DAYS_EN[weekday]} {day} {MONTHS_EN[month]} {clock}",
    )
