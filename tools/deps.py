"""Handlers wired to a real store (SQLite file or PostgreSQL schema) without HTTP or NATS, for the
tests and the benchmarks: the outbox fills up, and nothing publishes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from antre.hall.model import Hall
from antre.live import Broadcaster
from antre.runtime import utcnow
from antre.uow import UnitOfWork
from services.counters import handlers as counters
from services.counters.adapters.tables import outbox as counters_outbox
from services.counters.metrics import Metrics as CountersMetrics
from services.ticketing import handlers as ticketing
from services.ticketing.adapters.tables import outbox as ticketing_outbox
from services.ticketing.metrics import Metrics as TicketingMetrics

Clock = Callable[[], dt.datetime]


def ticketing_deps(
    engine: Engine, hall: Hall, clock: Clock = utcnow, always_open: bool = True
) -> ticketing.Deps:
    return ticketing.Deps(
        hall=hall,
        uow=UnitOfWork(engine, ticketing_outbox, clock),
        metrics=TicketingMetrics(CollectorRegistry()),
        live=Broadcaster(),
        always_open=always_open,
    )


def counters_deps(engine: Engine, hall: Hall, clock: Clock = utcnow) -> counters.Deps:
    deps = counters.Deps.for_hall(
        hall, UnitOfWork(engine, counters_outbox, clock), CountersMetrics(CollectorRegistry()), Broadcaster()
    )
    counters.prepare(deps)
    return deps
