"""What officers do out of the queue's order, many times a day: call a number they choose, set a
citizen aside while they fetch a document and call them again, and bring a passed-over or held
ticket back into its queue.

Each is one unit of work, like "call next": the counter's row is locked first (every action at a
counter takes turns on it), the ticket's row is changed only from the state the rule expects (a
compare-and-set, or a row lock on PostgreSQL and ``BEGIN IMMEDIATE`` on SQLite), and its event
goes into the outbox in the same transaction. So two officers never both call one number, a
returned ticket is in one queue once, and a held ticket is always its counter's until called or
returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antre.events import new_meta, ticket_ref, timestamp
from antre.problems import Conflict, NotFound
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from antre.wire import PRIORITY_TO_WIRE
from services.counters.adapters import repository as repo
from services.counters.domain import queue, stations
from services.counters.domain.queue import QueuedTicket, State
from services.counters.handlers import calls, desk
from services.counters.handlers.deps import Deps
from services.counters.handlers.desk import Caller, counter_of, counter_ref, emit

WAS = {State.SKIPPED: "skipped", State.NO_SHOW: "no_show", State.HELD: "held"}


@dataclass(frozen=True)
class Returned:
    ticket: QueuedTicket
    ahead: int  # tickets of its service and lane before it when it rejoined


def call_number(deps: Deps, caller: Caller, number: int, ticket_number: str) -> QueuedTicket:
    """Call the waiting ticket an officer names, out of the policy's order. The counter's streaks
    stay as they were: the policy did not choose."""
    wanted = queue.number_of(ticket_number)
    with deps.uow.begin() as tx:
        officer, station = desk.at_desk(deps, tx, caller, number)
        counter = counter_of(deps, number)
        stations.ready_to_call(station, officer)
        ticket = _named(tx, wanted, deps.hall.day_of(tx.now))
        queue.may_call(ticket, number, counter.services, deps.hall.day_of(tx.now))
        held = stations.holding(station, ticket.id, station.priority_streak, station.booked_streak)
        called = repo.claim_holding(tx.conn, ticket.id, held, officer.username, tx.now)
        if called is None:  # called elsewhere between the read and the claim
            raise Conflict(
                "ticket_not_waiting",
                f"Nomor {wanted} baru saja dipanggil loket lain",
                f"Ticket {wanted} was just called by another counter",
            )
        calls.emit_called(deps, tx, called, number, officer, pb.CALL_KIND_CHOSEN)
    calls.calls_made(deps, called, number, first=called.returned_at is None)
    return called


def hold(deps: Deps, caller: Caller, number: int) -> QueuedTicket:
    """Set the citizen at the counter aside; the counter is free to call the next."""
    with deps.uow.begin() as tx:
        officer, station = desk.at_desk(deps, tx, caller, number)
        stations.held_by(station, officer)
        ticket = repo.get_ticket(tx.conn, station.current, lock=True) if station.current else None
        if ticket is None:
            raise Conflict(
                "no_current_ticket",
                "Tidak ada nomor yang sedang dilayani di loket ini",
                "No ticket at this counter",
            )
        held = queue.hold(ticket, number, tx.now)
        repo.save_ticket(tx.conn, held)
        repo.save_station(tx.conn, stations.released(station))
        event = pb.TicketHeld(
            meta=new_meta(deps.hall.id, held.agency, tx.now),
            ticket=ticket_ref(held),
            counter=counter_ref(deps, number),
            officer=officer.username,
            serving=ticket.state == State.SERVING,
        )
        emit(deps, tx, held, "ticket.held", event)
    deps.metrics.holds.labels(held.agency, held.service).inc()
    deps.live.publish("queue", held.service)
    return held


def call_held(deps: Deps, caller: Caller, number: int, ticket_number: str) -> QueuedTicket:
    """Call again a citizen this counter held: the counter must be free, as for any call."""
    wanted = queue.number_of(ticket_number)
    with deps.uow.begin() as tx:
        officer, station = desk.at_desk(deps, tx, caller, number)
        counter_of(deps, number)
        stations.ready_to_call(station, officer)
        ticket = _named(tx, wanted, deps.hall.day_of(tx.now))
        called = queue.call_held(ticket, number, officer.username, tx.now)
        repo.save_ticket(tx.conn, called)
        at_desk = stations.holding(station, called.id, station.priority_streak, station.booked_streak)
        repo.save_station(tx.conn, at_desk)
        calls.emit_called(deps, tx, called, number, officer, pb.CALL_KIND_HELD)
    calls.calls_made(deps, called, number, first=False)
    return called


def bring_back(deps: Deps, caller: Caller, number: int, ticket_number: str) -> Returned:
    """Bring a passed-over ticket of today (at any counter serving its service) or one this
    counter holds back into its service's queue, ``queue.return_after`` tickets of its lane
    before it."""
    wanted = queue.number_of(ticket_number)
    with deps.uow.begin() as tx:
        officer, station = desk.at_desk(deps, tx, caller, number)
        counter = counter_of(deps, number)
        stations.held_by(station, officer)
        today = deps.hall.day_of(tx.now)
        ticket = _named(tx, wanted, today)
        rules = deps.hall.queue
        waiting = [b.candidate for b in repo.waiting_in(tx.conn, [ticket.service], today)]
        lane = queue.lane_of(ticket, waiting, fifo=rules.dispatch == "fifo")
        place, ahead = queue.place_after(lane, rules.return_after, tx.now)
        back = queue.bring_back(ticket, number, counter.services, today, place, tx.now)
        repo.save_ticket(tx.conn, back)
        event = pb.TicketReturned(
            meta=new_meta(deps.hall.id, back.agency, tx.now),
            ticket=ticket_ref(back),
            counter=counter_ref(deps, number),
            officer=officer.username,
            was=WAS[ticket.state],
            queued_at=timestamp(back.queued_at),
            ahead=ahead,
            priority=PRIORITY_TO_WIRE[back.priority],
        )
        emit(deps, tx, back, "ticket.returned", event)
    deps.metrics.returns.labels(back.agency, back.service, WAS[ticket.state]).inc()
    deps.live.publish("queue", back.service)
    return Returned(back, ahead)


def _named(tx: Transaction, number: str, day: dt.date) -> QueuedTicket:
    """Today's ticket with this number, its row locked (PostgreSQL) until the commit."""
    ticket = repo.ticket_by_number(tx.conn, number, day, lock=True)
    if ticket is None:
        raise NotFound(
            "unknown_ticket_number",
            f"Nomor {number} tidak ada hari ini",
            f"There is no ticket {number} today",
        )
    return ticket
