"""The hall's events in the display: a ticket's steps and its counter's on the board, and each
call (or recall) in its zone's voice.

Each event is one unit of work: the inbox mark, the announcement (if any) and the board change
commit together, so a redelivered event is neither announced nor counted twice. Boards hear of a
change only after it committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from google.protobuf.message import Message

from antre.bus import consumed
from antre.events import Envelope, as_event, meta_of, to_datetime
from antre.inbox import first_time, new_events
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from services.display.adapters import repository as repo
from services.display.adapters import tables
from services.display.adapters.tables import inbox
from services.display.domain import board as domain
from services.display.domain.announcements import Kind, Part
from services.display.domain.board import CounterSeen, CounterStatus, Source, Stage, TicketSeen
from services.display.handlers import voice
from services.display.handlers.deps import Deps, topic
from services.display.handlers.voice import Decision

log = logging.getLogger(__name__)
CONSUMER = "display-board"


@dataclass
class Effects:
    """What a committed event changed, told to the boards after the commit."""

    decisions: list[Decision] = field(default_factory=list)
    zones: set[str] = field(default_factory=set)


def on_hall_events(deps: Deps, envelopes: Sequence[Envelope]) -> None:
    """A run of issued tickets commits together (a burst at the kiosks is one commit); any other
    event commits alone. Calls, completions and counter changes touch the same now-calling rows
    from two consumers, so they stay short: a call never waits behind a batch holding its row.
    Boards hear of a change after its commit."""
    for run in _runs(envelopes):
        told: list[Effects] = []
        with deps.uow.begin() as tx:
            if isinstance(run[0].message, pb.TicketIssued):
                told.append(_apply_issued(deps, tx, run))
            else:
                (envelope,) = run
                with consumed(envelope):
                    if first_time(tx.conn, inbox, CONSUMER, envelope.event_id, tx.now):
                        told.append(_apply(deps, tx, envelope.message, envelope.event_id))
        for effects in told:
            _told(deps, effects)


def _runs(envelopes: Sequence[Envelope]) -> Iterator[list[Envelope]]:
    issued: list[Envelope] = []
    for envelope in envelopes:
        if isinstance(envelope.message, pb.TicketIssued):
            issued.append(envelope)
            continue
        if issued:
            yield issued
            issued = []
        yield [envelope]
    if issued:
        yield issued


def _apply(deps: Deps, tx: Transaction, message: Message, event_id: str) -> Effects:
    at = to_datetime(meta_of(message).occurred_at)
    if isinstance(message, COUNTER_EVENTS):
        return _counter_event(deps, tx, message, at)
    if not isinstance(message, TICKET_EVENTS):
        return Effects()
    report = _reported(deps, message, _STAGES[type(message)], at)
    before = repo.ticket(tx.conn, report.ticket_id)
    seen = domain.advance(before, report)  # None: a late report, the ticket's stage stays
    effects = Effects()
    if seen is not None:
        repo.save_ticket(tx.conn, seen)
        if Stage.WAITING in (seen.stage, before.stage if before else None):
            effects.zones |= domain.service_zones(deps.hall, seen.service)
            if before is not None:
                effects.zones |= domain.service_zones(deps.hall, before.service)
    # A call is heard even when the board already learnt its ticket was done: it happened
    # (calls have a consumer of their own and may trail the rest).
    if (
        isinstance(message, pb.TicketCalled | pb.TicketRecalled)
        and (decision := _announce(deps, tx, message, at, event_id)) is not None
    ):
        effects.decisions.append(decision)
    fact = _fact(deps, message, at)
    if fact is not None:
        effects.zones |= _on_fact(tx, fact)
    return effects


def _apply_issued(deps: Deps, tx: Transaction, run: Sequence[Envelope]) -> Effects:
    """A run of issued tickets in three statements however long it is: which events are new (the
    inbox), the board's rows of their tickets, and the rows written. A new ticket is at no counter,
    so only the waiting counts of its zones change."""
    fresh = new_events(tx.conn, inbox, CONSUMER, run, tx.now)
    issued = [as_event(e.message, pb.TicketIssued) for e in fresh]  # a run holds issued tickets only
    known = repo.tickets(tx.conn, {message.ticket.ticket_id for message in issued})
    changed: dict[str, TicketSeen] = {}
    effects = Effects()
    for envelope, message in zip(fresh, issued, strict=True):
        with consumed(envelope):
            report = _reported(deps, message, Stage.WAITING, to_datetime(message.meta.occurred_at))
            before = known.get(report.ticket_id)
            seen = domain.advance(before, report)
            if seen is None:
                continue
            known[seen.ticket_id] = changed[seen.ticket_id] = seen
            if Stage.WAITING in (seen.stage, before.stage if before else None):
                effects.zones |= domain.service_zones(deps.hall, seen.service)
                if before is not None:
                    effects.zones |= domain.service_zones(deps.hall, before.service)
    repo.save_tickets(tx.conn, list(changed.values()))
    return effects


def _reported(deps: Deps, message: TicketEvent, stage: Stage, at: dt.datetime) -> TicketSeen:
    """What an event says of its ticket, as the board keeps it."""
    if isinstance(message, pb.TicketIssued) and message.HasField("issued_at"):
        at = to_datetime(message.issued_at)
    ref = message.ticket
    source = (
        Source.TICKETING if isinstance(message, pb.TicketIssued | pb.TicketCancelled) else Source.COUNTERS
    )
    return TicketSeen(ref.ticket_id, ref.number, ref.service, _day(deps, ref, at), stage, at, source)


# The events the board follows, as a tuple for isinstance and as the type it narrows to.
TICKET_EVENTS = (
    pb.TicketIssued,
    pb.TicketTransferred,
    pb.TicketCalled,
    pb.TicketRecalled,
    pb.ServingStarted,
    pb.TicketCompleted,
    pb.TicketSkipped,
    pb.TicketCancelled,
)
TicketEvent = (
    pb.TicketIssued
    | pb.TicketTransferred
    | pb.TicketCalled
    | pb.TicketRecalled
    | pb.ServingStarted
    | pb.TicketCompleted
    | pb.TicketSkipped
    | pb.TicketCancelled
)
COUNTER_EVENTS = (pb.CounterOpened, pb.CounterResumed, pb.CounterPaused, pb.CounterClosed)
CounterEvent = pb.CounterOpened | pb.CounterResumed | pb.CounterPaused | pb.CounterClosed
# A counter's own events about a ticket, which move the counter's slot on the board.
FACT_EVENTS = (
    pb.TicketCalled,
    pb.TicketRecalled,
    pb.ServingStarted,
    pb.TicketCompleted,
    pb.TicketSkipped,
    pb.TicketTransferred,
)

_STAGES: dict[type[Message], Stage] = {
    pb.TicketIssued: Stage.WAITING,
    pb.TicketTransferred: Stage.WAITING,  # into another service's queue
    pb.TicketCalled: Stage.CALLED,
    pb.TicketRecalled: Stage.CALLED,
    pb.ServingStarted: Stage.SERVING,
    pb.TicketCompleted: Stage.DONE,
    pb.TicketSkipped: Stage.DONE,
    pb.TicketCancelled: Stage.DONE,
}


_FACTS: dict[type[Message], domain.Fact] = {
    pb.TicketCalled: domain.Fact.CALLED,
    pb.TicketRecalled: domain.Fact.RECALLED,
    pb.ServingStarted: domain.Fact.SERVING,
    pb.TicketCompleted: domain.Fact.RELEASED,
    pb.TicketSkipped: domain.Fact.RELEASED,
    pb.TicketTransferred: domain.Fact.RELEASED,  # away from this counter, into another queue
}


def _fact(deps: Deps, message: Message, at: dt.datetime) -> domain.CounterFact | None:
    """What a counter's event says of its slot on the board. None for ticketing's events (a
    cancel comes before any call: once the counters spoke, ticketing's word is ignored) and for
    a counter in no zone."""
    if not isinstance(message, FACT_EVENTS):
        return None
    kind = _FACTS[type(message)]
    ref, counter = message.ticket, message.counter
    zone = domain.counter_zone(deps.hall, counter.number, counter.zone)
    if not zone:
        log.warning("display: counter %s of %s is in no zone; not shown", counter.number, ref.number)
        return None
    known = deps.hall.counter(counter.number)
    return domain.CounterFact(
        counter=counter.number,
        kind=kind,
        at=at,
        ticket_id=ref.ticket_id,
        number=ref.number,
        service=ref.service,
        counter_name=known.name if known else counter.name,
        zone=zone,
        recalls=message.recalls if isinstance(message, pb.TicketRecalled) else 0,
    )


def _on_fact(tx: Transaction, fact: domain.CounterFact) -> set[str]:
    """Apply a fact to its counter's slot and write what the board shows; the zones changed."""
    calls = repo.calls(tx.conn)
    slot, after = domain.on_fact(calls, repo.slot(tx.conn, fact.counter), fact)
    repo.save_slot(tx.conn, slot)
    upserts, removed = domain.changed(calls, after)
    repo.write_calls(tx.conn, upserts, removed)
    return {c.zone for c in upserts.values()} | {calls[n].zone for n in removed}


def _announce(
    deps: Deps, tx: Transaction, message: pb.TicketCalled | pb.TicketRecalled, at: dt.datetime, event_id: str
) -> Decision | None:
    ref, counter = message.ticket, message.counter
    zone = domain.counter_zone(deps.hall, counter.number, counter.zone)
    if not zone:
        return None
    service = deps.hall.service(ref.service)
    part = Part(
        ticket_id=ref.ticket_id,
        number=ref.number,
        counter=counter.number,
        kind=Kind.RECALL if isinstance(message, pb.TicketRecalled) else Kind.CALL,
        # The call's own moment, so that a backlog replayed after an outage lands in the past
        # (stale: shown, not spoken); our clock, if the caller's runs ahead of it.
        created_at=min(at, tx.now),
        agency=service.agency if service else message.meta.agency,
    )
    return voice.announce_call(deps, tx, zone, part, event_id)


def _counter_event(deps: Deps, tx: Transaction, message: CounterEvent, at: dt.datetime) -> Effects:
    ref = message.counter
    zone = domain.counter_zone(deps.hall, ref.number, ref.zone)
    if not zone:
        return Effects()
    status = {
        pb.CounterOpened: CounterStatus.OPEN,
        pb.CounterResumed: CounterStatus.OPEN,
        pb.CounterPaused: CounterStatus.PAUSED,
        pb.CounterClosed: CounterStatus.CLOSED,
    }[type(message)]
    effects = Effects()
    seen = domain.advance_counter(
        repo.counter(tx.conn, ref.number), CounterSeen(ref.number, zone, status, at, _reason(message))
    )
    if seen is not None:
        repo.save_counter(tx.conn, seen)
        effects.zones.add(zone)
    if status == CounterStatus.CLOSED:
        # A closed counter holds nobody; the slot decides whether the close is the newest fact.
        closed = domain.CounterFact(ref.number, domain.Fact.RELEASED, at, zone=zone)
        effects.zones |= _on_fact(tx, closed)
    return effects


def _reason(message: Message) -> str:
    """Why a counter paused, as its event says (only a pause has a reason)."""
    return message.reason[: tables.REASON_LENGTH] if isinstance(message, pb.CounterPaused) else ""


def _day(deps: Deps, ref: pb.TicketRef, at: dt.datetime) -> dt.date:
    try:
        return dt.date.fromisoformat(ref.hall_day)
    except ValueError:
        return deps.hall.day_of(at)


def _told(deps: Deps, effects: Effects) -> None:
    voice.told(deps, effects.decisions)
    for zone in effects.zones:
        deps.live.publish(topic(zone), ("board", None))


def prune(deps: Deps) -> int:
    """Forget tickets of hall days before yesterday (yesterday stays for a late redelivery)."""
    with deps.uow.begin() as tx:
        return repo.prune_tickets(tx.conn, deps.hall.day_of(tx.now) - dt.timedelta(days=1))
