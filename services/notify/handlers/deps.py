"""What notify's handlers need, handed in by bootstrap (or by tests, with fakes)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from antre.hall.model import Hall
from antre.uow import UnitOfWork
from services.notify.adapters.channels.base import Result
from services.notify.domain import deliveries as domain
from services.notify.domain.deliveries import Delivery
from services.notify.metrics import Metrics


class Sender(Protocol):
    """Sends a batch of deliveries, each to its address, and says how each went (in order)."""

    def send_all(self, items: Sequence[tuple[Delivery, str]]) -> Sequence[Result]: ...


class Positions(Protocol):
    """Where tickets of one service stand: 1 is next; None is not waiting (or not known yet)."""

    def positions(self, service: str, ticket_ids: list[str]) -> dict[str, int | None]: ...


@dataclass(frozen=True)
class Citizens:
    """Messages to citizens: off (no channel configured) unless bootstrap says otherwise."""

    channels: frozenset[str] = frozenset()  # the citizen channels configured: email, whatsapp, sms
    optout_key: bytes = b""
    optout_url: str = ""
    survey_url: str = ""
    retention_days: int = 3
    positions: Positions | None = None
    batch: int = 100  # contacts per round of the position job
    # A demo hall: one-time codes without a real channel go to the demo channel, shown on the demo
    # page. Never set outside ANTRE_DEMO, so a real hall's codes reach only their phones.
    demo: bool = False

    @property
    def enabled(self) -> bool:
        return bool(self.channels)


@dataclass
class Deps:
    hall: Hall
    uow: UnitOfWork
    metrics: Metrics
    sender: Sender
    max_attempts: int = domain.MAX_ATTEMPTS
    batch: int = 50
    # How long a claimed delivery stays hidden from other workers. Far longer than a batch can
    # take (sent in parallel, each phase bounded by the timeout), so a delivery is sent twice at
    # once only if its worker died mid-send; then the lease runs out and it is simply retried.
    lease: dt.timedelta = dt.timedelta(minutes=2)
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    citizens: Citizens = field(default_factory=Citizens)
