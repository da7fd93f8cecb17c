"""The hall: agencies, services, counters, zones, hours, kiosks and the rules the hall chooses.

Standard library only: the services' domains and the simulator import these classes bare. The
loader in :mod:`antre.hall.load` validates a YAML document into them (pydantic validates standard
dataclasses directly, so there is one shape, not a schema and a copy of it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class PriorityGroup(StrEnum):
    """UU 25/2009 art. 29: groups entitled to special treatment (the priority lane)."""

    NONE = "none"
    ELDERLY = "elderly"
    DISABILITY = "disability"
    PREGNANT = "pregnant"
    CHILD = "child"


@dataclass(frozen=True)
class Zone:
    """An area of the hall with its own boards and, by default, its own acoustic space."""

    code: str
    name: str
    name_en: str = ""  # for an English page; a page falls back to ``name``


@dataclass(frozen=True)
class Agency:
    code: str  # a subject token: lowercase letters, digits, '-' or '_'
    name: str
    name_en: str = ""
    zone: str = ""  # where its counters stand, if in one zone


@dataclass(frozen=True)
class StandardText:
    """A service standard's words in English, for a page read in English. A text left out is shown
    in Indonesian (marked as such), never blank."""

    requirements: tuple[str, ...] = ()  # one per Indonesian requirement, in the same order
    procedure: str = ""
    time_to_complete: str = ""
    product: str = ""
    complaints: str = ""


@dataclass(frozen=True)
class ServiceStandard:
    """The published part of the *standar pelayanan* shown at the kiosk."""

    requirements: tuple[str, ...] = ()
    procedure: str = ""
    time_to_complete: str = ""  # e.g. "Selesai di tempat", "3 hari kerja"
    fee_idr: int = 0
    # The fee is set by law per case (vehicle tax, BPHTB): the kiosk says "sesuai ketetapan", not
    # "free". Then ``fee_idr`` stays 0: a fixed fee and an assessed one cannot both be published.
    fee_assessed: bool = False
    product: str = ""
    complaints: str = ""
    en: StandardText = field(default_factory=StandardText)


@dataclass(frozen=True)
class Session:
    """A booking session of a day, e.g. 08:00-09:00 for 20 citizens."""

    start: dt.time
    end: dt.time
    capacity: int


@dataclass(frozen=True)
class Booking:
    """Online booking for a service. The day's ``daily_quota`` is one pool shared by the kiosk
    and the booking page: ``online_quota`` of it may be booked (in sessions), the rest is for
    walk-ins, and neither side can take what belongs to the other."""

    sessions: tuple[Session, ...]
    daily_quota: int  # every number of the day, walk-in and online together
    online_quota: int  # of which bookable online; at most the sessions' capacity
    days_ahead: int = 7
    check_in_early_minutes: int = 30  # before the session starts
    check_in_late_minutes: int = 15  # after it starts; later, the booking is a no-show
    # How booked and walk-in tickets share the counters (see services/counters/domain/blending.py):
    # check_in: one line in check-in order; near_slot: a booked citizen is called from their
    # session's start, ahead of walk-ins who came later; ratio: `ratio` booked calls per walk-in.
    blend: Literal["check_in", "near_slot", "ratio"] = "near_slot"
    ratio: int = 2
    near_slot_bound_minutes: int = 0  # near_slot: after this, no walk-in goes first (0: no bound)
    turn_near: int = 3  # "your turn is near" when this many tickets are ahead


@dataclass(frozen=True)
class Service:
    code: str  # a subject token, unique in the hall
    name: str
    agency: str
    prefix: str  # ticket letter(s): "A" gives A-001
    name_en: str = ""
    standard: ServiceStandard = field(default_factory=ServiceStandard)
    target_minutes: int = 15  # expected service time; also a metrics threshold
    booking: Booking | None = None  # None: walk-in only


@dataclass(frozen=True)
class Counter:
    number: int  # unique in the hall; read aloud ("loket dua belas")
    name: str
    zone: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class DayHours:
    open: dt.time
    close: dt.time


@dataclass(frozen=True)
class Break:
    """A pause in issuing and calling, e.g. Friday prayer. A setting, not a rule."""

    start: dt.time
    end: dt.time
    days: tuple[Weekday, ...] = WEEKDAYS
    name: str = ""


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str


@dataclass(frozen=True)
class Hours:
    """Opening hours per weekday (a missing day is closed), breaks, holidays and the cutoff:
    ticket issuing stops ``cutoff_minutes`` before closing."""

    monday: DayHours | None = None
    tuesday: DayHours | None = None
    wednesday: DayHours | None = None
    thursday: DayHours | None = None
    friday: DayHours | None = None
    saturday: DayHours | None = None
    sunday: DayHours | None = None
    breaks: tuple[Break, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    # National calendars included (antre/hall/calendars), merged into ``holidays`` on loading.
    calendars: tuple[str, ...] = ()
    open_on_cuti_bersama: bool = False
    cutoff_minutes: int = 60

    def on(self, day: dt.date) -> DayHours | None:
        hours: DayHours | None = getattr(self, WEEKDAYS[day.weekday()])
        return hours

    def open_spans(self, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        """The day's open spans in order, hall time: its hours less its breaks; none on a holiday
        or a day the hall does not open. What the boards show as open, and where issuing starts
        again (ticketing's cutoff then ends each day's last span earlier)."""
        today = self.on(day)
        if today is None or any(h.date == day for h in self.holidays):
            return []
        weekday = WEEKDAYS[day.weekday()]
        cuts = sorted((b.start, b.end) for b in self.breaks if weekday in b.days and b.start < b.end)
        found: list[tuple[dt.time, dt.time]] = []
        start = today.open
        for cut_start, cut_end in cuts:
            if cut_end <= start or cut_start >= today.close:
                continue
            if cut_start > start:
                found.append((start, cut_start))
            start = max(start, cut_end)
        if start < today.close:
            found.append((start, today.close))
        return found


@dataclass(frozen=True)
class Kiosk:
    """A ticket machine. With a printer a ticket stays 'printing' until the print is confirmed,
    so that no number is called while nobody holds it."""

    id: str
    name: str = ""
    printer: Literal["none", "browser", "network"] = "none"
    printer_host: str = ""
    printer_port: int = 9100


@dataclass(frozen=True)
class Webhook:
    """An agency's system that wants to hear of events (see the notify service)."""

    url: str
    events: tuple[str, ...] = ("ticket.called",)
    agency: str = ""  # empty: every agency


@dataclass(frozen=True)
class QueueRules:
    dispatch: Literal["fifo", "priority_lane"] = "priority_lane"
    priority_max_streak: int = 3  # priority calls in a row while a regular ticket waits
    max_recalls: int = 2  # recalls before a skip counts as a no-show
    print_timeout_seconds: int = 120
    # Tickets of its lane left before a ticket an officer brings back to the queue (a skipped or
    # no-show citizen who came back, or one held at a counter): 0 puts it at the front.
    return_after: int = 0


@dataclass(frozen=True)
class NoShowRule:
    """Online booking is blocked for ``block_days`` after ``limit`` no-shows in ``window_days``."""

    limit: int = 3
    window_days: int = 90
    block_days: int = 30


# The placeholders each citizen message may use (see the notify service, which fills them in).
# The loader refuses any other name, so a typo in a hall file fails at start-up, not in a text.
TEMPLATE_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "confirmation": frozenset({"hall", "agency", "service", "code", "day", "session"}),
    "reminder": frozenset({"hall", "agency", "service", "code", "day", "session"}),
    "turn_near": frozenset({"hall", "agency", "service", "number", "ahead"}),
    "called": frozenset({"hall", "agency", "service", "number", "counter"}),
    "no_show": frozenset({"hall", "agency", "service", "code", "day", "session"}),
    "survey": frozenset({"hall", "agency", "service", "number", "survey"}),
    "footer": frozenset({"hall", "stop"}),
}


@dataclass(frozen=True)
class Template:
    """One citizen message in Bahasa Indonesia (``id``) and English (``en``). An empty text keeps
    notify's built-in wording for that language."""

    id: str = ""
    en: str = ""


@dataclass(frozen=True)
class Templates:
    """The hall's wording per message kind; see ``TEMPLATE_PLACEHOLDERS`` for what each may use."""

    confirmation: Template = field(default_factory=Template)
    reminder: Template = field(default_factory=Template)
    turn_near: Template = field(default_factory=Template)
    called: Template = field(default_factory=Template)
    no_show: Template = field(default_factory=Template)
    survey: Template = field(default_factory=Template)
    footer: Template = field(default_factory=Template)  # appended to every message: how to stop


@dataclass(frozen=True)
class CitizenMessages:
    """Messages to citizens who booked: their wording and when they may arrive. Reminders,
    no-show notices and survey links due between ``quiet_start`` and ``quiet_end`` (hall time)
    wait until ``quiet_end``; equal times mean no quiet hours."""

    templates: Templates = field(default_factory=Templates)
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(7, 0)
    reminder_at: dt.time = dt.time(16, 0)  # the day before the session


# The placeholders of the hall's voice: a call's sentence and the service messages operators post.
CALL_PLACEHOLDERS = frozenset({"ticket", "counter", "agency"})
MESSAGE_PLACEHOLDERS = frozenset({"counter"})


@dataclass(frozen=True)
class VoiceMessage:
    """A service message an operator may ask the hall's voice to say ("Loket {counter} istirahat
    sebentar"), in Bahasa Indonesia and, for halls that speak English too, English."""

    code: str  # what the display API is asked for: a subject-like token
    id: str
    en: str = ""


@dataclass(frozen=True)
class Announcements:
    """What the hall's voice says and how it keeps up in a burst (see the display's arbiter).

    ``template_id``/``template_en``: a call's sentence; ``{ticket}`` is spelled out ("A nol satu
    dua"), ``{counter}`` read as a number, ``{agency}`` (optional) is the agency's name.
    ``languages``: ``[id]``, or ``[id, en]`` to say every call in Indonesian, then English.
    When a new call would wait more than ``group_lag_seconds`` for its slot, it joins the zone's
    last waiting announcement, up to ``group_max`` calls in one (1: never group)."""

    template_id: str = "Nomor antrean {ticket}, silakan menuju loket {counter}"
    template_en: str = "Number {ticket}, please go to counter {counter}"
    languages: tuple[Literal["id", "en"], ...] = ("id",)
    group_lag_seconds: float = 15.0
    group_max: int = 3
    messages: tuple[VoiceMessage, ...] = (
        VoiceMessage(
            "break", "Loket {counter} istirahat sebentar", "Counter {counter} is taking a short break"
        ),
    )

    def message(self, code: str) -> VoiceMessage | None:
        return next((m for m in self.messages if m.code == code), None)


@dataclass(frozen=True)
class Boards:
    """What the hall's boards show beyond the calls and the queues. ``show_ikm``: the footer says
    the hall's satisfaction index of the month so far ("IKM bulan ini: 87,40 · Baik"), as the
    reports service computes it from the SKM survey."""

    show_ikm: bool = False


@dataclass(frozen=True)
class Hall:
    id: str  # a subject token
    name: str
    timezone: str  # IANA name, e.g. "Asia/Makassar" (WITA)
    zones: tuple[Zone, ...]
    agencies: tuple[Agency, ...]
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    hours: Hours
    kiosks: tuple[Kiosk, ...] = (Kiosk(id="kiosk-1"),)
    webhooks: tuple[Webhook, ...] = ()
    queue: QueueRules = field(default_factory=QueueRules)
    announcement_gap_seconds: float = 1.0
    announcements: Announcements = field(default_factory=Announcements)
    no_shows: NoShowRule = field(default_factory=NoShowRule)
    messages: CitizenMessages = field(default_factory=CitizenMessages)
    boards: Boards = field(default_factory=Boards)

    def service(self, code: str) -> Service | None:
        return next((s for s in self.services if s.code == code), None)

    def agency(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.code == code), None)

    def counter(self, number: int) -> Counter | None:
        return next((c for c in self.counters if c.number == number), None)

    def kiosk(self, kiosk_id: str) -> Kiosk | None:
        return next((k for k in self.kiosks if k.id == kiosk_id), None)

    def local(self, now: dt.datetime) -> dt.datetime:
        return now.astimezone(ZoneInfo(self.timezone))

    def day_of(self, now: dt.datetime) -> dt.date:
        """The hall day a moment belongs to: the calendar day in the hall's time zone (numbering
        and queues reset at local midnight, not UTC midnight: 08:00 WITA is 00:00 UTC)."""
        return self.local(now).date()

    def counter_agencies(self, counter: Counter) -> frozenset[str]:
        return frozenset(s.agency for s in self.services if s.code in counter.services)
