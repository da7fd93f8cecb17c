"""What the reports' handlers need, handed in by bootstrap (or by tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from antre.hall.model import Hall
from antre.uow import UnitOfWork
from services.reports.metrics import Metrics


@dataclass
class Deps:
    hall: Hall
    uow: UnitOfWork
    metrics: Metrics
    # Called after a batch changed the record (the live hall page's nudge); any thread.
    changed: Callable[[], None] = lambda: None
    zone: ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.hall.timezone)

    def day_of(self, hall_day: str, moment: dt.datetime) -> dt.date:
        """The hall day an event names, else the one its moment falls on in the hall's zone."""
        try:
            return dt.date.fromisoformat(hall_day)
        except ValueError:
            return moment.astimezone(self.zone).date()
