"""What the recorded events say happened in a hall, in the twin's terms: who arrived when and for
what, each stay in a service's queue (joined, called, served, how it ended), the bookings and
their slots, and when each counter was open.

Pure: takes decoded protobuf events (from JetStream or an export, see :mod:`sim.recorded`) and a
hall, reads no clock and no file. Events are delivered at least once, so a repeated event id is
read once; they are taken in ``occurred_at`` order (replicas may publish moments out of order).

What officers do out of the queue's order stays inside one stay: a citizen held at the counter
(``TicketHeld``) and called again, or passed over and brought back (``TicketReturned``) and
called again, is one visit whose wait runs to its first call, whose outcome is its last, and whose
time away from the counter (held, or from the pass to the next call) is counted apart
(:attr:`Visit.away`), never as time at the counter. A number called by hand (``TicketCalled``
with kind ``CALL_KIND_CHOSEN``) is a call like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from google.protobuf.message import Message

from antre.events import meta_of, to_datetime
from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb


@dataclass(frozen=True)
class Arrival:
    """A ticket issued: a walk-in at the kiosk (``booking`` empty) or a booking checked in."""

    ticket: str
    service: str
    day: dt.date
    at: dt.datetime  # issued (walk-in) or checked in (booked), UTC
    priority: bool
    booking: str = ""
    session: dt.datetime | None = None  # the session the ticket keeps (on-time check-in)


@dataclass
class Visit:
    """One ticket's stay in one service's queue, from joining it to leaving it."""

    ticket: str
    service: str
    day: dt.date
    queued: dt.datetime
    called: dt.datetime | None = None  # the first call (a recall is not a new call)
    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    outcome: str = "waiting"  # completed, transferred, no_show, skipped, held; waiting: never left
    to: str = ""  # transferred to this service
    away: dt.timedelta = dt.timedelta(0)  # held, or passed over until called again: not at the counter
    left: dt.datetime | None = None  # held or passed over at; cleared when called again
    returns: int = 0  # brought back to the queue (TicketReturned)


@dataclass(frozen=True)
class Slot:
    service: str
    day: dt.date
    start: dt.datetime
    end: dt.datetime


@dataclass
class History:
    arrivals: list[Arrival] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    slots: dict[str, Slot] = field(default_factory=dict)  # booking id -> its (latest) slot
    check_ins: dict[str, dt.datetime] = field(default_factory=dict)  # booking id -> checked in at
    no_shows: dict[str, Slot] = field(default_factory=dict)  # booking id -> the slot it missed
    cancelled_bookings: set[str] = field(default_factory=set)
    # (day, counter number) -> (moment, open?) in time order; a pause counts as closed
    counters: dict[tuple[dt.date, int], list[tuple[dt.datetime, bool]]] = field(default_factory=dict)
    days: set[dt.date] = field(default_factory=set)  # days with any ticket or counter event
    duplicates: int = 0
    orphans: int = 0  # ticket events of a ticket whose issue is not among the events
    cancelled_tickets: int = 0


def _day(value: str, fallback: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return fallback


def _slot(slot: pb.BookingSlot, hall: Hall) -> Slot:
    start, end = to_datetime(slot.session_start), to_datetime(slot.session_end)
    return Slot(slot.service, _day(slot.day, hall.day_of(start)), start, end)


def read_history(
    events: Iterable[Message], hall: Hall, since: dt.date | None = None, until: dt.date | None = None
) -> History:
    """The hall days ``since`` .. ``until`` (both included, hall time; None: open-ended). Booking
    events outside the window still give the slots of check-ins inside it."""
    seen: set[str] = set()
    h = History()
    ordered: list[tuple[dt.datetime, int, Message]] = []
    for i, message in enumerate(events):
        meta = meta_of(message)
        if meta.hall and meta.hall != hall.id:
            continue
        if meta.event_id in seen:
            h.duplicates += 1
            continue
        seen.add(meta.event_id)
        ordered.append((to_datetime(meta.occurred_at), i, message))
    ordered.sort(key=lambda item: (item[0], item[1]))

    def inside(day: dt.date) -> bool:
        return (since is None or day >= since) and (until is None or day <= until)

    current: dict[str, Visit] = {}  # ticket id -> the visit it is in now
    for at, _, m in ordered:
        if isinstance(m, pb.BookingCreated | pb.BookingRescheduled):
            h.slots[m.booking_id] = _slot(m.slot, hall)
        elif isinstance(m, pb.BookingCancelled):
            h.cancelled_bookings.add(m.booking_id)
        elif isinstance(m, pb.BookingNoShow):
            slot = _slot(m.slot, hall)
            if inside(slot.day):
                h.no_shows[m.booking_id] = slot
                h.days.add(slot.day)
        elif isinstance(m, pb.BookingCheckedIn):
            if inside(hall.day_of(at)):
                h.check_ins.setdefault(m.booking_id, at)
        elif isinstance(m, pb.CounterOpened | pb.CounterResumed | pb.CounterPaused | pb.CounterClosed):
            day = hall.day_of(at)
            if inside(day):
                is_open = isinstance(m, pb.CounterOpened | pb.CounterResumed)
                h.counters.setdefault((day, m.counter.number), []).append((at, is_open))
                h.days.add(day)
        elif hasattr(m, "ticket") and isinstance(m.ticket, pb.TicketRef):
            ref: pb.TicketRef = m.ticket
            day = _day(ref.hall_day, hall.day_of(at))
            if inside(day):
                h.days.add(day)
                _ticket_event(h, current, m, ref, day, at)
    return h


def _ticket_event(
    h: History, current: dict[str, Visit], m: Message, ref: pb.TicketRef, day: dt.date, at: dt.datetime
) -> None:
    visit = current.get(ref.ticket_id)
    if isinstance(m, pb.TicketIssued):
        issued = to_datetime(m.issued_at) if m.HasField("issued_at") else at
        session = to_datetime(m.session_start) if m.HasField("session_start") else None
        priority = m.priority != pb.PRIORITY_GROUP_NONE
        h.arrivals.append(Arrival(ref.ticket_id, ref.service, day, issued, priority, m.booking_id, session))
        visit = current[ref.ticket_id] = Visit(ref.ticket_id, ref.service, day, issued)
        h.visits.append(visit)
        return
    if isinstance(m, pb.TicketCancelled):
        h.cancelled_tickets += 1
        current.pop(ref.ticket_id, None)
        return
    if visit is None:
        h.orphans += 1
        if not isinstance(m, pb.TicketCalled):
            return  # without its call nothing of this stay can be measured
        visit = current[ref.ticket_id] = Visit(ref.ticket_id, ref.service, day, to_datetime(m.queued_at))
        h.visits.append(visit)
    if isinstance(m, pb.TicketCalled):
        if visit.called is None:
            visit.called = at
        if visit.left is not None:  # back at a counter after a hold, or a pass and a return
            visit.away += max(at - visit.left, dt.timedelta(0))
            visit.left = None
        visit.outcome, visit.ended = "waiting", None
    elif isinstance(m, pb.TicketHeld):
        visit.left, visit.outcome = at, "held"
    elif isinstance(m, pb.TicketReturned):
        visit.returns += 1
        visit.left = visit.left or at
        visit.ended, visit.outcome = None, "waiting"
    elif isinstance(m, pb.ServingStarted):
        visit.started = visit.started or at
    elif isinstance(m, pb.TicketCompleted):
        if m.HasField("serving_started_at"):
            visit.started = to_datetime(m.serving_started_at)
        visit.ended, visit.outcome = at, "completed"
        current.pop(ref.ticket_id, None)
    elif isinstance(m, pb.TicketSkipped):
        # The visit stays current: its citizen may come back (TicketReturned) and be called again.
        visit.ended, visit.outcome, visit.left = at, "no_show" if m.no_show else "skipped", at
    elif isinstance(m, pb.TicketTransferred):
        visit.ended, visit.outcome, visit.to = at, "transferred", ref.service
        nxt = current[ref.ticket_id] = Visit(ref.ticket_id, ref.service, day, at)
        h.visits.append(nxt)
