"""The display's test factories: a clock that moves only when told, the hall's events as the
counters and ticketing publish them, and handler dependencies over a migrated SQLite store."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from antre import db
from antre.events import Envelope, new_meta, subject_for, timestamp
from antre.hall.model import Hall
from antre.live import Broadcaster
from antre.uow import UnitOfWork
from antre.v1 import events_pb2 as pb
from services.display import handlers
from services.display.adapters.tables import outbox
from services.display.bootstrap import MIGRATIONS
from services.display.metrics import Metrics

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)  # 09:15 WITA, a Monday
DAY = "2026-03-02"


class Clock:
    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now


class RecordingBroadcaster(Broadcaster):
    """Keeps what handlers told the boards (a real broadcaster drops it without a loop)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, Any]] = []

    def publish(self, topic: str, item: Any) -> None:
        self.sent.append((topic, item))
        super().publish(topic, item)


def ungrouped(hall: Hall) -> Hall:
    """The hall with burst grouping off: one announcement per call, whatever the backlog."""
    return replace(hall, announcements=replace(hall.announcements, group_max=1))


def display_deps(folder: Path, hall: Hall, clock: Clock | None = None) -> handlers.Deps:
    engine = db.make_engine(f"sqlite:///{folder / 'd.db'}")
    db.migrate(engine, MIGRATIONS)
    return deps_over(engine, hall, clock)


def deps_over(engine: Engine, hall: Hall, clock: Clock | None = None) -> handlers.Deps:
    return handlers.Deps(
        hall=hall,
        uow=UnitOfWork(engine, outbox, clock or Clock()),
        metrics=Metrics(CollectorRegistry()),
        live=RecordingBroadcaster(),
    )


# ---- events ----


def _agency(hall: Hall, service: str) -> str:
    found = hall.service(service)
    return found.agency if found else "dukcapil"


def _ticket(ticket_id: str, service: str, number: str, day: str = DAY) -> pb.TicketRef:
    return pb.TicketRef(ticket_id=ticket_id, service=service, number=number, hall_day=day)


def _counter(hall: Hall, number: int) -> pb.CounterRef:
    counter = hall.counter(number)
    return pb.CounterRef(
        number=number, name=counter.name if counter else "", zone=counter.zone if counter else ""
    )


def envelope(message: Any) -> Envelope:
    return Envelope(subject_for(message), message)


def issued(
    hall: Hall, ticket_id: str, number: str, service: str, at: dt.datetime, day: str = DAY
) -> Envelope:
    return envelope(
        pb.TicketIssued(
            meta=new_meta(hall.id, _agency(hall, service), at),
            ticket=_ticket(ticket_id, service, number, day),
            channel=pb.CHANNEL_WALK_IN,
            issued_at=timestamp(at),
        )
    )


def called(hall: Hall, ticket_id: str, number: str, service: str, counter: int, at: dt.datetime) -> Envelope:
    return envelope(
        pb.TicketCalled(
            meta=new_meta(hall.id, _agency(hall, service), at),
            ticket=_ticket(ticket_id, service, number),
            counter=_counter(hall, counter),
        )
    )


def recalled(
    hall: Hall, ticket_id: str, number: str, service: str, counter: int, at: dt.datetime, recalls: int = 1
) -> Envelope:
    return envelope(
        pb.TicketRecalled(
            meta=new_meta(hall.id, _agency(hall, service), at),
            ticket=_ticket(ticket_id, service, number),
            counter=_counter(hall, counter),
            recalls=recalls,
        )
    )


def serving(hall: Hall, ticket_id: str, number: str, service: str, counter: int, at: dt.datetime) -> Envelope:
    return envelope(
        pb.ServingStarted(
            meta=new_meta(hall.id, _agency(hall, service), at),
            ticket=_ticket(ticket_id, service, number),
            counter=_counter(hall, counter),
        )
    )


def completed(
    hall: Hall, ticket_id: str, number: str, service: str, counter: int, at: dt.datetime
) -> Envelope:
    return envelope(
        pb.TicketCompleted(
            meta=new_meta(hall.id, _agency(hall, service), at),
            ticket=_ticket(ticket_id, service, number),
            counter=_counter(hall, counter),
        )
    )


def skipped(hall: Hall, ticket_id: str, number: str, service: str, counter: int, at: dt.datetime) -> Envelope:
    return envelope(
        pb.TicketSkipped(
            meta=new_meta(hall.id, _agency(hall, service), at),
            ticket=_ticket(ticket_id, service, number),
            counter=_counter(hall, counter),
            no_show=True,
            recalls=2,
        )
    )


def transferred(
    hall: Hall, ticket_id: str, number: str, from_service: str, to_service: str, counter: int, at: dt.datetime
) -> Envelope:
    return envelope(
        pb.TicketTransferred(
            meta=new_meta(hall.id, _agency(hall, to_service), at),
            ticket=_ticket(ticket_id, to_service, number),
            from_service=from_service,
            from_agency=_agency(hall, from_service),
            counter=_counter(hall, counter),
        )
    )


def cancelled(hall: Hall, ticket_id: str, number: str, service: str, at: dt.datetime) -> Envelope:
    return envelope(
        pb.TicketCancelled(
            meta=new_meta(hall.id, _agency(hall, service), at),
            ticket=_ticket(ticket_id, service, number),
            reason="print_timeout",
        )
    )


def counter_event(hall: Hall, kind: str, counter: int, at: dt.datetime) -> Envelope:
    """``kind``: opened, paused, resumed or closed."""
    cls = {
        "opened": pb.CounterOpened,
        "paused": pb.CounterPaused,
        "resumed": pb.CounterResumed,
        "closed": pb.CounterClosed,
    }[kind]
    desk = hall.counter(counter)
    agency = next(iter(hall.counter_agencies(desk))) if desk else "dukcapil"
    return envelope(cls(meta=new_meta(hall.id, agency, at), counter=_counter(hall, counter)))


def sample(metric: Any, name: str, **labels: str) -> float:
    """A metric's sample by name and labels (0 when it has none yet)."""
    for family in metric.collect():
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0
