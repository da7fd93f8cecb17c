"""One hall day, driven through the live system's own pure rules.

Kiosk: :func:`check_issuing` decides whether a number may be issued now (hours, breaks, cutoff) and
:func:`format_number` numbers it per service. Counters: :func:`policy_for` gives the hall's
dispatch policy, :func:`next_streak` and the :class:`Station` keep the priority streak exactly as
the counters service keeps it. What is the simulator's own: the citizens' behaviour (arrival,
patience, journeys), the staffing plan, and the blending policy until the counters domain has one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from antre.hall.model import WEEKDAYS, Hall, QueueRules
from antre.problems import Refused
from services.counters.domain import stations
from services.counters.domain.dispatch import Candidate, next_streak, policy_for
from services.ticketing.domain.hours import check_issuing
from services.ticketing.domain.tickets import format_number
from sim.blending import Blend, Waiting, blend_for
from sim.citizens import Citizen
from sim.demand import Demand, Profile, agency_counters, profile_on
from sim.kernel import LATE, URGENT, Kernel

OFFICER = stations.Officer(username="sim", name="Simulasi", agency="")


@dataclass(frozen=True)
class Scenario:
    """What a comparison varies; ``None`` keeps the hall's or the demand file's own setting."""

    name: str = "hall"
    dispatch: str | None = None  # "fifo" or "priority_lane"
    priority_max_streak: int | None = None
    blend: str = "checkin_fifo"
    due_minutes: float = 10.0
    staffing: dict[str, Profile] | None = None
    cutoff_minutes: int | None = None

    def rules(self, hall: Hall) -> QueueRules:
        rules = hall.queue
        if self.dispatch is not None:
            rules = dataclasses.replace(rules, dispatch=self.dispatch)  # type: ignore[arg-type]
        if self.priority_max_streak is not None:
            rules = dataclasses.replace(rules, priority_max_streak=self.priority_max_streak)
        return rules


@dataclass(slots=True)
class Ticket:
    citizen: Citizen
    number: str
    leg: int = 0
    waiting: bool = False
    joined: float = 0.0  # kept as the kernel's float: queued_at is rounded to microseconds


@dataclass(slots=True)
class Desk:
    number: int
    services: tuple[str, ...]
    agency: str
    station: stations.Station
    closing: bool = False  # close once the current citizen is done
    opened_at: float = 0.0
    serving_since: float = 0.0
    open_s: list[float] = field(default_factory=lambda: [0.0] * 24)
    busy_s: list[float] = field(default_factory=lambda: [0.0] * 24)


@dataclass
class DayLog:
    """What happened, in plain lists (turned into figures by :mod:`sim.stats`). Times are seconds
    from local midnight; a visit is one citizen's stay in one service's queue."""

    open_s: float
    close_s: float
    # per visit: service, joined at, called at (nan: never), outcome ("served", "reneged", "left_at_close")
    visits: list[tuple[str, float, float, str]] = field(default_factory=list)
    stays: list[float] = field(default_factory=list)  # time in hall of those served to the end
    calls: list[tuple[float, int, str, bool, bool]] = field(
        default_factory=list
    )  # t, counter, number, prio, regular waited
    no_shows: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    queue_times: list[float] = field(default_factory=list)
    queue_lengths: dict[str, list[int]] = field(default_factory=dict)
    desks: list[Desk] = field(default_factory=list)


class HallDay:
    def __init__(
        self,
        hall: Hall,
        demand: Demand,
        day: dt.date,
        scenario: Scenario,
        citizens: list[Citizen],
        no_shows: dict[str, int],
        rng: np.random.Generator,
        sample_every: float = 300.0,
    ) -> None:
        self.hall, self.day, self.kernel = hall, day, Kernel(rng)
        self.hours = hall.hours
        if scenario.cutoff_minutes is not None:
            self.hours = dataclasses.replace(self.hours, cutoff_minutes=scenario.cutoff_minutes)
        self.policy = policy_for(scenario.rules(hall))
        self.blend: Blend = blend_for(scenario.blend, scenario.due_minutes)
        self.base = dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(hall.timezone))
        self.services = {s.code: s for s in hall.services}
        self.sequence = dict.fromkeys(self.services, 0)
        self.waiting: dict[str, dict[str, Waiting]] = {code: {} for code in self.services}
        self.tickets: dict[str, Ticket] = {}
        self.citizens, self.sample_every = citizens, sample_every
        self.paused = self.closed = False
        span = self.hours.on(day)
        holiday = any(h.date == day for h in self.hours.holidays)
        open_s = _seconds(span.open) if span and not holiday else 0.0
        close_s = _seconds(span.close) if span and not holiday else 0.0
        self.log = DayLog(open_s, close_s, no_shows=dict(no_shows), refused=dict.fromkeys(self.services, 0))
        self.log.queue_lengths = {code: [] for code in self.services}
        self.desks = [self._desk(c.number, c.services) for c in hall.counters]
        self.log.desks = self.desks
        self.by_service = {code: [d for d in self.desks if code in d.services] for code in self.services}
        self.staffing = scenario.staffing if scenario.staffing is not None else demand.staffing

    def _desk(self, number: int, services: tuple[str, ...]) -> Desk:
        agency = self.services[services[0]].agency
        return Desk(number, services, agency, stations.Station(number))

    def run(self) -> DayLog:
        k, log = self.kernel, self.log
        for citizen in self.citizens:
            k.at(citizen.arrival, lambda c=citizen: self.arrive(c))
        if log.close_s > log.open_s:
            weekday = WEEKDAYS[self.day.weekday()]
            for hour in range(int(log.open_s // 3600), math.ceil(log.close_s / 3600)):
                k.at(max(hour * 3600.0, log.open_s), lambda h=hour: self.staff(h), URGENT)
            for pause in self.hours.breaks:
                if weekday in pause.days:
                    k.at(_seconds(pause.start), lambda: self.set_paused(True), URGENT)
                    k.at(_seconds(pause.end), lambda: self.set_paused(False), URGENT)
            k.at(log.close_s, self.close, URGENT)
            t = log.open_s
            while t <= log.close_s:
                k.at(t, self.measure, LATE)
                t += self.sample_every
        k.run()
        return log

    def now_dt(self) -> dt.datetime:
        return self.base + dt.timedelta(seconds=self.kernel.now)

    # --- the kiosk -------------------------------------------------------------------------
    def arrive(self, citizen: Citizen) -> None:
        try:
            check_issuing(self.hours, self.now_dt())
        except Refused as refusal:
            retry = self._reopens(refusal.code)
            if retry is None:
                self.log.refused[citizen.route[0]] += 1
            else:  # before opening or during a break: they wait at the door for the kiosk
                self.kernel.at(retry, lambda: self.arrive(citizen))
            return
        code = citizen.route[0]
        self.sequence[code] += 1
        ticket = Ticket(citizen, format_number(self.services[code].prefix, self.sequence[code]))
        self.join(ticket)

    def _reopens(self, code: str) -> float | None:
        now = self.kernel.now
        if code == "not_open_yet":
            return self.log.open_s
        if code == "on_break":
            weekday = WEEKDAYS[self.day.weekday()]
            ends = [
                _seconds(b.end) for b in self.hours.breaks if weekday in b.days and _seconds(b.start) <= now
            ]
            later = [e for e in ends if e > now]
            return min(later) if later else None
        return None

    # --- the queue --------------------------------------------------------------------------
    def join(self, ticket: Ticket) -> None:
        citizen, now = ticket.citizen, self.kernel.now
        code = citizen.route[ticket.leg]
        ticket_id = f"{citizen.id:07d}.{ticket.leg}"
        slot = self.base + dt.timedelta(seconds=citizen.slot) if citizen.slot is not None else None
        candidate = Candidate(ticket_id, code, citizen.priority, self.now_dt())
        self.waiting[code][ticket_id] = Waiting(candidate, slot)
        self.tickets[ticket_id] = ticket
        ticket.waiting, ticket.joined = True, now
        patience = citizen.patience[ticket.leg]
        if patience != math.inf:
            self.kernel.at(now + patience, lambda: self.renege(ticket_id, now))
        for desk in self.by_service[code]:
            if not desk.station.current:
                self.call(desk)
                if not ticket.waiting:
                    break

    def renege(self, ticket_id: str, joined: float) -> None:
        ticket = self.tickets.pop(ticket_id, None)  # None: already called, or the hall closed
        if ticket is None:
            return
        code = ticket.citizen.route[ticket.leg]
        if self.waiting[code].pop(ticket_id, None) is not None:
            ticket.waiting = False
            self.log.visits.append((code, joined, math.nan, "reneged"))

    # --- the counters -----------------------------------------------------------------------
    def call(self, desk: Desk) -> None:
        station = desk.station
        if self.paused or self.closed or station.state != stations.StationState.OPEN or station.current:
            return
        entries = [w for code in desk.services for w in self.waiting[code].values()]
        if not entries:
            return
        now = self.now_dt()
        everyone = [w.candidate for w in entries]
        pick = self.policy(self.blend(entries, now), station.priority_streak)
        if pick is None:
            return
        streak = next_streak(pick, everyone, station.priority_streak)
        regular_waited = pick.priority and any(not c.priority for c in everyone)
        del self.waiting[pick.service][pick.ticket_id]
        ticket = self.tickets.pop(pick.ticket_id)
        ticket.waiting = False
        t = self.kernel.now
        self.log.visits.append((pick.service, ticket.joined, t, "served"))
        self.log.calls.append((t, desk.number, ticket.number, pick.priority, regular_waited))
        desk.station = stations.holding(station, pick.ticket_id, streak)
        desk.serving_since = t
        self.kernel.at(t + ticket.citizen.durations[ticket.leg], lambda: self.done(desk, ticket))

    def done(self, desk: Desk, ticket: Ticket) -> None:
        now = self.kernel.now
        _spread(desk.busy_s, desk.serving_since, now)
        desk.station = stations.released(desk.station)
        ticket.leg += 1
        if ticket.leg < len(ticket.citizen.route):  # a transfer: same number, back of the next queue
            self.join(ticket)
        else:
            self.log.stays.append(now - ticket.citizen.arrival)
        if desk.closing:
            self._close_desk(desk)
        else:
            self.call(desk)

    def staff(self, hour: int) -> None:
        """Open or close counters so that each agency has its planned number open this hour."""
        weekday = WEEKDAYS[self.day.weekday()]
        for agency in {d.agency for d in self.desks}:
            numbers = agency_counters(self.hall, agency)
            want = _planned(self.staffing.get(agency), weekday, hour, len(numbers))
            for i, number in enumerate(numbers):
                desk = next(d for d in self.desks if d.number == number)
                if i < want:
                    desk.closing = False
                    opened = stations.open_station(desk.station, OFFICER, self.now_dt())
                    if opened is not None:
                        desk.station, desk.opened_at = opened, self.kernel.now
                        self.call(desk)
                elif desk.station.state != stations.StationState.CLOSED:
                    desk.closing = True
                    if not desk.station.current:
                        self._close_desk(desk)

    def _close_desk(self, desk: Desk) -> None:
        _spread(desk.open_s, desk.opened_at, self.kernel.now)
        desk.station = stations.close(desk.station, OFFICER, self.now_dt())
        desk.closing = False

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused:
            for desk in self.desks:
                self.call(desk)

    def close(self) -> None:
        """Closing time: nobody more is called; whoever still waits goes home unserved."""
        self.closed = True
        for desk in self.desks:  # officers go home, those serving once their citizen is done
            if desk.station.state != stations.StationState.CLOSED:
                desk.closing = True
                if not desk.station.current:
                    self._close_desk(desk)
        for code, waiting in self.waiting.items():
            for ticket_id in waiting:
                ticket = self.tickets.pop(ticket_id)
                ticket.waiting = False
                self.log.visits.append((code, ticket.joined, math.nan, "left_at_close"))
            waiting.clear()

    def measure(self) -> None:
        self.log.queue_times.append(self.kernel.now)
        for code, waiting in self.waiting.items():
            self.log.queue_lengths[code].append(len(waiting))


def _planned(profile: Profile | None, weekday: str, hour: int, available: int) -> int:
    """The plan's number for this hour, carried forward from the last hour it names; every
    counter when the plan says nothing."""
    if profile is None:
        return available
    hours = profile_on(profile, weekday)
    earlier = [h for h in hours if h <= hour]
    return min(available, int(hours[max(earlier)])) if earlier else available


def _seconds(t: dt.time) -> float:
    return t.hour * 3600.0 + t.minute * 60.0 + t.second


def _spread(bins: list[float], start: float, end: float) -> None:
    """Add the interval [start, end) to hourly bins (a service may straddle an hour)."""
    while start < end:
        hour = min(int(start // 3600), 23)
        edge = min(end, (hour + 1) * 3600.0) if hour < 23 else end
        bins[hour] += edge - start
        start = edge
