"""Quiet hours: when a citizen is not to be woken by a message that can wait.

The window is in the hall's local time and may span midnight (21:00-07:00, the default); equal
start and end mean no quiet hours at all. A message due inside it waits until the window ends.
Which messages may wait is :func:`services.notify.domain.citizens.may_wait`'s decision, not this
module's.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def is_quiet(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def release(now: dt.datetime, timezone: str, start: dt.time, end: dt.time) -> dt.datetime:
    """The first moment at or after ``now`` outside the quiet hours (``now`` itself when it is
    outside them), in UTC."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    if not is_quiet(local.time(), start, end):
        return now
    day = local.date()
    if start > end and local.time() >= start:  # before midnight: the window ends tomorrow
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)
