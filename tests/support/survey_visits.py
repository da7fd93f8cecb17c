"""Single visits for the SKM survey's tests, as the hall's events tell them: issued, called at a
counter, served and completed (or skipped as a no-show, or still waiting), fed into the reports'
record through its own consumer handler."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from google.protobuf.message import Message

from antre.events import new_meta, timestamp
from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from services.reports.handlers import Deps
from tests.support.visit_day import feed

_numbers = itertools.count(1)


def visit_events(
    hall: Hall,
    service: str,
    counter: int,
    finished: dt.datetime,
    fate: str = "served",  # served, no_show or waiting
    ticket_id: str = "",
) -> tuple[str, str, list[Message]]:
    """(ticket id, number, events) of one visit ending at ``finished``; its day is the hall day
    of that moment."""
    ticket_id = ticket_id or uuid.uuid4().hex[:16]
    agency = next(s.agency for s in hall.services if s.code == service)
    prefix = next(s.prefix for s in hall.services if s.code == service)
    number = f"{prefix}-{next(_numbers):03d}"
    ref = pb.TicketRef(
        ticket_id=ticket_id, service=service, number=number, hall_day=hall.day_of(finished).isoformat()
    )
    cref = pb.CounterRef(number=counter, name=f"Loket {counter}")
    issued, called, started = (finished - dt.timedelta(minutes=m) for m in (30, 10, 9))

    def meta(at: dt.datetime) -> pb.EventMeta:
        return new_meta(hall.id, agency, at)

    events: list[Message] = [
        pb.TicketIssued(
            meta=meta(issued), ticket=ref, channel=pb.CHANNEL_WALK_IN, issued_at=timestamp(issued)
        )
    ]
    if fate == "waiting":
        return ticket_id, number, events
    events.append(pb.TicketCalled(meta=meta(called), ticket=ref, counter=cref, officer="siti"))
    if fate == "no_show":
        events.append(
            pb.TicketSkipped(meta=meta(finished), ticket=ref, counter=cref, no_show=True, recalls=2)
        )
        return ticket_id, number, events
    events.append(pb.ServingStarted(meta=meta(started), ticket=ref, counter=cref))
    events.append(
        pb.TicketCompleted(
            meta=meta(finished), ticket=ref, counter=cref, serving_started_at=timestamp(started)
        )
    )
    return ticket_id, number, events


def record_visit(
    deps: Deps, service: str, counter: int, finished: dt.datetime, fate: str = "served"
) -> tuple[str, str]:
    """One visit into the record; (its ticket id, its number)."""
    ticket_id, number, events = visit_events(deps.hall, service, counter, finished, fate)
    feed(deps, events)
    return ticket_id, number
