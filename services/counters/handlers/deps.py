"""What the counters' handlers need, handed in by bootstrap (or by tests, with fakes)."""

from __future__ import annotations

import asyncio
import datetime as dt
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from antre.hall.model import Hall
from antre.uow import UnitOfWork
from services.counters.domain import blending
from services.counters.metrics import Metrics


class Live(Protocol):
    """Pages following the queues: a handler names the service whose queue changed, after its
    commit; the operator pages listen (:class:`antre.live.Broadcaster` in the service)."""

    def publish(self, topic: str, item: Any) -> None: ...

    def listen(self, topic: str) -> AbstractAsyncContextManager[asyncio.Queue[Any]]: ...


@dataclass
class Deps:
    hall: Hall
    uow: UnitOfWork
    metrics: Metrics
    live: Live
    # How each counter blends booked and walk-in tickets (the policy its services agree on).
    blends: dict[int, blending.BlendPolicy]
    # Sign-in keys (a username, a client) this replica blocked, until when: a guesser is refused
    # from memory, before any thread, transaction or password hash (the database has them too).
    sign_in_blocks: dict[str, dt.datetime] = field(default_factory=dict)

    @classmethod
    def for_hall(cls, hall: Hall, uow: UnitOfWork, metrics: Metrics, live: Live) -> Deps:
        blends = {
            c.number: blending.counter_policy([s for s in hall.services if s.code in c.services])
            for c in hall.counters
        }
        return cls(hall, uow, metrics, live, blends)
