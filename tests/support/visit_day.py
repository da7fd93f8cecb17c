"""A hall day of known events for the reports' tests: hundreds of visits across every agency,
with recalls, no-shows, skips, transfers (within and across agencies), cancellations, tickets the
day ended, bookings made, cancelled, checked in and missed, counters opened, paused and closed, and
SKM responses (some changed). Drawn from a seeded generator, so a day is the same every run.

Besides the events, the day keeps its own account of what it made each ticket do (``truth``):
the tests compute their expected figures from that account, never from the code under test."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from google.protobuf.message import Message

from antre.events import Envelope, meta_of, new_meta, subject_for, timestamp
from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from services.reports.handlers import Deps, on_events

PRIORITIES = {
    "none": pb.PRIORITY_GROUP_NONE,
    "elderly": pb.PRIORITY_GROUP_ELDERLY,
    "disability": pb.PRIORITY_GROUP_DISABILITY,
    "pregnant": pb.PRIORITY_GROUP_PREGNANT,
}
CHANNELS = {"walk_in": pb.CHANNEL_WALK_IN, "online": pb.CHANNEL_ONLINE, "staff": pb.CHANNEL_STAFF}


@dataclass
class TrueLeg:
    ticket_id: str
    leg: int
    day: dt.date
    hour: int
    service: str
    agency: str
    channel: str
    priority: str
    outcome: str
    counter: int | None = None
    officer: str = ""
    recalls: int = 0
    wait_seconds: int | None = None  # whole seconds, the fraction dropped
    service_seconds: int | None = None
    transferred_to: str = ""
    held: bool = False  # set aside while served, then called again
    returned: bool = False  # passed over, brought back, called again


@dataclass
class TrueBooking:
    booking_id: str
    day: dt.date
    service: str
    agency: str
    state: str  # booked, cancelled, checked_in, no_show


@dataclass
class TrueSurvey:
    ticket_id: str
    day: dt.date
    service: str
    agency: str
    scores: tuple[int, ...]


@dataclass
class Day:
    hall: Hall
    day: dt.date
    events: list[Message] = field(default_factory=list)
    legs: list[TrueLeg] = field(default_factory=list)
    visits: dict[str, str] = field(default_factory=dict)  # ticket id -> final outcome
    bookings: list[TrueBooking] = field(default_factory=list)
    surveys: dict[str, TrueSurvey] = field(default_factory=dict)  # the answers that stand


class _Maker:
    def __init__(self, hall: Hall, day: dt.date, seed: int) -> None:
        self.hall = hall
        self.day = day
        self.rng = random.Random(seed)
        self.zone = ZoneInfo(hall.timezone)
        self.timed: list[tuple[dt.datetime, int, Message]] = []
        self.out = Day(hall, day)
        self.numbers: dict[str, int] = {}
        self.agency = {s.code: s.agency for s in hall.services}
        self.prefix = {s.code: s.prefix for s in hall.services}
        self.counters = {
            s.code: [c.number for c in hall.counters if s.code in c.services] for s in hall.services
        }
        self.counter_ref = {
            c.number: pb.CounterRef(number=c.number, name=c.name, zone=c.zone) for c in hall.counters
        }

    def at(self, hhmm: str) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time.fromisoformat(hhmm), self.zone).astimezone(dt.UTC)

    def emit(self, when: dt.datetime, message: Message) -> None:
        meta_of(message).occurred_at.CopyFrom(timestamp(when))
        self.timed.append((when, len(self.timed), message))

    def meta(self, agency: str) -> pb.EventMeta:
        return new_meta(self.hall.id, agency, self.at("00:00"), str(uuid.uuid4()))

    def seconds(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(seconds=self.rng.uniform(low, high))

    # ---- counters ----

    def counters_day(self) -> None:
        for counter in self.hall.counters:
            agency = self.agency[counter.services[0]]
            officer = f"{agency}{counter.number}"
            ref = self.counter_ref[counter.number]
            opened = self.at("07:50") + self.seconds(0, 600)
            self.emit(
                opened,
                pb.CounterOpened(
                    meta=self.meta(agency), counter=ref, officer=officer, services=list(counter.services)
                ),
            )
            if counter.number % 4 == 0:
                pause = self.at("12:00") + self.seconds(0, 300)
                self.emit(pause, pb.CounterPaused(meta=self.meta(agency), counter=ref, reason="istirahat"))
                self.emit(
                    pause + self.seconds(1800, 3000), pb.CounterResumed(meta=self.meta(agency), counter=ref)
                )
            self.emit(
                self.at("16:30") + self.seconds(0, 600), pb.CounterClosed(meta=self.meta(agency), counter=ref)
            )

    # ---- tickets ----

    def ref(self, ticket_id: str, service: str, number: str) -> pb.TicketRef:
        return pb.TicketRef(
            ticket_id=ticket_id, service=service, number=number, hall_day=self.day.isoformat()
        )

    def ticket(
        self, service: str, channel: str = "walk_in", booking_id: str = "", issued: dt.datetime | None = None
    ) -> str:
        rng = self.rng
        ticket_id = uuid.uuid4().hex
        self.numbers[service] = self.numbers.get(service, 0) + 1
        number = f"{self.prefix[service]}-{self.numbers[service]:03d}"
        issued = issued or self.at("08:00") + self.seconds(0, 6.5 * 3600)
        priority = rng.choices(list(PRIORITIES), weights=(85, 8, 4, 3))[0]
        agency = self.agency[service]
        self.emit(
            issued,
            pb.TicketIssued(
                meta=self.meta(agency),
                ticket=self.ref(ticket_id, service, number),
                priority=PRIORITIES[priority],
                channel=CHANNELS[channel],
                kiosk="" if channel != "walk_in" else rng.choice(["kiosk-1", "kiosk-2"]),
                issued_at=timestamp(issued),
                booking_id=booking_id,
            ),
        )
        self.leg(ticket_id, 0, service, number, channel, priority, issued)
        return ticket_id

    def leg(
        self,
        ticket_id: str,
        leg: int,
        service: str,
        number: str,
        channel: str,
        priority: str,
        queued: dt.datetime,
    ) -> None:
        rng = self.rng
        agency = self.agency[service]
        ref = self.ref(ticket_id, service, number)
        truth = TrueLeg(
            ticket_id,
            leg,
            self.day,
            queued.astimezone(self.zone).hour,
            service,
            agency,
            channel,
            priority,
            "waiting",
        )
        self.out.legs.append(truth)
        fate = rng.choices(
            ["served", "no_show", "skipped", "transferred", "cancelled", "day_ended", "held", "returned"],
            weights=(64, 7, 4, 8 if leg == 0 else 0, 3, 3, 3, 3),
        )[0]
        if fate in ("cancelled", "day_ended"):
            end = queued + self.seconds(300, 3000) if fate == "cancelled" else self.at("17:05")
            reason = "citizen" if fate == "cancelled" else "day_ended"
            self.emit(end, pb.TicketCancelled(meta=self.meta(agency), ticket=ref, reason=reason))
            truth.outcome = fate
            self.out.visits[ticket_id] = fate
            return
        counter = rng.choice(self.counters[service])
        officer = f"{self.agency[self.hall_counter_service(counter)]}{counter}"
        cref = self.counter_ref[counter]
        called = queued + self.seconds(20, 2400)
        self.emit(
            called,
            pb.TicketCalled(
                meta=self.meta(agency), ticket=ref, counter=cref, officer=officer, queued_at=timestamp(queued)
            ),
        )
        truth.counter, truth.officer = counter, officer
        truth.wait_seconds = int((called - queued).total_seconds())
        recalls = rng.choices([0, 1, 2], weights=(80, 15, 5))[0] if fate not in ("no_show", "returned") else 2
        moment = called
        for n in range(1, recalls + 1):
            moment += self.seconds(30, 90)
            self.emit(moment, pb.TicketRecalled(meta=self.meta(agency), ticket=ref, counter=cref, recalls=n))
        truth.recalls = recalls
        if fate in ("no_show", "skipped"):
            moment += self.seconds(20, 60)
            self.emit(
                moment,
                pb.TicketSkipped(
                    meta=self.meta(agency),
                    ticket=ref,
                    counter=cref,
                    no_show=fate == "no_show",
                    recalls=recalls,
                ),
            )
            truth.outcome = fate
            self.out.visits[ticket_id] = fate
            return
        if fate == "returned":  # a no-show who came back: brought back, called again by another
            moment = self.come_back(ref, agency, cref, moment, recalls)
            counter = rng.choice(self.counters[service])
            officer = f"{self.agency[self.hall_counter_service(counter)]}{counter}"
            cref = self.counter_ref[counter]
            moment += self.seconds(60, 900)
            self.emit(
                moment, pb.TicketCalled(meta=self.meta(agency), ticket=ref, counter=cref, officer=officer)
            )
            truth.counter, truth.officer, truth.returned = counter, officer, True
        started = moment + self.seconds(5, 60)
        self.emit(started, pb.ServingStarted(meta=self.meta(agency), ticket=ref, counter=cref))
        away, resumed = dt.timedelta(0), started
        if fate == "held":  # set aside to fetch a document, then called again from the held list
            aside = started + self.seconds(30, 300)
            self.emit(
                aside,
                pb.TicketHeld(
                    meta=self.meta(agency), ticket=ref, counter=cref, officer=officer, serving=True
                ),
            )
            resumed = aside + self.seconds(120, 1200)
            again = pb.TicketCalled(
                meta=self.meta(agency), ticket=ref, counter=cref, officer=officer, kind=pb.CALL_KIND_HELD
            )
            self.emit(resumed, again)
            away, truth.held = resumed - aside, True
        ended = resumed + self.seconds(60, 2400)
        truth.service_seconds = int(((ended - started) - away).total_seconds())
        if fate == "transferred":
            to = rng.choice([s.code for s in self.hall.services if s.code != service])
            self.emit(
                ended,
                pb.TicketTransferred(
                    meta=self.meta(self.agency[to]),
                    ticket=self.ref(ticket_id, to, number),
                    from_service=service,
                    from_agency=agency,
                    counter=cref,
                    priority=PRIORITIES[priority],
                ),
            )
            truth.outcome, truth.transferred_to = "transferred", to
            self.leg(ticket_id, leg + 1, to, number, channel, priority, ended)
            return
        self.emit(
            ended,
            pb.TicketCompleted(
                meta=self.meta(agency), ticket=ref, counter=cref, serving_started_at=timestamp(started)
            ),
        )
        truth.outcome = "served"
        self.out.visits[ticket_id] = "served"
        if rng.random() < 0.45:
            self.survey(ticket_id, service, agency, number, ended)

    def come_back(
        self, ref: pb.TicketRef, agency: str, cref: pb.CounterRef, moment: dt.datetime, recalls: int
    ) -> dt.datetime:
        """Passed over as a no-show, then brought back into the queue by the officer."""
        moment += self.seconds(20, 60)
        self.emit(
            moment,
            pb.TicketSkipped(meta=self.meta(agency), ticket=ref, counter=cref, no_show=True, recalls=recalls),
        )
        moment += self.seconds(60, 600)
        self.emit(moment, pb.TicketReturned(meta=self.meta(agency), ticket=ref, counter=cref, was="no_show"))
        return moment

    def hall_counter_service(self, counter: int) -> str:
        return next(c.services[0] for c in self.hall.counters if c.number == counter)

    # ---- bookings and surveys ----

    def bookings(self, count: int) -> None:
        booked = [s for s in self.hall.services if s.booking is not None]
        for _ in range(count):
            service = self.rng.choice(booked)
            assert service.booking is not None
            session = self.rng.choice(service.booking.sessions)
            start = dt.datetime.combine(self.day, session.start, self.zone).astimezone(dt.UTC)
            booking_id = uuid.uuid4().hex
            slot = pb.BookingSlot(
                service=service.code, day=self.day.isoformat(), session_start=timestamp(start)
            )
            made = start - dt.timedelta(days=1) + self.seconds(0, 3600)
            meta = self.meta(service.agency)
            self.emit(
                made,
                pb.BookingCreated(
                    meta=meta, booking_id=booking_id, code="X", slot=slot, channel=pb.CHANNEL_ONLINE
                ),
            )
            fate = self.rng.choices(
                ["checked_in", "no_show", "cancelled", "booked"], weights=(70, 15, 10, 5)
            )[0]
            truth = TrueBooking(booking_id, self.day, service.code, service.agency, fate)
            self.out.bookings.append(truth)
            if fate == "cancelled":
                self.emit(
                    made + self.seconds(60, 3600),
                    pb.BookingCancelled(
                        meta=self.meta(service.agency), booking_id=booking_id, slot=slot, reason="citizen"
                    ),
                )
            elif fate == "no_show":
                self.emit(
                    start + dt.timedelta(minutes=16),
                    pb.BookingNoShow(meta=self.meta(service.agency), booking_id=booking_id, slot=slot),
                )
            elif fate == "checked_in":
                arrived = start - dt.timedelta(minutes=10) + self.seconds(0, 900)
                ticket_id = self.ticket(service.code, "online", booking_id, issued=arrived)
                number = self.ticket_number(ticket_id)
                self.emit(
                    arrived,
                    pb.BookingCheckedIn(
                        meta=self.meta(service.agency),
                        booking_id=booking_id,
                        ticket=self.ref(ticket_id, service.code, number),
                        late=arrived > start,
                    ),
                )

    def ticket_number(self, ticket_id: str) -> str:
        for _, _, message in reversed(self.timed):
            if isinstance(message, pb.TicketIssued) and message.ticket.ticket_id == ticket_id:
                return message.ticket.number
        raise KeyError(ticket_id)

    def survey(self, ticket_id: str, service: str, agency: str, number: str, completed: dt.datetime) -> None:
        answered = completed + self.seconds(30, 900)
        times = [answered] + ([answered + self.seconds(30, 600)] if self.rng.random() < 0.2 else [])
        for moment in times:
            scores = tuple(self.rng.choices([1, 2, 3, 4], weights=(3, 12, 50, 35), k=9))
            self.emit(
                moment,
                pb.SurveyAnswered(
                    meta=self.meta(agency),
                    ticket=self.ref(ticket_id, service, number),
                    scores=list(scores),
                    sex=self.rng.choice(["", "L", "P"]),
                    answered_at=timestamp(answered),
                ),
            )
            self.out.surveys[ticket_id] = TrueSurvey(ticket_id, self.day, service, agency, scores)

    def finish(self) -> Day:
        self.timed.sort(key=lambda item: (item[0], item[1]))
        self.out.events = [message for _, _, message in self.timed]
        return self.out


def hall_day(hall: Hall, day: dt.date, walk_ins: int = 380, bookings: int = 60, seed: int = 7) -> Day:
    """A day of the hall's events in the order a stream would hold them (by time; a ticket's
    own events always in their causal order)."""
    maker = _Maker(hall, day, seed)
    maker.counters_day()
    services = [s.code for s in hall.services]
    for _ in range(walk_ins):
        maker.ticket(maker.rng.choice(services), maker.rng.choices(["walk_in", "staff"], weights=(95, 5))[0])
    maker.bookings(bookings)
    return maker.finish()


def envelopes(messages: Sequence[Message]) -> list[Envelope]:
    return [Envelope(subject_for(m), m) for m in messages]


def feed(deps: Deps, messages: Sequence[Message], batch: int = 100) -> int:
    """The events in batches of ``batch``, as the consumer hands them over; how many applied."""
    wrapped = envelopes(messages)
    return sum(on_events(deps, wrapped[i : i + batch]) for i in range(0, len(wrapped), batch))
