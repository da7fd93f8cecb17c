"""When the hall issues numbers. Times are the hall's local time; callers convert."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from antre.hall.model import WEEKDAYS, Hours
from antre.problems import Refused


def _hhmm(t: dt.time) -> str:
    return t.strftime("%H:%M")


def check_issuing(hours: Hours, local: dt.datetime, *, always_open: bool = False) -> None:
    """Raise :class:`Refused` with the reason if no number may be issued at ``local``."""
    if always_open:
        return
    day = local.date()
    holiday = next((h for h in hours.holidays if h.date == day), None) if hours.holidays else None
    if holiday is not None:
        raise Refused(
            "closed_holiday",
            f"Hari ini libur ({holiday.name}); layanan tutup",
            f"Closed today for a holiday ({holiday.name})",
        )
    today = hours.on(day)
    if today is None:
        raise Refused("closed_today", "Hari ini layanan tutup", "The hall is closed today")
    now = local.time()
    if now < today.open:
        raise Refused(
            "not_open_yet",
            f"Layanan belum buka; buka pukul {_hhmm(today.open)}",
            f"Not open yet; opens at {_hhmm(today.open)}",
        )
    cutoff = _cutoff(day, today.close, hours.cutoff_minutes)
    if now >= today.close:
        raise Refused(
            "closed_for_today",
            f"Layanan sudah tutup pukul {_hhmm(today.close)}",
            f"Closed for today at {_hhmm(today.close)}",
        )
    if now >= cutoff:
        raise Refused(
            "past_cutoff",
            f"Pengambilan nomor ditutup pukul {_hhmm(cutoff)}",
            f"No more numbers today: issuing stopped at {_hhmm(cutoff)}",
        )
    weekday = WEEKDAYS[day.weekday()]
    for pause in hours.breaks:
        if weekday in pause.days and pause.start <= now < pause.end:
            label = f" ({pause.name})" if pause.name else ""
            raise Refused(
                "on_break",
                f"Layanan istirahat{label} sampai pukul {_hhmm(pause.end)}",
                f"On a break{label} until {_hhmm(pause.end)}",
            )


def next_opening(hours: Hours, local: dt.datetime, *, days: int = 31) -> dt.datetime | None:
    """When numbers are next issued after ``local`` (hall time, aware), or None when not within
    ``days`` days. Each candidate (the start of an open span: the day's opening, the end of a
    break) is put to :func:`check_issuing`, so whatever else closes the hall for issuing (the
    cutoff) keeps it closed here too."""
    for offset in range(days + 1):
        day = local.date() + dt.timedelta(days=offset)
        starts = (dt.datetime.combine(day, start, tzinfo=local.tzinfo) for start, _ in hours.open_spans(day))
        for moment in starts:
            if moment <= local:
                continue
            try:
                check_issuing(hours, moment)
            except Refused:
                continue
            return moment
    return None


@lru_cache(maxsize=256)
def _cutoff(day: dt.date, close: dt.time, minutes: int) -> dt.time:
    """When issuing stops: a pure function of its arguments, remembered because every number
    issued asks it again for the same day."""
    return (dt.datetime.combine(day, close) - dt.timedelta(minutes=minutes)).time()
