"""Twin days told as the live services would record them: the events a simulated day would have
put on the hall's stream, for checking that calibration gets back the demand the days were drawn
from.

Each citizen's ticket is issued (walk-in) or checked in (booked, with its booking created that
morning), called, served from the call (the twin's counter starts at the call), then completed or
transferred; counters open and close as the twin's staffing does. What the twin does not record
one by one is filled as the live hall would show it: a booked no-show gets a ``BookingNoShow``
whose slot is drawn from the slots of that service's check-ins (no-shows are independent of the
slot in the twin). Citizens who give up or are left at closing leave no event here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from google.protobuf.message import Message

from antre.events import new_meta, timestamp
from antre.hall.model import WEEKDAYS, Hall
from antre.v1 import events_pb2 as pb
from sim.citizens import Citizen, draw_day
from sim.demand import Bookings, Demand, Distribution, Journey, ServiceDemand
from sim.model import DayLog, Desk, HallDay, Scenario, Ticket


class RecordingDay(HallDay):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # a hall day's, as given
        self.events: list[Message] = []
        self.booked: dict[int, float] = {}  # citizen id -> slot (seconds)
        self.agency_of = {s.code: s.agency for s in self.hall.services}

    def at(self, seconds: float | None = None) -> dt.datetime:
        return self.base + dt.timedelta(seconds=self.kernel.now if seconds is None else seconds)

    def meta(self, agency: str, seconds: float | None = None) -> pb.EventMeta:
        return new_meta(self.hall.id, agency, self.at(seconds))

    def ref(self, ticket: Ticket, code: str) -> pb.TicketRef:
        return pb.TicketRef(
            ticket_id=f"{self.day}-t{ticket.citizen.id}",
            service=code,
            number=ticket.number,
            hall_day=self.day.isoformat(),
        )

    def counter(self, desk: Desk) -> pb.CounterRef:
        return pb.CounterRef(number=desk.number, name=f"Loket {desk.number}")

    def slot(self, code: str, start: float) -> pb.BookingSlot:
        length = self.slot_length.total_seconds()
        return pb.BookingSlot(
            service=code,
            day=self.day.isoformat(),
            session_start=timestamp(self.at(start)),
            session_end=timestamp(self.at(start + length)),
        )

    def check_in(self, citizen: Citizen, booking: object) -> None:
        if citizen.id not in self.booked:
            assert citizen.slot is not None
            self.booked[citizen.id] = citizen.slot
            code = citizen.route[0]
            self.events.append(
                pb.BookingCreated(
                    meta=self.meta(self.agency_of[code], 0.0),
                    booking_id=f"{self.day}-b{citizen.id}",
                    slot=self.slot(code, citizen.slot),
                    channel=pb.CHANNEL_ONLINE,
                )
            )
        super().check_in(citizen, booking)

    def join(self, ticket: Ticket, session: float | None = None) -> None:
        citizen = ticket.citizen
        if ticket.leg == 0:
            code = citizen.route[0]
            booked = citizen.id in self.booked
            issued = pb.TicketIssued(
                meta=self.meta(self.agency_of[code]),
                ticket=self.ref(ticket, code),
                priority=pb.PRIORITY_GROUP_ELDERLY if ticket.priority else pb.PRIORITY_GROUP_NONE,
                channel=pb.CHANNEL_ONLINE if booked else pb.CHANNEL_WALK_IN,
                issued_at=timestamp(self.at()),
                booking_id=f"{self.day}-b{citizen.id}" if booked else "",
            )
            if session is not None:
                issued.session_start.CopyFrom(timestamp(self.at(session)))
            self.events.append(issued)
            if booked:
                self.events.append(
                    pb.BookingCheckedIn(
                        meta=self.meta(self.agency_of[code]),
                        booking_id=f"{self.day}-b{citizen.id}",
                        ticket=self.ref(ticket, code),
                        late=session is None,
                    )
                )
        super().join(ticket, session)

    def pick(self, desk: Desk) -> Ticket | None:
        ticket = super().pick(desk)
        if ticket is not None:
            code = ticket.citizen.route[ticket.leg]
            agency = self.agency_of[code]
            self.events.append(
                pb.TicketCalled(
                    meta=self.meta(agency),
                    ticket=self.ref(ticket, code),
                    counter=self.counter(desk),
                    officer="sim",
                    queued_at=timestamp(self.at(ticket.joined)),
                )
            )
            self.events.append(
                pb.ServingStarted(
                    meta=self.meta(agency), ticket=self.ref(ticket, code), counter=self.counter(desk)
                )
            )
        return ticket

    def done(self, desk: Desk) -> None:
        ticket = desk.current
        assert ticket is not None
        route, leg = ticket.citizen.route, ticket.leg
        agency = self.agency_of[route[leg]]
        if leg + 1 < len(route):
            self.events.append(
                pb.TicketTransferred(
                    meta=self.meta(self.agency_of[route[leg + 1]]),
                    ticket=self.ref(ticket, route[leg + 1]),
                    from_service=route[leg],
                    from_agency=agency,
                    counter=self.counter(desk),
                )
            )
        else:
            self.events.append(
                pb.TicketCompleted(
                    meta=self.meta(agency),
                    ticket=self.ref(ticket, route[leg]),
                    counter=self.counter(desk),
                    serving_started_at=timestamp(self.at(desk.serving_since)),
                )
            )
        super().done(desk)

    def _close_desk(self, desk: Desk) -> None:
        super()._close_desk(desk)
        self.events.append(pb.CounterClosed(meta=self.meta(desk.agency), counter=self.counter(desk)))

    def run(self) -> DayLog:
        log = super().run()
        desks = {d.number: d for d in self.desks}
        for t, number in log.openings:
            desk = desks[number]
            opened = pb.CounterOpened(
                meta=self.meta(desk.agency, t),
                counter=self.counter(desk),
                officer="sim",
                services=desk.services,
            )
            self.events.append(opened)
        self.events.extend(self._no_shows(log))
        return log

    def _no_shows(self, log: DayLog) -> list[Message]:
        rng = np.random.default_rng(len(self.events))
        first = {c.id: c.route[0] for c in self.citizens}
        out: list[Message] = []
        for code, n in log.no_shows.items():
            slots = [s for c, s in self.booked.items() if first[c] == code]
            if not slots or self.services[code].booking is None:
                continue
            for i, start in enumerate(rng.choice(slots, n).tolist()):
                out.append(
                    pb.BookingNoShow(
                        meta=self.meta(self.agency_of[code], start + 3600.0),
                        booking_id=f"{self.day}-n{code}-{i}",
                        slot=self.slot(code, start),
                    )
                )
        return out


def record_day(
    hall: Hall, demand: Demand, day: dt.date, seed: int, scenario: Scenario | None = None
) -> tuple[list[Message], DayLog]:
    """One twin day (drawn as :func:`sim.runner.simulate` draws it) and the events it records."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    citizens, no_shows = draw_day(demand, WEEKDAYS[day.weekday()], rng)
    recording = RecordingDay(hall, demand, day, scenario or Scenario(), citizens, no_shows, rng)
    log = recording.run()
    return recording.events, log


def record_days(
    hall: Hall, demand: Demand, days: list[dt.date], seed: int = 1
) -> tuple[list[Message], list[DayLog]]:
    events: list[Message] = []
    logs = []
    for i, day in enumerate(days):
        day_events, log = record_day(hall, demand, day, seed * 1000 + i)
        events += day_events
        logs.append(log)
    return events, logs


def same_weekdays(start: dt.date, count: int) -> list[dt.date]:
    return [start + dt.timedelta(weeks=i) for i in range(count)]


def known_demand(hall_file: str) -> Demand:
    """A small day with every figure calibration fits set to a known value: civil registry's ID
    card (lognormal mean 12 min, sigma 0.5, 13 visitors an hour 08-13, 30% booked, a fifth of
    them no-shows), a quarter going on to land tax, and the registry at 4 counters over lunch."""
    hours = {h: 13.0 for h in range(8, 14)}
    return Demand(
        hall=hall_file,
        services={
            "ktp-el": ServiceDemand(
                {"default": hours}, Distribution("lognormal", mean=12.0, sigma=0.5), booking_share=0.3
            ),
            "pbb-p2": ServiceDemand({}, Distribution("lognormal", mean=8.0, sigma=0.4)),
        },
        priority_share=0.1,
        bookings=Bookings(share=0.3, slot_minutes=15, punctuality_sd_minutes=5.0, no_show=0.2),
        journeys=(Journey("ktp-el", "pbb-p2", 0.25),),
        staffing={"dukcapil": {"default": {8: 6.0, 12: 4.0, 13: 6.0}}},
    )
