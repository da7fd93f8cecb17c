"""What ticketing's handlers need, handed in by bootstrap (or by tests, with fakes)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from antre import heartbeats
from antre.hall.model import Hall
from antre.live import Broadcaster
from antre.uow import UnitOfWork
from services.ticketing.adapters.phone_codes import Checked
from services.ticketing.domain.kiosks import IssueRate
from services.ticketing.metrics import Metrics


class PhoneCheck(Protocol):
    """Notify's one-time codes (:mod:`services.ticketing.adapters.phone_codes`)."""

    def check(self, code_id: str, code: str, phone: str) -> Checked: ...


@dataclass
class Deps:
    hall: Hall
    uow: UnitOfWork
    metrics: Metrics
    live: Broadcaster
    always_open: bool = False
    new_id: Callable[[], str] = lambda: secrets.token_urlsafe(12)
    # Told of every service whose queue the counters changed (positions move).
    queue_changed: Callable[[str], None] = lambda service: None
    # Rate-limit keys this replica knows are over their limit, with the minute they are over in.
    throttled: dict[str, dt.datetime] = field(default_factory=dict)
    issue_rate: IssueRate = field(default_factory=lambda: IssueRate(20))
    # When a kiosk that stopped beating is silent, and so how often its page beats.
    device_timing: heartbeats.Timing = field(default_factory=heartbeats.Timing)
