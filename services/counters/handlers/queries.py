"""The counters' read side: a ticket's position and forecast call time, the counters and the queue
lengths, for pages, the status page and metrics. Nothing here changes state."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence

from antre.hall.model import Hall
from antre.privacy import ticket_key
from antre.problems import NotFound
from services.counters.adapters import repository as repo
from services.counters.domain import blending
from services.counters.domain.queue import QueuedTicket, State
from services.counters.domain.stations import Station, StationState
from services.counters.handlers.deps import Deps
from services.counters.handlers.desk import counter_of
from sim import forecast as forecasting
from sim.forecast import Snapshot

FORECAST_TTL = 10.0  # seconds a group's forecast is served before it is made again
REPLICATIONS = 100
ARRIVALS_WINDOW = dt.timedelta(hours=1)  # recent arrivals per stream are counted over this


def position(deps: Deps, ticket_id: str) -> int | None:
    with deps.uow.read() as conn:
        ticket = repo.get_ticket(conn, ticket_id)
        if ticket is None:
            raise NotFound("unknown_ticket", "Nomor antrean tidak ditemukan", "Ticket not found")
        if ticket.state != State.WAITING:
            return None
        waiting = repo.waiting_in(conn, [ticket.service], ticket.hall_day)
    # Each statement reads its own snapshot (PostgreSQL's read committed): a ticket called or
    # cancelled between the two has left the queue. (A StopIteration out of ``next`` here would
    # not even fail the request: a worker thread's StopIteration never reaches its future.)
    me = next((t for t in waiting if t.ticket_id == ticket.id), None)
    if me is None:
        return None
    return blending.position(me, waiting, _policy(deps, ticket.service), deps.hall.queue, deps.uow.clock())


def positions(deps: Deps, service: str) -> dict[str, int]:
    """Positions of a service's waiting tickets, keyed by :func:`antre.privacy.ticket_key`."""
    now = deps.uow.clock()
    with deps.uow.read() as conn:
        waiting = repo.waiting_in(conn, [service], deps.hall.day_of(now))
    policy = _policy(deps, service)
    return {
        ticket_key(t.ticket_id): blending.position(t, waiting, policy, deps.hall.queue, now) for t in waiting
    }


def _policy(deps: Deps, service: str) -> blending.BlendPolicy:
    found = deps.hall.service(service)
    return blending.policy_of(found.booking if found else None)


def current_ticket(deps: Deps, station: Station) -> QueuedTicket | None:
    if not station.current:
        return None
    with deps.uow.read() as conn:
        return repo.get_ticket(conn, station.current)


def aside(deps: Deps, number: int) -> list[QueuedTicket]:
    """Today's tickets the counter held (to call again) and the last it passed over (to bring
    back), as :func:`repo.aside_at` orders them."""
    with deps.uow.read() as conn:
        return repo.aside_at(conn, number, deps.hall.day_of(deps.uow.clock()))


def station(deps: Deps, number: int) -> Station:
    counter_of(deps, number)
    with deps.uow.read() as conn:
        # A counter whose row is not written yet (rows are written at start) is closed.
        return repo.get_station(conn, number) or Station(number)


def all_stations(deps: Deps) -> list[Station]:
    with deps.uow.read() as conn:
        return repo.all_stations(conn)


def waiting_counts(deps: Deps) -> dict[str, int]:
    with deps.uow.read() as conn:
        return repo.waiting_counts(conn, deps.hall.day_of(deps.uow.clock()))


def queue_lengths(deps: Deps) -> dict[tuple[str, str], int]:
    counts = waiting_counts(deps)
    return {(s.agency, s.code): counts.get(s.code, 0) for s in deps.hall.services}


def counter_states(deps: Deps) -> list[tuple[int, str, str]]:
    """(counter, agency, state) of every counter, for the metrics."""
    out = []
    for station in all_stations(deps):
        counter = deps.hall.counter(station.number)
        agencies = sorted(deps.hall.counter_agencies(counter)) if counter else []
        out.append((station.number, agencies[0] if agencies else "", station.state.value))
    return out


# ---- the forecast: when each waiting ticket will be called ----


def service_groups(hall: Hall) -> list[tuple[str, ...]]:
    """The hall's services joined by the counters they share: a forecast of one group needs no
    other (no counter works across two groups)."""
    group = {s.code: {s.code} for s in hall.services}
    for counter in hall.counters:
        merged = set().union(*(group[c] for c in counter.services if c in group))
        for code in merged:
            group[code] = merged
    seen: list[tuple[str, ...]] = []
    for members in group.values():
        key = tuple(sorted(members))
        if key not in seen:
            seen.append(key)
    return seen


def snapshot(deps: Deps, services: Sequence[str], now: dt.datetime, always_open: bool = False) -> Snapshot:
    """What the store knows of a group of services now, as the twin's forecast takes it. A demo
    hall (always open) runs to the end of the local day without breaks."""
    hall, day = deps.hall, deps.hall.day_of(now)
    with deps.uow.read() as conn:
        waiting = repo.waiting_in(conn, services, day)
        stations = [s for s in repo.all_stations(conn) if _serves(hall, s.number, services)]
        at_desks = repo.at_desks(conn, [s.current for s in stations if s.current])
        aside = repo.held_aside(conn, services, day)
        minutes = repo.counter_minutes(conn, services, day)
        since = now - ARRIVALS_WINDOW
        joined = repo.joined_since(conn, services, day, since)
    closes, breaks, stops = forecasting.day_bounds(hall, now)
    if always_open:
        closes = stops = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), hall.local(now).tzinfo)
        breaks = ()
    opened = hall.hours.on(day)
    start = dt.datetime.combine(day, opened.open, hall.local(now).tzinfo) if opened else since
    hours = max((now - max(since, start)).total_seconds(), 600.0) / 3600.0  # a young day: 10 min at least
    counts = {s: [0, 0, 0, 0] for s in services}
    for service, priority, booked in joined:
        counts[service][2 * booked + priority] += 1
    desks = []
    for st in stations:
        counter = hall.counter(st.number)
        assert counter is not None
        serving, called_at = at_desks.get(st.current, ("", None))
        since_at = called_at if serving else st.changed_at if st.state == StationState.PAUSED else None
        streak = blending.CounterState(st.priority_streak, st.booked_streak)
        held = tuple(aside.get(st.number, ()))
        desks.append(forecasting.Desk(st.number, counter.services, st.state, streak, serving, since_at, held))
    found = {s: hall.service(s) for s in services}
    return forecasting.Snapshot(
        now=now,
        waiting=tuple(
            forecasting.Waiting(
                t.ticket_id, t.candidate.service, t.priority, t.candidate.queued_at, t.session_start
            )
            for t in waiting
        ),
        desks=tuple(desks),
        rules=hall.queue,
        policies={s: blending.policy_of(f.booking if f else None) for s, f in found.items()},
        service_times={
            s: forecasting.service_time(f.target_minutes if f else 15, minutes[s]) for s, f in found.items()
        },
        closes_at=closes,
        breaks=breaks,
        arrivals={s: forecasting.Arrivals(*(n / hours for n in c)) for s, c in counts.items()},
        arrivals_until=stops,
    )


def _serves(hall: Hall, number: int, services: Sequence[str]) -> bool:
    counter = hall.counter(number)
    return counter is not None and any(s in services for s in counter.services)


class Forecasts:
    """Forecasts per service group, made from one snapshot and kept for :data:`FORECAST_TTL`
    seconds: however many status pages ask, a group is simulated at most once per period. Called
    from worker threads; a lock per group makes the others wait for the one computing."""

    def __init__(self, deps: Deps, always_open: bool = False, ttl: float = FORECAST_TTL) -> None:
        self.deps, self.always_open, self.ttl = deps, always_open, ttl
        self.groups = service_groups(deps.hall)
        self._of = {code: g for g in self.groups for code in g}
        self._locks = {g: threading.Lock() for g in self.groups}
        self._cache: dict[tuple[str, ...], tuple[float, dict[str, dict[str, forecasting.Forecast]]]] = {}

    def of_service(
        self, service: str, stale: dict[str, forecasting.Forecast] | None = None
    ) -> dict[str, forecasting.Forecast]:
        """Forecasts of the service's waiting tickets, by ticket id. ``stale``: an answer known to
        miss a waiting ticket; it is made again unless another caller already did."""
        group = self._of.get(service)
        if group is None:
            raise NotFound(
                "unknown_service", f"Layanan '{service}' tidak dikenal", f"Unknown service '{service}'"
            )
        with self._locks[group]:
            cached = self._cache.get(group)
            if cached is None or time.monotonic() - cached[0] > self.ttl or cached[1][service] is stale:
                with self.deps.metrics.forecast_seconds.time():
                    snap = snapshot(self.deps, group, self.deps.uow.clock(), self.always_open)
                    made = forecasting.forecast(snap, REPLICATIONS)
                by_service: dict[str, dict[str, forecasting.Forecast]] = {code: {} for code in group}
                for w in snap.waiting:
                    by_service[w.service][w.ticket_id] = made[w.ticket_id]
                cached = self._cache[group] = (time.monotonic(), by_service)
        return cached[1][service]

    def of_ticket(self, ticket_id: str) -> forecasting.Forecast | None:
        """None once the ticket is no longer waiting, or when it waits from an earlier day (the
        forecast is of today's queue). A ticket of today the kept forecast does not have (it
        joined since) gets a new one at once: a citizen who just took a number and opens the
        status page sees the call time, not a blank for the rest of the period."""
        with self.deps.uow.read() as conn:
            ticket = repo.get_ticket(conn, ticket_id)
        if ticket is None:
            raise NotFound("unknown_ticket", "Nomor antrean tidak ditemukan", "Ticket not found")
        if ticket.state != State.WAITING:
            return None
        made = self.of_service(ticket.service)
        today = self.deps.hall.day_of(self.deps.uow.clock())
        if ticket.id not in made and ticket.hall_day == today:  # joined since: a new one has it
            made = self.of_service(ticket.service, stale=made)
        return made.get(ticket.id)
