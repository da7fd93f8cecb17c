"""The events ticketing reacts to: the counters' reports on its tickets (the counters own the
queue), which the status page follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from google.protobuf.message import Message

from antre.bus import consumed
from antre.events import Envelope
from antre.inbox import first_time
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from services.ticketing.adapters import repository as repo
from services.ticketing.adapters.tables import inbox
from services.ticketing.domain import tickets as domain
from services.ticketing.domain.tickets import State, Ticket
from services.ticketing.handlers.deps import Deps

# The counters' reports a ticket's status follows (a skip's state depends on the report).
FOLLOWED_EVENTS = (
    pb.TicketCalled,
    pb.TicketRecalled,
    pb.ServingStarted,
    pb.TicketCompleted,
    pb.TicketTransferred,
    pb.TicketSkipped,
)
_FOLLOWED: dict[type[Message], State] = {
    pb.TicketCalled: State.CALLED,
    pb.TicketRecalled: State.CALLED,
    pb.ServingStarted: State.SERVING,
    pb.TicketCompleted: State.COMPLETED,
    pb.TicketTransferred: State.WAITING,
}
CONSUMER = "ticketing-status"


def on_queue_events(deps: Deps, envelopes: Sequence[Envelope]) -> None:
    """A batch of the counters' reports in one transaction; status pages hear after the commit."""
    followed: list[tuple[str, Ticket]] = []
    with deps.uow.begin() as tx:
        for envelope in envelopes:
            with consumed(envelope):
                if (change := _follow(tx, envelope)) is not None:
                    followed.append(change)
    for service, ticket in followed:
        deps.queue_changed(service)
        deps.live.publish(f"ticket:{ticket.id}", ticket.state.value)
        deps.live.publish(f"service:{service}", ticket.id)


def _follow(tx: Transaction, envelope: Envelope) -> tuple[str, Ticket] | None:
    """The ticket as the counters' report leaves it, with the service it was in before."""
    message = envelope.message
    if not isinstance(message, FOLLOWED_EVENTS):
        return None
    if isinstance(message, pb.TicketSkipped):
        state = State.NO_SHOW if message.no_show else State.SKIPPED
    else:
        state = _FOLLOWED[type(message)]
    if not first_time(tx.conn, inbox, CONSUMER, envelope.event_id, tx.now):
        return None
    ticket = repo.get(tx.conn, message.ticket.ticket_id, lock=True)
    if ticket is None:
        return None
    counter = getattr(message, "counter", None)
    moved = isinstance(message, pb.TicketTransferred)
    followed = domain.follow_counter(
        ticket,
        state,
        message.meta.occurred_at.ToDatetime(tzinfo=dt.UTC),
        service=message.ticket.service if moved else None,
        agency=message.meta.agency if moved else None,
        counter=counter.number if counter is not None and not moved else None,
        counter_name=counter.name if counter is not None else "",
    )
    repo.save(tx.conn, followed)
    return ticket.service, followed
