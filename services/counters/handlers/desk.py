"""The counter an officer's action is taken at, as every feature finds it: the hall's counter, its
station row locked for the action's transaction, the officer signed in at it, and the step's span
in the ticket's journey trace around the event the action publishes."""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import Message

from antre.hall.model import Counter
from antre.people import signed_out
from antre.problems import NotFound
from antre.telemetry import span_under
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from services.counters.adapters import passwords
from services.counters.adapters import repository as repo
from services.counters.domain.queue import QueuedTicket
from services.counters.domain.stations import Officer, Station
from services.counters.handlers.deps import Deps


@dataclass(frozen=True)
class SessionToken:
    """An officer's bearer token, checked inside the action's own transaction. The queue actions
    are the officers' hot path: a separate lookup cost them a transaction and a thread hop each."""

    token: str


Caller = Officer | SessionToken


def _signed_in(tx: Transaction, caller: Caller) -> Officer:
    if isinstance(caller, Officer):
        return caller
    officer = repo.session_officer(tx.conn, passwords.token_hash(caller.token), tx.now)
    if officer is None:
        raise signed_out()
    return officer


def at_desk(deps: Deps, tx: Transaction, caller: Caller, number: int) -> tuple[Officer, Station]:
    """The caller's officer and the counter's station row, locked: for a session token, one
    statement. Refusals keep their order: signed out first, then an unknown counter."""
    if isinstance(caller, Officer) or deps.hall.counter(number) is None:
        officer = _signed_in(tx, caller)
        counter_of(deps, number)
        return officer, station_row(tx, number)
    token_hash = passwords.token_hash(caller.token)
    station, signed = repo.desk(tx.conn, number, token_hash, tx.now)
    if station is None:  # the counter's first use
        repo.ensure_stations(tx.conn, [number])
        station, signed = repo.desk(tx.conn, number, token_hash, tx.now)
    if signed is None:
        raise signed_out()
    assert station is not None
    return signed, station


def counter_of(deps: Deps, number: int) -> Counter:
    counter = deps.hall.counter(number)
    if counter is None:
        raise NotFound("unknown_counter", f"Loket {number} tidak dikenal", f"Unknown counter {number}")
    return counter


def station_row(tx: Transaction, number: int) -> Station:
    station = repo.get_station(tx.conn, number, lock=True)
    if station is None:
        repo.ensure_stations(tx.conn, [number])
        station = repo.get_station(tx.conn, number, lock=True)
    assert station is not None
    return station


def counter_ref(deps: Deps, number: int) -> pb.CounterRef:
    counter = counter_of(deps, number)
    return pb.CounterRef(number=counter.number, name=counter.name, zone=counter.zone)


def emit(deps: Deps, tx: Transaction, ticket: QueuedTicket, span: str, event: Message) -> None:
    # The step's span sits in the ticket's journey trace; the event carries it onwards.
    with span_under(span, ticket.traceparent, "antre.counters", ticket=ticket.number):
        tx.publish(event)
