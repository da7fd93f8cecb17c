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

from antre.bus import consumed
from antre.events import Envelope
from antre.inbox import first_time, new_events
from antre.uow import Transaction
from services.display.adapters import repository as repo
from services.display.adapters import tables
from services.display.adapters.tables import inbox
from services.display.domain import board as domain
from services.display.domain import hall_events
from services.display.domain.board import CounterSeen, CounterStatus, Stage, TicketSeen
from services.display.domain.hall_events import CounterEvent, HallEvent, TicketEvent
from services.display.handlers import voice, wire
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
            if wire.is_issue(run[0].message):
                told.append(_apply_issued(deps, tx, run))
            else:
                (envelope,) = run
                with consumed(envelope):
                    if first_time(tx.conn, inbox, CONSUMER, envelope.event_id, tx.now):
                        event = wire.hall_event(envelope.message)
                        told.append(_apply(deps, tx, event, envelope.event_id))
        for effects in told:
            _told(deps, effects)


def _runs(envelopes: Sequence[Envelope]) -> Iterator[list[Envelope]]:
    issued: list[Envelope] = []
    for envelope in envelopes:
        if wire.is_issue(envelope.message):
            issued.append(envelope)
            continue
        if issued:
            yield issued
            issued = []
        yield [envelope]
    if issued:
        yield issued


def _apply(deps: Deps, tx: Transaction, event: HallEvent | None, event_id: str) -> Effects:
    if isinstance(event, CounterEvent):
        return _counter_event(deps, tx, event)
    if event is None:
        return Effects()
    report = hall_events.seen(event, deps.hall)
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
    if event.is_call and (decision := _announce(deps, tx, event, event_id)) is not None:
        effects.decisions.append(decision)
    fact = _fact(deps, event)
    if fact is not None:
        effects.zones |= _on_fact(tx, fact)
    return effects


def _apply_issued(deps: Deps, tx: Transaction, run: Sequence[Envelope]) -> Effects:
    """A run of issued tickets in three statements however long it is: which events are new (the
    inbox), the board's rows of their tickets, and the rows written. A new ticket is at no counter,
    so only the waiting counts of its zones change."""
    fresh = new_events(tx.conn, inbox, CONSUMER, run, tx.now)
    issued = [wire.issue(e.message) for e in fresh]  # a run holds issued tickets only
    known = repo.tickets(tx.conn, {event.ticket_id for event in issued})
    changed: dict[str, TicketSeen] = {}
    effects = Effects()
    for envelope, event in zip(fresh, issued, strict=True):
        with consumed(envelope):
            report = hall_events.seen(event, deps.hall)
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


def _fact(deps: Deps, event: TicketEvent) -> domain.CounterFact | None:
    """What a counter's event says of its slot on the board. None for ticketing's events (see
    :func:`hall_events.fact`) and for a counter in no zone."""
    if event.step not in hall_events.FACTS:
        return None
    zone = domain.counter_zone(deps.hall, event.counter, event.counter_zone)
    if not zone:
        log.warning("display: counter %s of %s is in no zone; not shown", event.counter, event.number)
        return None
    known = deps.hall.counter(event.counter)
    return hall_events.fact(event, zone, known.name if known else event.counter_name)


def _on_fact(tx: Transaction, fact: domain.CounterFact) -> set[str]:
    """Apply a fact to its counter's slot and write what the board shows; the zones changed."""
    calls = repo.calls(tx.conn)
    slot, after = domain.on_fact(calls, repo.slot(tx.conn, fact.counter), fact)
    repo.save_slot(tx.conn, slot)
    upserts, removed = domain.changed(calls, after)
    repo.write_calls(tx.conn, upserts, removed)
    return {c.zone for c in upserts.values()} | {calls[n].zone for n in removed}


def _announce(deps: Deps, tx: Transaction, event: TicketEvent, event_id: str) -> Decision | None:
    zone = domain.counter_zone(deps.hall, event.counter, event.counter_zone)
    if not zone:
        return None
    service = deps.hall.service(event.service)
    # The call's own moment, so that a backlog replayed after an outage lands in the past
    # (stale: shown, not spoken); our clock, if the caller's runs ahead of it.
    part = hall_events.part(event, min(event.at, tx.now), service.agency if service else event.agency)
    return voice.announce_call(deps, tx, zone, part, event_id)


def _counter_event(deps: Deps, tx: Transaction, event: CounterEvent) -> Effects:
    zone = domain.counter_zone(deps.hall, event.counter, event.counter_zone)
    if not zone:
        return Effects()
    effects = Effects()
    reason = event.reason[: tables.REASON_LENGTH]  # what the board keeps of a pause's reason
    seen = domain.advance_counter(
        repo.counter(tx.conn, event.counter), CounterSeen(event.counter, zone, event.status, event.at, reason)
    )
    if seen is not None:
        repo.save_counter(tx.conn, seen)
        effects.zones.add(zone)
    if event.status == CounterStatus.CLOSED:
        # A closed counter holds nobody; the slot decides whether the close is the newest fact.
        closed = domain.CounterFact(event.counter, domain.Fact.RELEASED, event.at, zone=zone)
        effects.zones |= _on_fact(tx, closed)
    return effects


def _told(deps: Deps, effects: Effects) -> None:
    voice.told(deps, effects.decisions)
    for zone in effects.zones:
        deps.live.publish(topic(zone), ("board", None))


def prune(deps: Deps) -> int:
    """Forget tickets of hall days before yesterday (yesterday stays for a late redelivery)."""
    with deps.uow.begin() as tx:
        return repo.prune_tickets(tx.conn, deps.hall.day_of(tx.now) - dt.timedelta(days=1))
