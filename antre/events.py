"""The event envelope: which subject an event goes on, how it is named in headers, and how a
consumer turns bytes back into a message.

Subjects are ``antre.<hall>.<agency>.<entity>.<event>``; the message's full protobuf name travels
in the ``Antre-Event`` header so that a consumer never parses subjects to decode.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Protocol, TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from antre.v1 import commands_pb2 as cmd
from antre.v1 import events_pb2 as pb

EVENT_HEADER = "Antre-Event"
MSG_ID_HEADER = "Nats-Msg-Id"
TRACE_HEADER = "traceparent"

# entity.event suffix per message type: the public catalogue of subjects.
SUFFIXES: dict[type[Message], str] = {
    pb.TicketIssued: "ticket.issued",
    pb.TicketCalled: "ticket.called",
    pb.TicketRecalled: "ticket.recalled",
    pb.ServingStarted: "ticket.serving",
    pb.TicketCompleted: "ticket.completed",
    pb.TicketSkipped: "ticket.skipped",
    pb.TicketTransferred: "ticket.transferred",
    pb.TicketCancelled: "ticket.cancelled",
    pb.TicketHeld: "ticket.held",
    pb.TicketReturned: "ticket.returned",
    pb.BookingCreated: "booking.created",
    pb.BookingRescheduled: "booking.rescheduled",
    pb.BookingCancelled: "booking.cancelled",
    pb.BookingCheckedIn: "booking.checked_in",
    pb.BookingNoShow: "booking.no_show",
    pb.CounterOpened: "counter.opened",
    pb.CounterPaused: "counter.paused",
    pb.CounterResumed: "counter.resumed",
    pb.CounterClosed: "counter.closed",
    cmd.CommandRefused: "counter.command_refused",
    pb.AnnouncementScheduled: "announcement.scheduled",
    pb.AnnouncementGrouped: "announcement.grouped",
    pb.AnnouncementSpoken: "announcement.spoken",
    pb.AnnouncementStale: "announcement.stale",
    pb.AuditRecorded: "audit.recorded",
    pb.SurveyAnswered: "survey.answered",
    pb.DeviceStatus: "device.status",
    pb.SkmIndexComputed: "skm.index",
}
# Commands agencies' systems publish (six tokens, so no event filter matches them); decoded like
# events, never written to an outbox. See docs/agencies.md.
COMMANDS: dict[type[Message], str] = {
    cmd.PauseCounter: "command.counter.pause",
    cmd.ResumeCounter: "command.counter.resume",
    cmd.CloseCounter: "command.counter.close",
}
_BY_NAME: dict[str, type[Message]] = {cls.DESCRIPTOR.full_name: cls for cls in (*SUFFIXES, *COMMANDS)}


def stream_name(hall: str) -> str:
    """One JetStream stream per hall, so halls on one cluster never see each other's events."""
    return "ANTRE_" + hall.upper().replace("-", "_")


def hall_subjects(hall: str) -> str:
    return f"antre.{hall}.>"


M = TypeVar("M", bound=Message)


def as_event(message: Message, kind: type[M]) -> M:
    """``message`` as the class a handler was chosen for (handlers are looked up by the message's
    class, so anything else is a bug): the typed step from a decoded message to its handler."""
    if not isinstance(message, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(message).__name__}")
    return message


def meta_of(message: Message) -> pb.EventMeta:
    """The meta every event and command carries (proto/antre/v1), which their common base class
    does not declare."""
    meta = getattr(message, "meta", None)
    if not isinstance(meta, pb.EventMeta):
        raise AttributeError(f"{type(message).__name__} has no meta")
    return meta


def subject_for(message: Message) -> str:
    meta = meta_of(message)
    suffix = SUFFIXES.get(type(message)) or COMMANDS[type(message)]
    return f"antre.{meta.hall}.{meta.agency}.{suffix}"


def subject_filter(hall: str, suffix: str, agency: str = "*") -> str:
    return f"antre.{hall}.{agency}.{suffix}"


def timestamp(moment: dt.datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(moment.astimezone(dt.UTC))
    return ts


def to_datetime(ts: Timestamp) -> dt.datetime:
    return ts.ToDatetime(tzinfo=dt.UTC)


def new_meta(hall: str, agency: str, now: dt.datetime, event_id: str | None = None) -> pb.EventMeta:
    return pb.EventMeta(
        event_id=event_id or str(uuid.uuid4()), hall=hall, agency=agency, occurred_at=timestamp(now)
    )


class TicketLike(Protocol):
    """Read only: the services' tickets are frozen dataclasses."""

    @property
    def id(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def hall_day(self) -> dt.date: ...


def ticket_ref(ticket: TicketLike) -> pb.TicketRef:
    """Which ticket an event is about, from any service's own view of a ticket."""
    return pb.TicketRef(
        ticket_id=ticket.id,
        service=ticket.service,
        number=ticket.number,
        hall_day=ticket.hall_day.isoformat(),
    )


def event_name(message: Message) -> str:
    return message.DESCRIPTOR.full_name


@dataclass(frozen=True)
class Envelope:
    """An event as a consumer receives it."""

    subject: str
    message: Message
    traceparent: str = ""
    consumer: str = ""  # the durable consumer that received it (names its span)

    @property
    def event_id(self) -> str:
        return meta_of(self.message).event_id

    @property
    def name(self) -> str:
        return event_name(self.message)


class UnknownEvent(ValueError):
    pass


def decode(name: str, payload: bytes) -> Message:
    cls = _BY_NAME.get(name)
    if cls is None:
        raise UnknownEvent(name)
    message = cls()
    message.ParseFromString(payload)
    return message
