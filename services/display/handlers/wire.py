"""The display's one wire edge. Each event it consumes (see
:mod:`services.display.entrypoints.consumers`) becomes one domain value here, and each event it
publishes is built here: no other handler reads or writes a protobuf field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from google.protobuf.message import Message

from antre import heartbeats
from antre.audit import HALL_WIDE
from antre.events import new_meta, timestamp, to_datetime
from antre.v1 import events_pb2 as pb
from services.display.domain.announcements import Announcement, Kind, Part
from services.display.domain.board import CounterStatus
from services.display.domain.hall_events import CounterEvent, HallEvent, Step, TicketEvent
from services.display.domain.ikm import MonthIndex

# ---- in: what the display consumes ----

TicketMessage = (
    pb.TicketIssued
    | pb.TicketTransferred
    | pb.TicketCalled
    | pb.TicketRecalled
    | pb.ServingStarted
    | pb.TicketCompleted
    | pb.TicketSkipped
    | pb.TicketCancelled
)
CounterMessage = pb.CounterOpened | pb.CounterResumed | pb.CounterPaused | pb.CounterClosed

STEPS: dict[type[Message], Step] = {
    pb.TicketIssued: Step.ISSUED,
    pb.TicketTransferred: Step.TRANSFERRED,
    pb.TicketCalled: Step.CALLED,
    pb.TicketRecalled: Step.RECALLED,
    pb.ServingStarted: Step.SERVING,
    pb.TicketCompleted: Step.COMPLETED,
    pb.TicketSkipped: Step.SKIPPED,
    pb.TicketCancelled: Step.CANCELLED,
}
STATUSES: dict[type[Message], CounterStatus] = {
    pb.CounterOpened: CounterStatus.OPEN,
    pb.CounterResumed: CounterStatus.OPEN,
    pb.CounterPaused: CounterStatus.PAUSED,
    pb.CounterClosed: CounterStatus.CLOSED,
}


def hall_event(message: Message) -> HallEvent | None:
    """A ticket's or a counter's event as the board and the voice read it; None for any other."""
    if isinstance(message, TicketMessage):
        return _ticket(message)
    if isinstance(message, CounterMessage):
        return _counter(message)
    return None


def is_issue(message: Message) -> bool:
    """An issued ticket: a run of them is applied in one go (a burst at the kiosks)."""
    return isinstance(message, pb.TicketIssued)


def issue(message: Message) -> TicketEvent:
    """An issued ticket's event (a run of issues holds nothing else: anything else is a bug)."""
    if not isinstance(message, pb.TicketIssued):
        raise TypeError(f"expected TicketIssued, got {type(message).__name__}")
    return _ticket(message)


def month_index(message: Message) -> MonthIndex | None:
    """The month's satisfaction index (``skm.index``); None for any other event."""
    if not isinstance(message, pb.SkmIndexComputed):
        return None
    at = to_datetime(message.meta.occurred_at)
    return MonthIndex(message.month, message.responses, message.ikm, message.grade, at)


def _ticket(message: TicketMessage) -> TicketEvent:
    at = to_datetime(message.meta.occurred_at)
    if isinstance(message, pb.TicketIssued) and message.HasField("issued_at"):
        at = to_datetime(message.issued_at)
    ref = message.ticket
    try:
        day: dt.date | None = dt.date.fromisoformat(ref.hall_day)
    except ValueError:
        day = None
    # Ticketing's events (an issue, a cancel) are at no counter.
    counter = (
        pb.CounterRef() if isinstance(message, pb.TicketIssued | pb.TicketCancelled) else message.counter
    )
    return TicketEvent(
        step=STEPS[type(message)],
        ticket_id=ref.ticket_id,
        number=ref.number,
        service=ref.service,
        at=at,
        hall_day=day,
        agency=message.meta.agency,
        counter=counter.number,
        counter_name=counter.name,
        counter_zone=counter.zone,
        recalls=message.recalls if isinstance(message, pb.TicketRecalled) else 0,
    )


def _counter(message: CounterMessage) -> CounterEvent:
    ref = message.counter
    reason = message.reason if isinstance(message, pb.CounterPaused) else ""
    return CounterEvent(
        ref.number, ref.zone, STATUSES[type(message)], to_datetime(message.meta.occurred_at), reason
    )


# ---- out: what the display publishes ----

KINDS = {
    Kind.CALL: pb.ANNOUNCEMENT_KIND_CALL,
    Kind.RECALL: pb.ANNOUNCEMENT_KIND_RECALL,
    Kind.GROUP: pb.ANNOUNCEMENT_KIND_GROUP,
    Kind.MESSAGE: pb.ANNOUNCEMENT_KIND_MESSAGE,
}


def scheduled(hall: str, now: dt.datetime, event_id: str, entry: Announcement) -> pb.AnnouncementScheduled:
    return pb.AnnouncementScheduled(
        meta=new_meta(hall, agency_of(entry.calls), now, event_id),
        announcement=_ref(entry),
        calls=[_call(p) for p in entry.calls],
        starts_at=timestamp(entry.starts_at),
        duration_seconds=entry.duration.total_seconds(),
        replaces=list(entry.replaces),
        languages=[s.lang for s in entry.spoken],
        text=entry.text,
    )


def grouped(
    hall: str,
    now: dt.datetime,
    event_id: str,
    group: Announcement,
    replaces: int,
    joined: Part,
    lag: dt.timedelta,
) -> pb.AnnouncementGrouped:
    """``joined`` went into ``group``, which replaces the entry ``replaces``; ``lag``: how long
    the call would have waited for a slot of its own."""
    return pb.AnnouncementGrouped(
        meta=new_meta(hall, agency_of((joined,)), now, event_id),
        announcement=_ref(group),
        replaces=replaces,
        joined=_call(joined),
        calls=len(group.calls),
        lag_seconds=lag.total_seconds(),
    )


def spoken(
    hall: str, now: dt.datetime, event_id: str, entry: Announcement, started_at: dt.datetime, via: str
) -> pb.AnnouncementSpoken:
    return pb.AnnouncementSpoken(
        meta=new_meta(hall, agency_of(entry.calls), now, event_id),
        announcement=_ref(entry),
        started_at=timestamp(started_at),
        via=via,
        late_seconds=(started_at - entry.starts_at).total_seconds(),
    )


def stale(
    hall: str, now: dt.datetime, event_id: str, entry: Announcement, reason: str
) -> pb.AnnouncementStale:
    return pb.AnnouncementStale(
        meta=new_meta(hall, agency_of(entry.calls), now, event_id),
        announcement=_ref(entry),
        reason=reason,
        starts_at=timestamp(entry.starts_at),
    )


def device_status(hall: str, status: heartbeats.Status, now: dt.datetime) -> pb.DeviceStatus:
    return pb.DeviceStatus(meta=new_meta(hall, HALL_WIDE, now), **heartbeats.fields(status))


def agency_of(parts: Sequence[Part]) -> str:
    """The agency an announcement's events go out under: its calls' one agency, else the hall's."""
    agencies = {p.agency for p in parts}
    return agencies.pop() if len(agencies) == 1 and "" not in agencies else HALL_WIDE


def _ref(entry: Announcement) -> pb.AnnouncementRef:
    return pb.AnnouncementRef(seq=entry.seq, zone=entry.zone, kind=KINDS[entry.kind])


def _call(part: Part) -> pb.AnnouncedCall:
    return pb.AnnouncedCall(
        ticket_id=part.ticket_id,
        number=part.number,
        counter=part.counter,
        recall=part.kind == Kind.RECALL,
        called_at=timestamp(part.created_at),
    )
