"""Tickets joining the queue, from ticketing's events: an issued ticket waits for its service's
counters, one cancelled before it was called leaves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from antre.bus import consumed
from antre.events import Envelope, to_datetime
from antre.hall.model import PriorityGroup
from antre.inbox import new_events
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from antre.wire import CHANNEL_FROM_WIRE, PRIORITY_FROM_WIRE
from services.counters.adapters import repository as repo
from services.counters.adapters.tables import inbox
from services.counters.domain.queue import QueuedTicket, State
from services.counters.handlers.deps import Deps

CONSUMER = "counters-queue"


def on_ticket_events(deps: Deps, envelopes: Sequence[Envelope]) -> None:
    """A batch of events in one transaction: one commit for a burst of issued tickets, and one
    statement for its inbox and one for its new tickets however long the burst is."""
    changed: set[str] = set()
    with deps.uow.begin() as tx:
        queued: list[QueuedTicket] = []
        for envelope in new_events(tx.conn, inbox, CONSUMER, envelopes, tx.now):
            with consumed(envelope):
                message = envelope.message
                if isinstance(message, pb.TicketIssued):
                    queued.append(_queued(message, envelope.traceparent))
                elif isinstance(message, pb.TicketCancelled):
                    changed |= _add(tx, queued)  # its ticket may be among them
                    changed |= _cancel(tx, message)
        changed |= _add(tx, queued)
    for service in changed:
        deps.live.publish("queue", service)


def _add(tx: Transaction, queued: list[QueuedTicket]) -> set[str]:
    """Write the new tickets gathered so far; the services that got one (a ticket already queued,
    its issue event delivered twice, is left as it is)."""
    added = {t.service for t in repo.add_tickets(tx.conn, queued)}
    queued.clear()
    return added


def _cancel(tx: Transaction, message: pb.TicketCancelled) -> set[str]:
    cancelled = repo.get_ticket(tx.conn, message.ticket.ticket_id, lock=True)
    if cancelled is None or cancelled.state != State.WAITING:
        return set()
    repo.save_ticket(tx.conn, replace(cancelled, state=State.CANCELLED, finished_at=tx.now))
    return {cancelled.service}


def _queued(event: pb.TicketIssued, traceparent: str) -> QueuedTicket:
    issued_at = to_datetime(event.issued_at)
    return QueuedTicket(
        id=event.ticket.ticket_id,
        hall_day=dt.date.fromisoformat(event.ticket.hall_day),
        service=event.ticket.service,
        agency=event.meta.agency,
        number=event.ticket.number,
        priority=PRIORITY_FROM_WIRE.get(event.priority, PriorityGroup.NONE),
        channel=CHANNEL_FROM_WIRE.get(event.channel, "walk_in"),
        state=State.WAITING,
        issued_at=issued_at,
        queued_at=issued_at,
        traceparent=traceparent,
        session_start=to_datetime(event.session_start) if event.HasField("session_start") else None,
        booking_id=event.booking_id,
    )
