import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PriorityGroup(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRIORITY_GROUP_NONE: _ClassVar[PriorityGroup]
    PRIORITY_GROUP_ELDERLY: _ClassVar[PriorityGroup]
    PRIORITY_GROUP_DISABILITY: _ClassVar[PriorityGroup]
    PRIORITY_GROUP_PREGNANT: _ClassVar[PriorityGroup]
    PRIORITY_GROUP_CHILD: _ClassVar[PriorityGroup]

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_WALK_IN: _ClassVar[Channel]
    CHANNEL_ONLINE: _ClassVar[Channel]
    CHANNEL_STAFF: _ClassVar[Channel]

class CallKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALL_KIND_NEXT: _ClassVar[CallKind]
    CALL_KIND_CHOSEN: _ClassVar[CallKind]
    CALL_KIND_HELD: _ClassVar[CallKind]

class AnnouncementKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ANNOUNCEMENT_KIND_UNSPECIFIED: _ClassVar[AnnouncementKind]
    ANNOUNCEMENT_KIND_CALL: _ClassVar[AnnouncementKind]
    ANNOUNCEMENT_KIND_RECALL: _ClassVar[AnnouncementKind]
    ANNOUNCEMENT_KIND_GROUP: _ClassVar[AnnouncementKind]
    ANNOUNCEMENT_KIND_MESSAGE: _ClassVar[AnnouncementKind]
PRIORITY_GROUP_NONE: PriorityGroup
PRIORITY_GROUP_ELDERLY: PriorityGroup
PRIORITY_GROUP_DISABILITY: PriorityGroup
PRIORITY_GROUP_PREGNANT: PriorityGroup
PRIORITY_GROUP_CHILD: PriorityGroup
CHANNEL_UNSPECIFIED: Channel
CHANNEL_WALK_IN: Channel
CHANNEL_ONLINE: Channel
CHANNEL_STAFF: Channel
CALL_KIND_NEXT: CallKind
CALL_KIND_CHOSEN: CallKind
CALL_KIND_HELD: CallKind
ANNOUNCEMENT_KIND_UNSPECIFIED: AnnouncementKind
ANNOUNCEMENT_KIND_CALL: AnnouncementKind
ANNOUNCEMENT_KIND_RECALL: AnnouncementKind
ANNOUNCEMENT_KIND_GROUP: AnnouncementKind
ANNOUNCEMENT_KIND_MESSAGE: AnnouncementKind

class EventMeta(_message.Message):
    __slots__ = ("event_id", "hall", "agency", "occurred_at")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    HALL_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    hall: str
    agency: str
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, event_id: _Optional[str] = ..., hall: _Optional[str] = ..., agency: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TicketRef(_message.Message):
    __slots__ = ("ticket_id", "service", "number", "hall_day")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    HALL_DAY_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    service: str
    number: str
    hall_day: str
    def __init__(self, ticket_id: _Optional[str] = ..., service: _Optional[str] = ..., number: _Optional[str] = ..., hall_day: _Optional[str] = ...) -> None: ...

class CounterRef(_message.Message):
    __slots__ = ("number", "name", "zone")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ZONE_FIELD_NUMBER: _ClassVar[int]
    number: int
    name: str
    zone: str
    def __init__(self, number: _Optional[int] = ..., name: _Optional[str] = ..., zone: _Optional[str] = ...) -> None: ...

class TicketIssued(_message.Message):
    __slots__ = ("meta", "ticket", "priority", "channel", "kiosk", "issued_at", "booking_id", "session_start")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIOSK_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_START_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    priority: PriorityGroup
    channel: Channel
    kiosk: str
    issued_at: _timestamp_pb2.Timestamp
    booking_id: str
    session_start: _timestamp_pb2.Timestamp
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., priority: _Optional[_Union[PriorityGroup, str]] = ..., channel: _Optional[_Union[Channel, str]] = ..., kiosk: _Optional[str] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., booking_id: _Optional[str] = ..., session_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TicketCalled(_message.Message):
    __slots__ = ("meta", "ticket", "counter", "officer", "queued_at", "kind")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    OFFICER_FIELD_NUMBER: _ClassVar[int]
    QUEUED_AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    counter: CounterRef
    officer: str
    queued_at: _timestamp_pb2.Timestamp
    kind: CallKind
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ..., officer: _Optional[str] = ..., queued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[CallKind, str]] = ...) -> None: ...

class TicketRecalled(_message.Message):
    __slots__ = ("meta", "ticket", "counter", "recalls")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    RECALLS_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    counter: CounterRef
    recalls: int
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ..., recalls: _Optional[int] = ...) -> None: ...

class ServingStarted(_message.Message):
    __slots__ = ("meta", "ticket", "counter")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    counter: CounterRef
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ...) -> None: ...

class TicketCompleted(_message.Message):
    __slots__ = ("meta", "ticket", "counter", "serving_started_at")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    SERVING_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    counter: CounterRef
    serving_started_at: _timestamp_pb2.Timestamp
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ..., serving_started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TicketSkipped(_message.Message):
    __slots__ = ("meta", "ticket", "counter", "no_show", "recalls")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    NO_SHOW_FIELD_NUMBER: _ClassVar[int]
    RECALLS_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    counter: CounterRef
    no_show: bool
    recalls: int
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ..., no_show: _Optional[bool] = ..., recalls: _Optional[int] = ...) -> None: ...

class TicketTransferred(_message.Message):
    __slots__ = ("meta", "ticket", "from_service", "from_agency", "counter", "priority")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    FROM_SERVICE_FIELD_NUMBER: _ClassVar[int]
    FROM_AGENCY_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    from_service: str
    from_agency: str
    counter: CounterRef
    priority: PriorityGroup
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., from_service: _Optional[str] = ..., from_agency: _Optional[str] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ..., priority: _Optional[_Union[PriorityGroup, str]] = ...) -> None: ...

class TicketHeld(_message.Message):
    __slots__ = ("meta", "ticket", "counter", "officer", "serving")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    OFFICER_FIELD_NUMBER: _ClassVar[int]
    SERVING_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    counter: CounterRef
    officer: str
    serving: bool
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ..., officer: _Optional[str] = ..., serving: _Optional[bool] = ...) -> None: ...

class TicketReturned(_message.Message):
    __slots__ = ("meta", "ticket", "counter", "officer", "was", "queued_at", "ahead", "priority")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    OFFICER_FIELD_NUMBER: _ClassVar[int]
    WAS_FIELD_NUMBER: _ClassVar[int]
    QUEUED_AT_FIELD_NUMBER: _ClassVar[int]
    AHEAD_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    counter: CounterRef
    officer: str
    was: str
    queued_at: _timestamp_pb2.Timestamp
    ahead: int
    priority: PriorityGroup
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ..., officer: _Optional[str] = ..., was: _Optional[str] = ..., queued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ahead: _Optional[int] = ..., priority: _Optional[_Union[PriorityGroup, str]] = ...) -> None: ...

class TicketCancelled(_message.Message):
    __slots__ = ("meta", "ticket", "reason")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    reason: str
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("name", "phone", "email", "language")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    name: str
    phone: str
    email: str
    language: str
    def __init__(self, name: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ..., language: _Optional[str] = ...) -> None: ...

class BookingSlot(_message.Message):
    __slots__ = ("service", "day", "session_start", "session_end")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    SESSION_START_FIELD_NUMBER: _ClassVar[int]
    SESSION_END_FIELD_NUMBER: _ClassVar[int]
    service: str
    day: str
    session_start: _timestamp_pb2.Timestamp
    session_end: _timestamp_pb2.Timestamp
    def __init__(self, service: _Optional[str] = ..., day: _Optional[str] = ..., session_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., session_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BookingCreated(_message.Message):
    __slots__ = ("meta", "booking_id", "code", "slot", "contact", "channel")
    META_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    SLOT_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    booking_id: str
    code: str
    slot: BookingSlot
    contact: Contact
    channel: Channel
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., booking_id: _Optional[str] = ..., code: _Optional[str] = ..., slot: _Optional[_Union[BookingSlot, _Mapping]] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., channel: _Optional[_Union[Channel, str]] = ...) -> None: ...

class BookingRescheduled(_message.Message):
    __slots__ = ("meta", "booking_id", "previous", "slot")
    META_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    SLOT_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    booking_id: str
    previous: BookingSlot
    slot: BookingSlot
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., booking_id: _Optional[str] = ..., previous: _Optional[_Union[BookingSlot, _Mapping]] = ..., slot: _Optional[_Union[BookingSlot, _Mapping]] = ...) -> None: ...

class BookingCancelled(_message.Message):
    __slots__ = ("meta", "booking_id", "slot", "reason")
    META_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    SLOT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    booking_id: str
    slot: BookingSlot
    reason: str
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., booking_id: _Optional[str] = ..., slot: _Optional[_Union[BookingSlot, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class BookingCheckedIn(_message.Message):
    __slots__ = ("meta", "booking_id", "ticket", "late")
    META_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    booking_id: str
    ticket: TicketRef
    late: bool
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., booking_id: _Optional[str] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., late: _Optional[bool] = ...) -> None: ...

class BookingNoShow(_message.Message):
    __slots__ = ("meta", "booking_id", "slot")
    META_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    SLOT_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    booking_id: str
    slot: BookingSlot
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., booking_id: _Optional[str] = ..., slot: _Optional[_Union[BookingSlot, _Mapping]] = ...) -> None: ...

class CounterOpened(_message.Message):
    __slots__ = ("meta", "counter", "officer", "services")
    META_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    OFFICER_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    counter: CounterRef
    officer: str
    services: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ..., officer: _Optional[str] = ..., services: _Optional[_Iterable[str]] = ...) -> None: ...

class CounterPaused(_message.Message):
    __slots__ = ("meta", "counter", "reason")
    META_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    counter: CounterRef
    reason: str
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class CounterResumed(_message.Message):
    __slots__ = ("meta", "counter")
    META_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    counter: CounterRef
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ...) -> None: ...

class CounterClosed(_message.Message):
    __slots__ = ("meta", "counter")
    META_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    counter: CounterRef
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., counter: _Optional[_Union[CounterRef, _Mapping]] = ...) -> None: ...

class AnnouncementRef(_message.Message):
    __slots__ = ("seq", "zone", "kind")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    ZONE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    seq: int
    zone: str
    kind: AnnouncementKind
    def __init__(self, seq: _Optional[int] = ..., zone: _Optional[str] = ..., kind: _Optional[_Union[AnnouncementKind, str]] = ...) -> None: ...

class AnnouncedCall(_message.Message):
    __slots__ = ("ticket_id", "number", "counter", "recall", "called_at")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    RECALL_FIELD_NUMBER: _ClassVar[int]
    CALLED_AT_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    number: str
    counter: int
    recall: bool
    called_at: _timestamp_pb2.Timestamp
    def __init__(self, ticket_id: _Optional[str] = ..., number: _Optional[str] = ..., counter: _Optional[int] = ..., recall: _Optional[bool] = ..., called_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AnnouncementScheduled(_message.Message):
    __slots__ = ("meta", "announcement", "calls", "starts_at", "duration_seconds", "replaces", "languages", "text")
    META_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REPLACES_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    announcement: AnnouncementRef
    calls: _containers.RepeatedCompositeFieldContainer[AnnouncedCall]
    starts_at: _timestamp_pb2.Timestamp
    duration_seconds: float
    replaces: _containers.RepeatedScalarFieldContainer[int]
    languages: _containers.RepeatedScalarFieldContainer[str]
    text: str
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., announcement: _Optional[_Union[AnnouncementRef, _Mapping]] = ..., calls: _Optional[_Iterable[_Union[AnnouncedCall, _Mapping]]] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duration_seconds: _Optional[float] = ..., replaces: _Optional[_Iterable[int]] = ..., languages: _Optional[_Iterable[str]] = ..., text: _Optional[str] = ...) -> None: ...

class AnnouncementGrouped(_message.Message):
    __slots__ = ("meta", "announcement", "replaces", "joined", "calls", "lag_seconds")
    META_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    REPLACES_FIELD_NUMBER: _ClassVar[int]
    JOINED_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    LAG_SECONDS_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    announcement: AnnouncementRef
    replaces: int
    joined: AnnouncedCall
    calls: int
    lag_seconds: float
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., announcement: _Optional[_Union[AnnouncementRef, _Mapping]] = ..., replaces: _Optional[int] = ..., joined: _Optional[_Union[AnnouncedCall, _Mapping]] = ..., calls: _Optional[int] = ..., lag_seconds: _Optional[float] = ...) -> None: ...

class AnnouncementSpoken(_message.Message):
    __slots__ = ("meta", "announcement", "started_at", "via", "late_seconds")
    META_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    VIA_FIELD_NUMBER: _ClassVar[int]
    LATE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    announcement: AnnouncementRef
    started_at: _timestamp_pb2.Timestamp
    via: str
    late_seconds: float
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., announcement: _Optional[_Union[AnnouncementRef, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., via: _Optional[str] = ..., late_seconds: _Optional[float] = ...) -> None: ...

class AnnouncementStale(_message.Message):
    __slots__ = ("meta", "announcement", "reason", "starts_at")
    META_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    announcement: AnnouncementRef
    reason: str
    starts_at: _timestamp_pb2.Timestamp
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., announcement: _Optional[_Union[AnnouncementRef, _Mapping]] = ..., reason: _Optional[str] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AuditRecorded(_message.Message):
    __slots__ = ("meta", "actor", "actor_role", "action", "target", "detail")
    META_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    actor: str
    actor_role: str
    action: str
    target: str
    detail: str
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., actor: _Optional[str] = ..., actor_role: _Optional[str] = ..., action: _Optional[str] = ..., target: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class SurveyAnswered(_message.Message):
    __slots__ = ("meta", "ticket", "scores", "age", "sex", "education", "occupation", "suggestion", "answered_at")
    META_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    AGE_FIELD_NUMBER: _ClassVar[int]
    SEX_FIELD_NUMBER: _ClassVar[int]
    EDUCATION_FIELD_NUMBER: _ClassVar[int]
    OCCUPATION_FIELD_NUMBER: _ClassVar[int]
    SUGGESTION_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    ticket: TicketRef
    scores: _containers.RepeatedScalarFieldContainer[int]
    age: int
    sex: str
    education: str
    occupation: str
    suggestion: str
    answered_at: _timestamp_pb2.Timestamp
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., ticket: _Optional[_Union[TicketRef, _Mapping]] = ..., scores: _Optional[_Iterable[int]] = ..., age: _Optional[int] = ..., sex: _Optional[str] = ..., education: _Optional[str] = ..., occupation: _Optional[str] = ..., suggestion: _Optional[str] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeviceStatus(_message.Message):
    __slots__ = ("meta", "kind", "device", "silent", "sound", "last_seen", "revoked")
    META_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    SILENT_FIELD_NUMBER: _ClassVar[int]
    SOUND_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_FIELD_NUMBER: _ClassVar[int]
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    kind: str
    device: str
    silent: bool
    sound: bool
    last_seen: _timestamp_pb2.Timestamp
    revoked: bool
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., kind: _Optional[str] = ..., device: _Optional[str] = ..., silent: _Optional[bool] = ..., sound: _Optional[bool] = ..., last_seen: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revoked: _Optional[bool] = ...) -> None: ...

class SkmIndexComputed(_message.Message):
    __slots__ = ("meta", "month", "responses", "ikm", "grade")
    META_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    IKM_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    meta: EventMeta
    month: str
    responses: int
    ikm: float
    grade: str
    def __init__(self, meta: _Optional[_Union[EventMeta, _Mapping]] = ..., month: _Optional[str] = ..., responses: _Optional[int] = ..., ikm: _Optional[float] = ..., grade: _Optional[str] = ...) -> None: ...
