"""Commands from agencies' own systems: pause, resume or close one of the agency's counters.

The subject's agency token says who sent a command (``antre.<hall>.<agency>.command.counter.<verb>``):
the hall's NATS server lets an agency publish only under its own code (see deploy/nats). A command
is applied only to a counter whose services all belong to the sender; anything else is refused:
logged, counted, and answered by ``counter.command_refused`` on the sender's subjects, changing
nothing. A command's id goes into the inbox in the same transaction as the change it caused and
the events it produced, so a redelivered command does nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from google.protobuf.message import Message

from antre.events import COMMANDS, Envelope, meta_of, new_meta, to_datetime
from antre.hall.model import Hall
from antre.inbox import first_time
from antre.problems import Forbidden, Invalid, NotFound, Problem
from antre.uow import Transaction, UnitOfWork
from antre.v1 import commands_pb2 as cmd
from antre.v1 import events_pb2 as pb
from services.counters.adapters.tables import inbox
from services.counters.domain.stations import Officer, Station, StationState
from services.counters.handlers.deps import Deps
from services.counters.handlers.desk import station_row
from services.counters.handlers.stations import close_counter, pause_counter, resume_counter
from services.counters.metrics import CommandMetrics

log = logging.getLogger(__name__)

CONSUMER = "counters-commands"
# A command is a wish for now: one that waited longer (the counters were down, or the sender's
# clock is wrong) is refused rather than applied to a counter whose day has moved on.
MAX_AGE = dt.timedelta(minutes=15)
MAX_ID = 36  # the inbox's event id column


def on_commands(deps: Deps, metrics: CommandMetrics, envelopes: Sequence[Envelope]) -> list[str]:
    return [on_command(deps, metrics, envelope) for envelope in envelopes]


def on_command(deps: Deps, metrics: CommandMetrics, envelope: Envelope) -> str:
    """Apply or refuse one command; returns the outcome counted."""
    sender = envelope.subject.split(".")[2]
    message = envelope.message
    name = COMMANDS.get(type(message), "")
    agency = sender if deps.hall.agency(sender) is not None else "unknown"  # bounded label values
    meta = meta_of(message)
    with deps.uow.begin() as tx:
        try:
            _well_formed(deps.hall, sender, envelope, name, tx.now)
            if not first_time(tx.conn, inbox, _inbox_consumer(sender), meta.event_id, tx.now):
                outcome = "duplicate"
            else:
                outcome = _apply_within(deps, tx, sender, message)
        except Problem as problem:
            log.warning("command %s %s from %s refused: %s", name, meta.event_id, sender, problem)
            tx.publish(_refusal(deps.hall, sender, message, name, problem, tx.now))
            metrics.refused.labels(agency, problem.code).inc()
            outcome = "refused"
    metrics.taken.labels(agency, name or "unknown", outcome).inc()
    return outcome


def _apply_within(deps: Deps, tx: Transaction, sender: str, message: Message) -> str:
    """Run the officer's own handler inside this transaction (a savepoint, so that a refusal
    leaves nothing of it behind), acting as the officer who holds the counter."""
    if not isinstance(message, cmd.PauseCounter | cmd.ResumeCounter | cmd.CloseCounter):
        raise Invalid("unknown_command", "Perintah tidak dikenal", "Unknown command")  # refused before
    number = message.counter
    _owned_by(deps.hall, number, sender)
    joined = replace(deps, uow=_Within(tx, deps.uow))
    savepoint = tx.conn.begin_nested()
    try:
        before = station_row(tx, number)
        if isinstance(message, cmd.CloseCounter) and before.state == StationState.CLOSED:
            savepoint.commit()
            return "unchanged"  # the state the command asks for; an officer closing twice is told off
        officer = Officer(before.officer, before.officer, sender)
        after = _dispatch(joined, officer, message)
    except Problem:
        savepoint.rollback()
        raise
    savepoint.commit()
    return "unchanged" if after == before else "applied"


def _dispatch(deps: Deps, officer: Officer, message: Message) -> Station:
    if isinstance(message, cmd.PauseCounter):
        return pause_counter(deps, officer, message.counter, message.reason)
    if isinstance(message, cmd.ResumeCounter):
        return resume_counter(deps, officer, message.counter)
    if isinstance(message, cmd.CloseCounter):
        return close_counter(deps, officer, message.counter)
    raise Invalid("unknown_command", "Perintah tidak dikenal", "Unknown command")


class _Within(UnitOfWork):
    """A unit of work whose every transaction is one already open, so that the officer's handler
    commits (or not) together with the command's inbox record."""

    def __init__(self, tx: Transaction, outer: UnitOfWork) -> None:
        # Deliberately not UnitOfWork.__init__: this one never opens a transaction of its own.
        self.engine = outer.engine
        self.clock = outer.clock
        self._tx = tx

    @contextmanager
    def begin(self) -> Iterator[Transaction]:
        yield self._tx


def _well_formed(hall: Hall, sender: str, envelope: Envelope, name: str, now: dt.datetime) -> None:
    meta = meta_of(envelope.message)
    if not name:
        raise Invalid(
            "not_a_command",
            f"{envelope.name} bukan perintah untuk loket",
            f"{envelope.name} is not a counter command",
        )
    if not 0 < len(meta.event_id) <= MAX_ID:
        raise Invalid(
            "bad_command_id",
            f"meta.event_id perintah wajib diisi, paling panjang {MAX_ID} karakter",
            f"The command's meta.event_id is required, at most {MAX_ID} characters",
        )
    if meta.hall != hall.id or meta.agency != sender:
        raise Forbidden(
            "wrong_sender",
            f"meta perintah harus menyebut aula {hall.id} dan instansi {sender} seperti subjeknya",
            f"The command's meta must name hall {hall.id} and agency {sender}, as its subject does",
        )
    sent = to_datetime(meta.occurred_at) if meta.HasField("occurred_at") else None
    if sent is None or abs(now - sent) > MAX_AGE:
        minutes = int(MAX_AGE.total_seconds() // 60)
        raise Invalid(
            "command_out_of_time",
            f"Waktu perintah (meta.occurred_at) harus dalam {minutes} menit dari jam aula",
            f"The command's time (meta.occurred_at) must be within {minutes} minutes of the hall's clock",
        )


def _owned_by(hall: Hall, number: int, agency: str) -> None:
    """A counter shared by several agencies is left to the hall's own staff."""
    counter = hall.counter(number)
    if counter is None:
        raise NotFound("unknown_counter", f"Loket {number} tidak dikenal", f"Unknown counter {number}")
    if hall.counter_agencies(counter) != {agency}:
        raise Forbidden(
            "wrong_agency",
            f"Loket {number} bukan loket instansi {agency}",
            f"Counter {number} is not a counter of agency {agency}",
        )


def _refusal(
    hall: Hall, sender: str, message: Message, name: str, problem: Problem, now: dt.datetime
) -> cmd.CommandRefused:
    number = int(getattr(message, "counter", 0))
    counter = hall.counter(number)
    ref = pb.CounterRef(number=number)
    if counter is not None:
        ref = pb.CounterRef(number=counter.number, name=counter.name, zone=counter.zone)
    return cmd.CommandRefused(
        meta=new_meta(hall.id, sender, now),
        command_id=meta_of(message).event_id,
        command=name,
        counter=ref,
        code=problem.code,
        reason=problem.message,
        reason_en=problem.message_en,
    )


def _inbox_consumer(sender: str) -> str:
    """Command ids are chosen by the senders: keyed by sender, one agency's ids can never shadow
    another's. (The inbox's consumer column holds 64 characters; a longer code is hashed.)"""
    key = f"{CONSUMER}:{sender}"
    return key if len(key) <= 64 else f"{CONSUMER}:{hashlib.sha256(sender.encode()).hexdigest()[:40]}"
