"""The hall's events into the record: visits and their legs, bookings, the counters as they
stand, survey responses and the hall's devices. A batch is one transaction: the inbox drops what
was applied before (a redelivery, a duplicate), the visits the batch touches are read once, folded
in the stream's order and written back once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from google.protobuf.message import Message
from sqlalchemy import Connection, RowMapping, select, update

from antre.bus import consumed
from antre.events import Envelope, meta_of, to_datetime
from antre.inbox import new_events
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from antre.wire import CHANNEL_FROM_WIRE, PRIORITY_FROM_WIRE
from services.reports.adapters import record
from services.reports.adapters.tables import bookings, inbox, stations
from services.reports.domain import stations as station
from services.reports.domain import visits as fold
from services.reports.domain.visits import Visit
from services.reports.handlers.deps import Deps
from services.reports.handlers.devices import apply_status
from services.reports.handlers.surveys import apply_answered

CONSUMER = "reports-record"
PRIORITY = {wire: group.value for wire, group in PRIORITY_FROM_WIRE.items()}
CHANNEL = CHANNEL_FROM_WIRE
TICKET_EVENTS = (
    pb.TicketIssued,
    pb.TicketCalled,
    pb.TicketRecalled,
    pb.ServingStarted,
    pb.TicketCompleted,
    pb.TicketSkipped,
    pb.TicketTransferred,
    pb.TicketCancelled,
    pb.TicketHeld,
    pb.TicketReturned,
)
COUNTER_EVENTS = (pb.CounterOpened, pb.CounterPaused, pb.CounterResumed, pb.CounterClosed)
# The same classes as types: isinstance against the tuples narrows a message to these.
TicketEvent = (
    pb.TicketIssued
    | pb.TicketCalled
    | pb.TicketRecalled
    | pb.ServingStarted
    | pb.TicketCompleted
    | pb.TicketSkipped
    | pb.TicketTransferred
    | pb.TicketCancelled
    | pb.TicketHeld
    | pb.TicketReturned
)
CounterEvent = pb.CounterOpened | pb.CounterPaused | pb.CounterResumed | pb.CounterClosed
# What a counter's tickets do to the counter: held (called, serving) or let go (the rest).
HOLDING: dict[type[Message], str] = {
    pb.TicketCalled: station.CALLED,
    pb.TicketRecalled: station.CALLED,
    pb.ServingStarted: station.SERVING,
}
LETTING_GO = (pb.TicketCompleted, pb.TicketSkipped, pb.TicketTransferred, pb.TicketCancelled, pb.TicketHeld)


@dataclass
class Batch:
    """What one batch touched, read once and written once."""

    visits: dict[str, Visit]
    stations: dict[int, station.Station] = field(default_factory=dict)
    changed_visits: set[str] = field(default_factory=set)
    changed_stations: set[int] = field(default_factory=set)
    unknown: int = 0  # events about tickets issued before the stream's history


def on_events(deps: Deps, envelopes: Sequence[Envelope]) -> int:
    """Apply a batch of events; returns how many were applied for the first time."""
    with deps.uow.begin() as tx:
        fresh = new_events(tx.conn, inbox, CONSUMER, envelopes, tx.now)
        if not fresh:
            return 0
        tickets = [e.message.ticket.ticket_id for e in fresh if isinstance(e.message, TICKET_EVENTS)]
        batch = Batch(record.load(tx.conn, tickets))
        for envelope in fresh:
            with consumed(envelope):
                _apply(deps, tx, batch, envelope.message)
        record.save(tx.conn, deps.hall.id, [batch.visits[t] for t in sorted(batch.changed_visits)])
        _save_stations(tx.conn, deps.hall.id, batch)
    done = deps.uow.clock()
    for envelope in fresh:
        deps.metrics.lag.observe(
            max(0.0, (done - to_datetime(meta_of(envelope.message).occurred_at)).total_seconds())
        )
    deps.metrics.applied(len(fresh), batch.unknown)
    deps.changed()
    return len(fresh)


def _apply(deps: Deps, tx: Transaction, batch: Batch, message: Message) -> None:
    if isinstance(message, TICKET_EVENTS):
        _ticket(deps, tx, batch, message)
    elif isinstance(message, COUNTER_EVENTS):
        _counter(deps, tx.conn, batch, message)
    elif type(message) in BOOKING_EVENTS:
        BOOKING_EVENTS[type(message)](deps, tx.conn, message)
    elif isinstance(message, pb.SurveyAnswered):
        apply_answered(tx.conn, deps.hall.id, message)
    elif isinstance(message, pb.DeviceStatus):
        apply_status(tx.conn, deps.hall.id, message)


def _ticket(deps: Deps, tx: Transaction, batch: Batch, msg: TicketEvent) -> None:
    ref = msg.ticket
    at = to_datetime(msg.meta.occurred_at)
    zone = deps.zone
    if isinstance(msg, pb.TicketIssued):
        if ref.ticket_id in batch.visits:
            return  # issued twice under two event ids: the first one stands
        issued_at = to_datetime(msg.issued_at) if msg.HasField("issued_at") else at
        batch.visits[ref.ticket_id] = fold.issued(
            ticket_id=ref.ticket_id,
            day=deps.day_of(ref.hall_day, issued_at),
            number=ref.number,
            service=ref.service,
            agency=msg.meta.agency,
            channel=CHANNEL.get(msg.channel, "walk_in"),
            priority=PRIORITY.get(msg.priority, "none"),
            kiosk=msg.kiosk,
            booking_id=msg.booking_id,
            at=issued_at,
            hour=fold.hall_hour(issued_at, zone),
        )
        batch.changed_visits.add(ref.ticket_id)
        return
    visit = batch.visits.get(ref.ticket_id)
    if visit is None:
        batch.unknown += 1
        return
    counter = msg.counter.number if hasattr(msg, "counter") else 0
    if isinstance(msg, pb.TicketCancelled) and visit.leg.outcome in (
        fold.Outcome.CALLED,
        fold.Outcome.SERVING,
    ):
        counter = visit.leg.counter or 0  # cancelled at a counter (the day ended): it lets go
    if isinstance(msg, pb.TicketCalled):
        fold.called(visit, at, counter, msg.officer)
    elif isinstance(msg, pb.TicketRecalled):
        fold.recalled(visit, msg.recalls)
    elif isinstance(msg, pb.ServingStarted):
        fold.serving(visit, at, counter)
    elif isinstance(msg, pb.TicketCompleted):
        started = to_datetime(msg.serving_started_at) if msg.HasField("serving_started_at") else None
        fold.completed(visit, at, started, counter)
    elif isinstance(msg, pb.TicketSkipped):
        fold.skipped(visit, at, msg.no_show, msg.recalls, counter)
    elif isinstance(msg, pb.TicketTransferred):
        fold.transferred(
            visit,
            at,
            service=ref.service,
            agency=msg.meta.agency,
            priority=PRIORITY.get(msg.priority, "none"),
            counter=counter or None,
            hour=fold.hall_hour(at, zone),
        )
    elif isinstance(msg, pb.TicketCancelled):
        fold.cancelled(visit, at, msg.reason)
    elif isinstance(msg, pb.TicketHeld):
        fold.held(visit, at)
    elif isinstance(msg, pb.TicketReturned):
        fold.returned(visit, at)
        counter = 0  # brought back by an officer: no counter holds it now
    batch.changed_visits.add(ref.ticket_id)
    if counter:
        _station_follows(deps, tx.conn, batch, msg, counter, at)


def _station_follows(
    deps: Deps, conn: Connection, batch: Batch, msg: TicketEvent, counter: int, at: dt.datetime
) -> None:
    current = _station(deps, conn, batch, counter)
    ref = msg.ticket
    state = HOLDING.get(type(msg))
    if state is not None:
        moved = station.holds(current, at, ref.ticket_id, ref.number, ref.service, state)
    elif isinstance(msg, LETTING_GO):
        moved = station.lets_go(current, ref.ticket_id)
    else:
        return
    if moved != current:
        batch.stations[counter] = moved
        batch.changed_stations.add(counter)


def _counter(deps: Deps, conn: Connection, batch: Batch, msg: CounterEvent) -> None:
    number = msg.counter.number
    at = to_datetime(msg.meta.occurred_at)
    current = _station(deps, conn, batch, number)
    if isinstance(msg, pb.CounterOpened):
        moved = station.opened(current, at, msg.officer, tuple(msg.services))
    elif isinstance(msg, pb.CounterPaused):
        moved = station.paused(current, at, msg.reason)
    elif isinstance(msg, pb.CounterResumed):
        moved = station.resumed(current, at)
    else:
        moved = station.closed(current, at)
    batch.stations[number] = moved
    batch.changed_stations.add(number)


def _station(deps: Deps, conn: Connection, batch: Batch, number: int) -> station.Station:
    if number not in batch.stations:
        where = (stations.c.hall == deps.hall.id) & (stations.c.number == number)
        row = conn.execute(select(stations).where(where)).mappings().first()
        batch.stations[number] = station_of(row) if row else station.Station(number)
    return batch.stations[number]


def station_of(row: RowMapping) -> station.Station:
    r = dict(row)
    return station.Station(
        number=r["number"],
        state=r["state"],
        officer=r["officer"],
        reason=r["reason"],
        services=tuple(s for s in r["services"].split(",") if s),
        since=record.maybe_utc(r["since"]),
        ticket_id=r["ticket_id"],
        ticket_number=r["ticket_number"],
        ticket_service=r["ticket_service"],
        ticket_state=r["ticket_state"],
        ticket_since=record.maybe_utc(r["ticket_since"]),
    )


def _save_stations(conn: Connection, hall: str, batch: Batch) -> None:
    rows = []
    for number in sorted(batch.changed_stations):
        s = batch.stations[number]
        rows.append(
            {
                "hall": hall,
                "number": s.number,
                "state": s.state,
                "officer": s.officer,
                "reason": s.reason,
                "services": ",".join(s.services),
                "since": s.since,
                "ticket_id": s.ticket_id,
                "ticket_number": s.ticket_number,
                "ticket_service": s.ticket_service,
                "ticket_state": s.ticket_state,
                "ticket_since": s.ticket_since,
            }
        )
    record.upsert(conn, stations, ["hall", "number"], rows)


# ---- bookings ----


def _booking_created(deps: Deps, conn: Connection, msg: pb.BookingCreated) -> None:
    start = to_datetime(msg.slot.session_start)
    row = {
        "booking_id": msg.booking_id,
        "hall": deps.hall.id,
        "day": deps.day_of(msg.slot.day, start),
        "service": msg.slot.service,
        "agency": msg.meta.agency,
        "channel": CHANNEL.get(msg.channel, "online"),
        "session_start": start,
        "created_at": to_datetime(msg.meta.occurred_at),
        "state": "booked",
        "checked_in_at": None,
        "late": 0,
        "ticket_id": "",
    }
    record.upsert(conn, bookings, ["booking_id"], [row])


def _booking_moved(deps: Deps, conn: Connection, msg: pb.BookingRescheduled) -> None:
    start = to_datetime(msg.slot.session_start)
    changes = {"day": deps.day_of(msg.slot.day, start), "service": msg.slot.service, "session_start": start}
    conn.execute(update(bookings).where(bookings.c.booking_id == msg.booking_id).values(**changes))


def _booking_cancelled(deps: Deps, conn: Connection, msg: pb.BookingCancelled) -> None:
    _booking_state(conn, msg.booking_id, state="cancelled")


def _booking_checked_in(deps: Deps, conn: Connection, msg: pb.BookingCheckedIn) -> None:
    _booking_state(
        conn,
        msg.booking_id,
        state="checked_in",
        checked_in_at=to_datetime(msg.meta.occurred_at),
        late=int(msg.late),
        ticket_id=msg.ticket.ticket_id,
    )


def _booking_no_show(deps: Deps, conn: Connection, msg: pb.BookingNoShow) -> None:
    _booking_state(conn, msg.booking_id, state="no_show")


def _booking_state(conn: Connection, booking_id: str, **changes: object) -> None:
    conn.execute(update(bookings).where(bookings.c.booking_id == booking_id).values(**changes))


BOOKING_EVENTS: dict[type, Callable[..., None]] = {
    pb.BookingCreated: _booking_created,
    pb.BookingRescheduled: _booking_moved,
    pb.BookingCancelled: _booking_cancelled,
    pb.BookingCheckedIn: _booking_checked_in,
    pb.BookingNoShow: _booking_no_show,
}
