"""The living hall's forecast: from a snapshot of the live queue and counters, when each waiting
ticket will be called (p50 and p90) and the chance it is not called before closing.

``R`` replications of the rest of the day run from one snapshot with the live hall's own rules:
every call is :func:`blending.choose` and :func:`blending.next_state` over the heads of the
counter's streams, as in :mod:`sim.model` and the live store. Replication ``i`` draws from child
``i`` of one seed, so the same snapshot always gives the same forecast (common random numbers).
A replication stops once every ticket of the snapshot is called or the hall closes: what comes
after cannot change the answer.

What the snapshot cannot know is assumed, and the assumptions shape the answer:

- counters open now stay open until closing; closed ones stay closed (the staffing plan is not
  in the live store); a paused counter comes back :data:`PAUSE_MINUTES` after it paused;
- a counter holding a ticket is busy for the rest of that service, drawn from the service's
  distribution given the time it has already taken;
- each citizen a counter holds aside (*tunda*, gone to fetch a document) comes back and is served
  there, a whole service drawn afresh, as soon as the counter is free (after its current citizen,
  and its pause), before it calls from the queue: this errs late for those waiting, since some
  come back later and some never; a ticket brought back to the queue is simply waiting, at the
  place it was given;
- nobody is called during a break or from closing time on; those called before closing are
  served to the end;
- future arrivals (optional, :class:`Arrivals`) come as Poisson streams at the day's recent
  rates until issuing stops; they matter only to those they go ahead of (priority tickets under
  the priority lane, booked ones under ``ratio``, and walk-ins ahead of an early booked ticket
  under ``near_slot``); a booked arrival's session starts :data:`BOOKED_LEAD_MINUTES` after it
  checks in.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from bisect import insort
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import final

import numpy as np

from antre.hall.model import WEEKDAYS, Hall, QueueRules
from services.counters.domain import blending
from services.counters.domain.dispatch import Candidate
from services.counters.domain.stations import StationState
from sim.citizens import sample
from sim.demand import Distribution

PAUSE_MINUTES = 10.0
BOOKED_LEAD_MINUTES = 5.0
LOGNORMAL_SIGMA = 0.5  # spread assumed for a service known only by its hall-file target
MIN_RECENT = 20  # completed services of the day needed to trust them over the hall file
INF = math.inf
_NORMAL = NormalDist()
# timedelta(0, s) is timedelta(seconds=s): positional arguments, no keyword parsing per call.
_SECONDS = dt.timedelta


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket as the live store knows it; ``session_start`` set for a booked ticket
    (checked in on time, see :meth:`blending.Blended.of`)."""

    ticket_id: str
    service: str
    priority: bool
    queued_at: dt.datetime
    session_start: dt.datetime | None = None

    def blended(self) -> blending.Blended:
        candidate = Candidate(self.ticket_id, self.service, self.priority, self.queued_at)
        return blending.Blended.of(candidate, self.session_start)


@dataclass(frozen=True)
class Desk:
    """A counter now: its state, the services it serves and its streaks; ``serving`` is the
    service of the ticket at its desk ("" when idle), there or paused ``since``; ``held`` the
    services of the tickets it holds aside."""

    number: int
    services: tuple[str, ...]
    state: StationState
    streak: blending.CounterState = field(default_factory=blending.CounterState)
    serving: str = ""
    since: dt.datetime | None = None
    held: tuple[str, ...] = ()


@dataclass(frozen=True)
class Arrivals:
    """Arrivals per hour of one service by stream, e.g. as counted over the last hour."""

    walk_in: float = 0.0
    priority: float = 0.0
    booked: float = 0.0
    booked_priority: float = 0.0

    def rates(self) -> tuple[float, float, float, float]:
        """In the order of the live store's streams (regular, priority; walk-in, booked)."""
        return self.walk_in, self.priority, self.booked, self.booked_priority


@dataclass(frozen=True)
class Snapshot:
    now: dt.datetime
    waiting: tuple[Waiting, ...]
    desks: tuple[Desk, ...]
    rules: QueueRules
    policies: Mapping[str, blending.BlendPolicy]  # per service (booking.blend)
    service_times: Mapping[str, Distribution]  # per service, minutes
    closes_at: dt.datetime
    breaks: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    arrivals: Mapping[str, Arrivals] = field(default_factory=dict)
    arrivals_until: dt.datetime | None = None  # issuing stops; None: at closing


@dataclass(frozen=True)
class Forecast:
    """``p50``/``p90``: the call time by which half and nine in ten replications called the
    ticket (None: not called before closing that often); ``not_called``: share never called."""

    p50: dt.datetime | None
    p90: dt.datetime | None
    not_called: float


# ---- inputs from the hall file and the day so far ----


def service_time(target_minutes: float, recent_minutes: Sequence[float] = ()) -> Distribution:
    """The day's own completed services once there are enough of them (resampled as they are),
    else a lognormal around the hall file's target: the target is a standard, not a measurement,
    so it is the fallback."""
    recent = tuple(m for m in recent_minutes if m > 0)
    if len(recent) >= MIN_RECENT:
        return Distribution("empirical", values=recent)
    return Distribution("lognormal", max(target_minutes, 0.5), LOGNORMAL_SIGMA)


def day_bounds(
    hall: Hall, now: dt.datetime
) -> tuple[dt.datetime, tuple[tuple[dt.datetime, dt.datetime], ...], dt.datetime]:
    """(closing, breaks, issuing stops) of the hall day ``now`` falls in, in the hall's zone; a
    closed day or holiday closes at ``now``."""
    local = hall.local(now)
    day, zone = local.date(), local.tzinfo
    span = hall.hours.on(day)
    if span is None or any(h.date == day for h in hall.hours.holidays):
        return now, (), now

    def at(t: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, t, tzinfo=zone)

    weekday = WEEKDAYS[day.weekday()]
    breaks = tuple((at(b.start), at(b.end)) for b in hall.hours.breaks if weekday in b.days)
    closes = at(span.close)
    return closes, breaks, closes - dt.timedelta(minutes=hall.hours.cutoff_minutes)


def remaining(d: Distribution, elapsed_s: float, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` draws of the rest of a service that has taken ``elapsed_s`` so far, in seconds: the
    distribution conditioned on lasting longer than that. Past every observed value it ends now."""
    elapsed = max(elapsed_s, 0.0) / 60.0
    if d.dist == "exponential" or elapsed == 0.0:  # memoryless, or nothing taken yet
        return sample(d, rng, n)
    if d.dist == "lognormal":
        mu = math.log(d.mean) - d.sigma**2 / 2
        p = _NORMAL.cdf((math.log(elapsed) - mu) / d.sigma)
        u = np.minimum(rng.uniform(p, 1.0, n), 1.0 - 1e-12)
        z = np.array([_NORMAL.inv_cdf(float(x)) for x in u])
        return np.maximum(np.exp(mu + d.sigma * z) - elapsed, 0.0) * 60.0
    pool = np.asarray(d.values, dtype=float) if d.dist == "empirical" else sample(d, rng, 64 * n) / 60.0
    longer = pool[pool > elapsed]
    if not len(longer):
        return np.zeros(n)
    return (rng.choice(longer, n) - elapsed) * 60.0


# ---- the forecast ----


def forecast(snapshot: Snapshot, replications: int = 100, seed: int = 2026) -> dict[str, Forecast]:
    """Every waiting ticket's forecast, by ticket id."""
    ids = [w.ticket_id for w in snapshot.waiting]
    if not ids:
        return {}
    first, *children = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(replications + 1)
    )
    run = _Run(snapshot, replications, first)
    calls = np.array([run.replicate(r, rng) for r, rng in enumerate(children)])  # (R, tickets), s
    calls.sort(axis=0)
    p50, p90 = calls[_rank(0.5, replications)], calls[_rank(0.9, replications)]
    missed = np.isinf(calls).sum(axis=0) / replications
    return {
        tid: Forecast(_at(snapshot.now, p50[i]), _at(snapshot.now, p90[i]), float(missed[i]))
        for i, tid in enumerate(ids)
    }


def _rank(q: float, n: int) -> int:
    """The empirical quantile's row (no interpolation: a ticket not called is infinitely late)."""
    return max(math.ceil(q * n) - 1, 0)


def _at(now: dt.datetime, seconds: float) -> dt.datetime | None:
    return None if math.isinf(seconds) else now + dt.timedelta(seconds=float(seconds))


def _walk_in_key(t: blending.Blended) -> tuple[dt.datetime, str]:
    return t.candidate.queued_at, t.ticket_id


def _session_key(t: blending.Blended) -> tuple[dt.datetime, dt.datetime, str]:
    assert t.session_start is not None
    return t.session_start, t.candidate.queued_at, t.ticket_id


def _desk_policy(
    services: Sequence[str], policies: Mapping[str, blending.BlendPolicy]
) -> blending.BlendPolicy:
    """What :func:`blending.counter_policy` gives: the one blend its booking services agree on."""
    own = [policies[s] for s in services if not isinstance(policies.get(s), blending.CheckIn | None)]
    return own[0] if own else blending.CheckIn()


def _horizons(snap: Snapshot, policies: Sequence[blending.BlendPolicy]) -> tuple[float, ...]:
    """Per stream (regular, priority; walk-in, booked): seconds from now until which its arrivals
    can still be called before a ticket of the snapshot. Arrivals later than that, or of a stream
    that never goes ahead, cannot change the forecast and are not simulated."""
    now = snap.now
    lane = snap.rules.dispatch == "priority_lane" and any(not w.priority for w in snap.waiting)
    ratio = any(isinstance(p, blending.Ratio) for p in policies)
    near = any(isinstance(p, blending.NearSlot) for p in policies)
    bound = any(isinstance(p, blending.NearSlot) and p.bound for p in policies)
    booked = [w for w in snap.waiting if w.session_start is not None]
    latest = max(((w.session_start - now).total_seconds() for w in booked if w.session_start), default=-INF)
    walk_in = INF if ratio and booked else (latest if near else 0.0)
    booked_in = INF if bound or (ratio and len(booked) < len(snap.waiting)) else 0.0
    if near and not booked_in:
        booked_in = latest - BOOKED_LEAD_MINUTES * 60.0
    return walk_in, INF if lane else walk_in, booked_in, INF if lane else booked_in


class _Run:
    """What every replication shares: the snapshot in seconds from ``now``, its sorted streams and
    the rest of the service of each counter's current ticket (drawn for every replication)."""

    def __init__(self, snap: Snapshot, replications: int, rng: np.random.Generator) -> None:
        self.snap = snap
        now = self.now = snap.now
        self.close = (snap.closes_at - now).total_seconds()
        until = min(((snap.arrivals_until or snap.closes_at) - now).total_seconds(), self.close)
        self.breaks = [((a - now).total_seconds(), (b - now).total_seconds()) for a, b in snap.breaks]
        self.index = {w.ticket_id: i for i, w in enumerate(snap.waiting)}
        self.services = sorted(
            {s for d in snap.desks for s in d.services} | {w.service for w in snap.waiting}
        )
        self.by_session = {  # per service, (regular, priority) booked streams: as the live store
            s: tuple(
                blending.booked_in_session_order(snap.policies.get(s, blending.CheckIn()), snap.rules, p)
                for p in (False, True)
            )
            for s in self.services
        }
        streams: dict[str, tuple[list[blending.Blended], ...]] = {s: ([], [], [], []) for s in self.services}
        for w in snap.waiting:
            entry = w.blended()
            streams[w.service][2 * entry.booked + entry.priority].append(entry)
        for code, lanes in streams.items():
            for k, lane in enumerate(lanes):
                lane.sort(key=_session_key if k >= 2 and self.by_session[code][k % 2] else _walk_in_key)
        self.streams = streams
        self.desks = [d for d in snap.desks if d.state != StationState.CLOSED]
        self.policies = [_desk_policy(d.services, snap.policies) for d in self.desks]
        self.by_service = {s: [i for i, d in enumerate(self.desks) if s in d.services] for s in self.services}
        self.first = [self._first_free(d, rng, replications) for d in self.desks]
        horizons = _horizons(snap, self.policies)
        self.kinds = [
            (code, k, rate, min(until, horizons[k]))
            for code in self.services
            if code in snap.arrivals
            for k, rate in enumerate(snap.arrivals[code].rates())
            if rate > 0 and min(until, horizons[k]) > 0
        ]
        need = {s: 8 for s in self.services}
        for w in snap.waiting:
            need[w.service] += 1
        for code, _, rate, horizon in self.kinds:
            need[code] += int(rate * horizon / 3600.0 * 1.5)
        self.need = need

    def _first_free(self, d: Desk, rng: np.random.Generator, n: int) -> np.ndarray:
        """When the counter can first call, per replication: after the rest of its current
        service, not before a paused counter comes back, and after serving those it holds aside."""
        start = np.zeros(n)
        if d.serving:
            elapsed = (self.now - d.since).total_seconds() if d.since else 0.0
            start = remaining(self.snap.service_times[d.serving], elapsed, rng, n)
        if d.state == StationState.PAUSED and d.since is not None:
            back = (d.since - self.now).total_seconds() + PAUSE_MINUTES * 60.0
            start = np.maximum(start, back)
        for service in d.held:
            start = start + sample(self.snap.service_times[service], rng, n)
        return start

    def _free_from(self, t: float) -> float:
        """The first instant at or after ``t`` outside every break."""
        for start, end in self.breaks:
            if start <= t < end:
                t = end
        return t

    def _arrivals(self, rng: np.random.Generator) -> list[tuple[float, int, int]]:
        """Poisson arrivals of every stream that matters, as heap entries (time, order, -1 - kind)."""
        out = []
        for k, (_, _, rate, horizon) in enumerate(self.kinds):
            mean = 3600.0 / rate
            t = 0.0
            while True:
                gaps = rng.exponential(mean, int(horizon / mean) + 4)
                times = t + np.cumsum(gaps)
                out += [(x, -1 - k) for x in times[times < horizon].tolist()]
                if times[-1] >= horizon:
                    break
                t = float(times[-1])
        out.sort()
        return [(x, i, who) for i, (x, who) in enumerate(out)]

    def replicate(self, r: int, rng: np.random.Generator) -> list[float]:
        """Call times of the snapshot's tickets in replication ``r`` (seconds from now; inf: not
        called before closing)."""
        return _Replication(self, r, rng).play()


@final
class _Replication:
    """One replication's own streams, counters' states and events. A class rather than a closure
    over :meth:`_Run.replicate`'s locals: compiled, calling a method is native, calling a nested
    function a Python call with its arguments boxed."""

    def __init__(self, shared: _Run, r: int, rng: np.random.Generator) -> None:
        self.shared, self.rng = shared, rng
        self.calls = [INF] * len(shared.index)
        self.left = len(self.calls)
        self.pools: dict[str, list[float]] = {
            s: sample(shared.snap.service_times[s], rng, n).tolist() for s, n in shared.need.items()
        }
        self.streams = {s: tuple(list(x) for x in lanes) for s, lanes in shared.streams.items()}
        self.desk_streams = [tuple(x for s in d.services for x in self.streams[s]) for d in shared.desks]
        self.states = [d.streak for d in shared.desks]
        self.idle = [False] * len(shared.desks)
        heap = shared._arrivals(rng)
        seq = len(heap)
        heap += [(float(first[r]), seq + i, i) for i, first in enumerate(shared.first)]
        heapq.heapify(heap)
        self.heap, self.seq = heap, seq + len(shared.first)

    def play(self) -> list[float]:
        shared, heap, streams, idle = self.shared, self.heap, self.streams, self.idle
        now = shared.now
        lead = dt.timedelta(minutes=BOOKED_LEAD_MINUTES)
        while heap and self.left:
            t, order, who = heapq.heappop(heap)
            if who >= 0:
                self.call(who, t)
                continue
            code, kind, _, _ = shared.kinds[-1 - who]
            queued = now + _SECONDS(0, t)
            session = queued + lead if kind >= 2 else None
            entry = blending.Blended.of(Candidate(f"~{order}", code, bool(kind % 2), queued), session)
            stream = streams[code][kind]
            if kind >= 2 and shared.by_session[code][kind % 2]:
                insort(stream, entry, key=_session_key)
            else:
                stream.append(entry)
            for i in shared.by_service[code]:
                if idle[i]:
                    idle[i] = False
                    self.call(i, t)
        return self.calls

    def call(self, i: int, t: float) -> None:
        """Counter ``i`` calls at ``t``, or goes idle until someone arrives."""
        shared = self.shared
        free = shared._free_from(t)
        if free >= shared.close:
            return
        if free > t:  # a break: the counter calls again when it ends
            heapq.heappush(self.heap, (free, self.seq, i))
            self.seq += 1
            return
        streams = self.desk_streams[i]
        heads = [s[0] for s in streams if s]
        policy, rules, state = shared.policies[i], shared.snap.rules, self.states[i]
        when = shared.now + _SECONDS(0, t)  # the live call's clock, whichever policy reads it
        pick = blending.choose(heads, state, policy, rules, when) if heads else None
        if pick is None:
            self.idle[i] = True
            return
        self.states[i] = blending.next_state(pick, heads, state, policy, rules)
        for s in streams:
            if s and s[0] is pick:
                del s[0]
                break
        j = shared.index.get(pick.ticket_id)
        if j is not None:
            self.calls[j] = t
            self.left -= 1
        code = pick.candidate.service
        pool = self.pools[code]
        times = shared.snap.service_times
        duration = pool.pop() if pool else float(sample(times[code], self.rng, 1)[0])
        heapq.heappush(self.heap, (t + duration, self.seq, i))
        self.seq += 1
