"""One hall day, driven through the live system's own pure rules.

Kiosk: :func:`check_issuing` decides whether a number may be issued now (hours, breaks, cutoff),
:func:`format_number` numbers it per service, and a booked citizen checks in by ticketing's
:func:`admit` (on time keeps the session, late or missed joins as a walk-in). Counters: every call
is :func:`blending.choose` and :func:`blending.next_state` of the counters domain, with the
policy :func:`blending.counter_policy` gives each counter from the hall file's ``booking.blend``
and the :class:`blending.CounterState` (priority and booked streaks) the live station row keeps;
opening and closing go through :mod:`stations`. What is the simulator's own: the citizens'
behaviour (arrival, patience, journeys), the staffing plan and the bookkeeping of time. What
officers do out of the queue's order (a number called by hand, a citizen held aside, a ticket
brought back) is not modelled here: its counters always call next (docs/sim.md says where the
twin does know them).

Time runs in float seconds from local midnight; a datetime is made only where a domain function
takes one (a ticket joining, a check-in, a call), so the rules see exactly what the live ones see.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from bisect import insort
from dataclasses import dataclass, field
from typing import Literal, final
from zoneinfo import ZoneInfo

import numpy as np
from mypy_extensions import mypyc_attr

from antre.hall.model import WEEKDAYS, Booking, Hall, QueueRules, Service
from antre.problems import Refused
from services.counters.domain import blending, stations
from services.counters.domain.dispatch import Candidate
from services.ticketing.domain import bookings
from services.ticketing.domain.hours import check_issuing
from services.ticketing.domain.tickets import format_number
from sim.citizens import Citizen
from sim.demand import Demand, Profile, opening_order, profile_on
from sim.kernel import LATE, URGENT, Kernel

OFFICER = stations.Officer(username="sim", name="Simulasi", agency="")
_OPEN = stations.StationState.OPEN
_SECONDS = dt.timedelta  # _SECONDS(0, s) is timedelta(seconds=s), without the keyword's cost
Blend = Literal["check_in", "near_slot", "ratio"]  # as the hall file's booking.blend
Dispatch = Literal["fifo", "priority_lane"]  # as the hall file's queue.dispatch
BLENDS: tuple[Blend, ...] = ("check_in", "near_slot", "ratio")
DISPATCHES: tuple[Dispatch, ...] = ("fifo", "priority_lane")


@dataclass(frozen=True)
class Scenario:
    """What a comparison varies; ``None`` keeps the hall's or the demand file's own setting."""

    name: str = "hall"
    dispatch: str | None = None  # "fifo" or "priority_lane"
    priority_max_streak: int | None = None
    blend: str | None = None  # check_in, near_slot or ratio for every bookable service
    staffing: dict[str, Profile] | None = None
    cutoff_minutes: int | None = None

    def rules(self, hall: Hall) -> QueueRules:
        rules = hall.queue
        if self.dispatch is not None:
            if self.dispatch not in DISPATCHES:
                raise ValueError(f"unknown dispatch {self.dispatch!r} ({', '.join(DISPATCHES)})")
            rules = dataclasses.replace(rules, dispatch=self.dispatch)
        if self.priority_max_streak is not None:
            rules = dataclasses.replace(rules, priority_max_streak=self.priority_max_streak)
        return rules

    def services(self, hall: Hall) -> dict[str, Service]:
        """The hall's services, each bookable one with this scenario's blend if it sets one."""
        out = {s.code: s for s in hall.services}
        if self.blend is None:
            return out
        if self.blend not in BLENDS:
            raise ValueError(f"unknown blend {self.blend!r} ({', '.join(BLENDS)})")
        for code, s in out.items():
            if s.booking is not None:
                booking = dataclasses.replace(s.booking, blend=self.blend)
                out[code] = dataclasses.replace(s, booking=booking)
        return out


@final
class Ticket:
    """A citizen's number while they move through the hall; ``entry`` is what the counters see
    while they wait (rebuilt at each queue they join). A plain class, not a dataclass: compiled,
    its constructor is native, where a dataclass's is generated Python (one per visit)."""

    __slots__ = ("citizen", "entry", "id", "joined", "leg", "number", "priority", "slot", "stream")

    def __init__(self, citizen: Citizen, number: str, priority: bool) -> None:
        self.citizen = citizen
        self.number = number
        self.priority = priority  # a priority group, declared at the kiosk by walk-ins and booked alike
        self.id = ""
        self.leg = 0
        self.joined = 0.0  # kernel seconds; the entry's queued_at is the same instant as a datetime
        self.slot = math.inf  # the session start while booked in this queue; inf: a walk-in
        self.entry: blending.Blended | None = None
        self.stream: list[Ticket] | None = None  # the queue stream it waits in; None: not waiting


@dataclass(slots=True, eq=False)
class Desk:
    number: int
    services: tuple[str, ...]
    agency: str
    station: stations.Station
    policy: blending.BlendPolicy
    streams: tuple[list[Ticket], ...] = ()  # of every service it serves, as the live store reads them
    state: blending.CounterState = field(default_factory=blending.CounterState)
    current: Ticket | None = None
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
    picks: list[str] = field(default_factory=list)  # ticket ids in call order
    booked: list[bool] = field(default_factory=list)  # per pick: called as a booked ticket
    openings: list[tuple[float, int]] = field(default_factory=list)  # t, counter (streaks start at 0)
    no_shows: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    queue_times: list[float] = field(default_factory=list)
    queue_lengths: dict[str, list[int]] = field(default_factory=dict)
    desks: list[Desk] = field(default_factory=list)


def _walk_in_key(t: Ticket) -> tuple[float, str]:
    return t.joined, t.id


def _session_key(t: Ticket) -> tuple[float, float, str]:
    return t.slot, t.joined, t.id


def _taken(t: Ticket) -> bool:
    """Whether a call took ``t`` off its stream. A function, not ``t.stream is None`` inline:
    right after ``t.stream = stream`` the type checker, and so the compiled code, holds
    ``t.stream`` for a list even across the call that cleared it."""
    return t.stream is None


@mypyc_attr(allow_interpreted_subclasses=True)  # the scripted day and the tests' recording day
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
        self.rules = scenario.rules(hall)
        self.services = scenario.services(hall)
        self.base = dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(hall.timezone))
        self._instant, self._now = 0.0, self.base
        self.slot_length = dt.timedelta(minutes=demand.bookings.slot_minutes)
        self.sequence = dict.fromkeys(self.services, 0)
        self._booking = {code: s.booking for code, s in self.services.items()}
        self._prefix = {code: s.prefix for code, s in self.services.items()}
        # A session's start as a datetime and its SessionSlot, made once per slot rather than per
        # citizen: both are immutable values, equal to the ones made afresh (not decisions).
        self._starts: dict[float, dt.datetime] = {}
        self._slots: dict[tuple[str, float], bookings.SessionSlot] = {}
        # Per service the live store's four streams: (regular, priority) walk-ins by arrival, then
        # (regular, priority) booked by session or check-in (blending.booked_in_session_order).
        # Each stream's head is the one a policy could pick from it.
        self.streams: dict[str, tuple[list[Ticket], ...]] = {code: ([], [], [], []) for code in self.services}
        self.by_session = {
            code: tuple(
                blending.booked_in_session_order(blending.policy_of(s.booking), self.rules, priority=p)
                for p in (False, True)
            )
            for code, s in self.services.items()
        }
        self.sessions = {
            code: [
                (_seconds(s.start.time()), _seconds(s.end.time()))
                for s in bookings.sessions_on(service, day, self.hours, hall.timezone)
            ]
            for code, service in self.services.items()
        }
        self.citizens, self.sample_every = citizens, sample_every
        self.paused = self.closed = False
        self.weekday = WEEKDAYS[day.weekday()]
        span = self.hours.on(day)
        holiday = any(h.date == day for h in self.hours.holidays)
        open_s = _seconds(span.open) if span and not holiday else 0.0
        close_s = _seconds(span.close) if span and not holiday else 0.0
        self.log = DayLog(open_s, close_s, no_shows=dict(no_shows), refused=dict.fromkeys(self.services, 0))
        self.log.queue_lengths = {code: [] for code in self.services}
        self._measured = [(self.log.queue_lengths[code], self.streams[code]) for code in self.services]
        self.desks = [self._desk(c.number, c.services) for c in hall.counters]
        self.log.desks = self.desks
        self.by_service = {code: [d for d in self.desks if code in d.services] for code in self.services}
        self.staffing = scenario.staffing if scenario.staffing is not None else demand.staffing
        self._plan = [
            (agency, [next(d for d in self.desks if d.number == n) for n in opening_order(hall, agency)])
            for agency in dict.fromkeys(d.agency for d in self.desks)
        ]

    def _desk(self, number: int, services: tuple[str, ...]) -> Desk:
        agency = self.services[services[0]].agency
        policy = blending.counter_policy([self.services[c] for c in services])
        streams = tuple(s for code in services for s in self.streams[code])
        return Desk(number, services, agency, stations.Station(number), policy, streams)

    def run(self) -> DayLog:
        k, log = self.kernel, self.log
        k.call_each(self.arrive, [(citizen.arrival, citizen) for citizen in self.citizens])
        if log.close_s > log.open_s:
            for hour in range(int(log.open_s // 3600), math.ceil(log.close_s / 3600)):
                k.call(max(hour * 3600.0, log.open_s), self.staff, hour, URGENT)
            for pause in self.hours.breaks:
                if self.weekday in pause.days:
                    k.call(_seconds(pause.start), self.set_paused, True, URGENT)
                    k.call(_seconds(pause.end), self.set_paused, False, URGENT)
            k.call(log.close_s, self.close, None, URGENT)
            t = log.open_s
            while t <= log.close_s:
                k.call(t, self.measure, None, LATE)
                t += self.sample_every
        k.run()
        return log

    def now_dt(self) -> dt.datetime:
        """The kernel's instant as the hall's local time, made once per instant."""
        now = self.kernel.now
        if now != self._instant:
            self._instant, self._now = now, self.base + _SECONDS(0, now)
        return self._now

    # --- the kiosk -------------------------------------------------------------------------
    def arrive(self, citizen: Citizen) -> None:
        code = citizen.route[0]
        if citizen.slot is not None:
            booking = self._booking[code]
            if booking is not None and self._offered(code, citizen.slot):
                self.check_in(citizen, booking)
                return
        try:
            check_issuing(self.hours, self.now_dt())
        except Refused as refusal:
            retry = self._reopens(refusal.code)
            if retry is None:
                self.log.refused[code] += 1
            else:  # before opening or during a break: they wait at the door for the kiosk
                self.kernel.call(retry, self.arrive, citizen)
            return
        self.join(self._ticket(citizen, code, citizen.priority))

    def check_in(self, citizen: Citizen, booking: object) -> None:
        """Ticketing's check-in: on time keeps the session; late joins as a walk-in; too early
        comes back when the window opens; missed takes a walk-in number (at the kiosk's rules)."""
        assert citizen.slot is not None and isinstance(booking, Booking)
        code = citizen.route[0]
        slot = self._slots.get((code, citizen.slot))
        if slot is None:
            start = self._start(citizen.slot)
            slot = bookings.SessionSlot(code, self.day, start, start + self.slot_length, 0)
            self._slots[code, citizen.slot] = slot
        try:
            admission = bookings.admit(slot, booking, self.now_dt())
        except Refused as refusal:
            if refusal.code == "check_in_too_early":
                opens = citizen.slot - booking.check_in_early_minutes * 60.0
                self.kernel.call(opens, self.arrive, citizen)
            else:
                self.arrive(dataclasses.replace(citizen, slot=None))
            return
        session = citizen.slot if admission.session_start is not None else None
        self.join(self._ticket(citizen, code, citizen.priority), session)

    def _offered(self, code: str, slot: float) -> bool:
        """Whether the hall offers a session around this slot: a booking outside the sessions
        could not have been made, so that citizen comes as a walk-in."""
        for start, end in self.sessions[code]:  # noqa: SIM110 - a loop: no generator per arrival
            if start <= slot < end:
                return True
        return False

    def _start(self, seconds: float) -> dt.datetime:
        """A session's start as the hall's local time."""
        start = self._starts.get(seconds)
        if start is None:
            start = self._starts[seconds] = self.base + _SECONDS(0, seconds)
        return start

    def _ticket(self, citizen: Citizen, code: str, priority: bool) -> Ticket:
        sequence = self.sequence[code] = self.sequence[code] + 1
        return Ticket(citizen, format_number(self._prefix[code], sequence), priority)

    def _reopens(self, code: str) -> float | None:
        now = self.kernel.now
        if code == "not_open_yet":
            return self.log.open_s
        if code == "on_break":
            ends = [
                _seconds(b.end)
                for b in self.hours.breaks
                if self.weekday in b.days and _seconds(b.start) <= now
            ]
            later = [e for e in ends if e > now]
            return min(later) if later else None
        return None

    # --- the queue --------------------------------------------------------------------------
    def join(self, ticket: Ticket, session: float | None = None) -> None:
        citizen, leg, priority = ticket.citizen, ticket.leg, ticket.priority
        now = self.kernel.now
        code = citizen.route[leg]
        ticket.id = tid = str(citizen.id).zfill(7) + "." + str(leg)  # f"{id:07d}.{leg}", no format spec
        ticket.joined = now
        candidate = Candidate(tid, code, priority, self._now if now == self._instant else self.now_dt())
        start = None if session is None else self._start(session)
        ticket.entry = entry = blending.Blended.of(candidate, start)
        streams = self.streams[code]
        if entry.booked:
            assert session is not None
            ticket.slot = session
            stream = streams[2 + priority]
            insort(stream, ticket, key=_session_key if self.by_session[code][priority] else _walk_in_key)
        else:
            ticket.slot = math.inf
            stream = streams[priority]
            last = stream[-1] if stream else None
            if last is not None and (last.joined > now or (last.joined == now and last.id > tid)):
                insort(stream, ticket, key=_walk_in_key)
            else:
                stream.append(ticket)
        ticket.stream = stream
        patience = citizen.patience[leg]
        if patience != math.inf:
            self.kernel.call(now + patience, self.renege, (ticket, leg))
        if self.paused or self.closed:  # no counter may call now: pick would say None at each
            return
        for desk in self.by_service[code]:
            if desk.current is None:
                self.call(desk)
                if _taken(ticket):
                    break

    def renege(self, what: tuple[Ticket, int]) -> None:
        ticket, leg = what
        if ticket.leg != leg or ticket.stream is None:  # already called, or the hall closed
            return
        ticket.stream.remove(ticket)
        ticket.stream = None
        self.log.visits.append((ticket.citizen.route[leg], ticket.joined, math.nan, "reneged"))

    # --- the counters -----------------------------------------------------------------------
    def call(self, desk: Desk) -> None:
        """A free counter calls at once, and its citizen's visit takes the time drawn for it."""
        if desk.station.state != _OPEN or not any(desk.streams):  # pick would say None
            return
        ticket = self.pick(desk)
        if ticket is not None:
            self.kernel.call(self.kernel.now + ticket.citizen.durations[ticket.leg], self.done, desk)

    def pick(self, desk: Desk) -> Ticket | None:
        """The live "call next": the counter's policy chooses among the heads of its streams
        (what the live store reads), and the counter's state moves by the live rule."""
        if self.paused or self.closed or desk.current is not None:
            return None
        if desk.station.state != _OPEN:
            return None
        waiting = [s[0] for s in desk.streams if s]
        if not waiting:
            return None
        heads: list[blending.Blended] = []
        for head in waiting:
            assert head.entry is not None  # set when it joined its queue
            heads.append(head.entry)
        state, policy, rules = desk.state, desk.policy, self.rules
        t = self.kernel.now
        at = self._now if t == self._instant else self.now_dt()
        pick = blending.choose(heads, state, policy, rules, at)
        if pick is None:
            return None
        desk.state = blending.next_state(pick, heads, state, policy, rules)
        for ticket in waiting:
            if ticket.entry is pick:
                break
        stream = ticket.stream
        assert stream is not None and stream[0] is ticket
        del stream[0]
        ticket.stream = None
        candidate = pick.candidate
        regular_waited = candidate.priority and any(not h.candidate.priority for h in heads)
        log = self.log
        log.visits.append((candidate.service, ticket.joined, t, "served"))
        log.calls.append((t, desk.number, ticket.number, candidate.priority, regular_waited))
        log.picks.append(candidate.ticket_id)
        log.booked.append(pick.booked)
        desk.current, desk.serving_since = ticket, t
        return ticket

    def done(self, desk: Desk) -> None:
        now = self.kernel.now
        ticket = desk.current
        assert ticket is not None
        start = desk.serving_since
        hour = int(start // 3600)
        if hour < 23 and start < now <= (hour + 1) * 3600.0:  # _spread's one step, inline: hot
            desk.busy_s[hour] += now - start
        else:
            _spread(desk.busy_s, start, now)
        desk.current = None
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
        """Open or close counters so that each agency has its planned number open this hour,
        the first of :func:`sim.demand.opening_order`."""
        for agency, desks in self._plan:
            want = _planned(self.staffing.get(agency), self.weekday, hour, len(desks))
            for i, desk in enumerate(desks):
                if i < want:
                    desk.closing = False
                    opened = stations.open_station(desk.station, OFFICER, self.now_dt())
                    if opened is not None:
                        desk.station, desk.opened_at = opened, self.kernel.now
                        self.log.openings.append((self.kernel.now, desk.number))
                        desk.state = blending.CounterState(opened.priority_streak, opened.booked_streak)
                        self.call(desk)
                elif desk.station.state != stations.StationState.CLOSED:
                    desk.closing = True
                    if desk.current is None:
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

    def close(self, _: object = None) -> None:
        """Closing time: nobody more is called; whoever still waits goes home unserved."""
        self.closed = True
        for desk in self.desks:  # officers go home, those serving once their citizen is done
            if desk.station.state != stations.StationState.CLOSED:
                desk.closing = True
                if desk.current is None:
                    self._close_desk(desk)
        for code, streams in self.streams.items():
            for stream in streams:
                for ticket in stream:
                    ticket.stream = None
                    self.log.visits.append((code, ticket.joined, math.nan, "left_at_close"))
                stream.clear()

    def measure(self, _: object = None) -> None:
        self.log.queue_times.append(self.kernel.now)
        for lengths, (a, b, c, d) in self._measured:
            lengths.append(len(a) + len(b) + len(c) + len(d))


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
    hour = int(start // 3600)
    if hour < 23 and start < end <= (hour + 1) * 3600.0:  # within one hour: the loop's one step
        bins[hour] += end - start
        return
    while start < end:
        hour = min(int(start // 3600), 23)
        edge = min(end, (hour + 1) * 3600.0) if hour < 23 else end
        bins[hour] += edge - start
        start = edge
