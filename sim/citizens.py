"""The day's citizens, drawn before the day runs: when each comes, for which services in turn, how
long each visit takes at the counter and how long they will wait before giving up.

Drawing everything up front, from separate child streams per purpose, is what makes common random
numbers exact: two scenarios compared on one seed meet the very same citizens with the very same
needs, so the difference between them is the policy's, not the dice's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.demand import Demand, Distribution, profile_on

INF = math.inf
MAX_ROUTE = 5  # services in one visit at most


@dataclass(slots=True, init=False)
class Citizen:
    id: int  # arrival order: ties in time break on it, as the live queue breaks them on ticket id
    arrival: float  # seconds from local midnight: at the kiosk (walk-in) or at check-in (booked)
    route: tuple[str, ...]  # services in the order visited (a journey transfers between them)
    durations: tuple[float, ...]  # seconds at the counter, per visit
    patience: tuple[float, ...]  # seconds waited before giving up, per visit (inf: stays)
    priority: bool
    slot: float | None  # booked: the slot's start

    # Written out, not generated: compiled, this one is native (a dataclass's is Python, ~1 us a
    # citizen); the dataclass still gives equality and repr.
    def __init__(
        self,
        id: int,
        arrival: float,
        route: tuple[str, ...],
        durations: tuple[float, ...],
        patience: tuple[float, ...],
        priority: bool,
        slot: float | None = None,
    ) -> None:
        self.id = id
        self.arrival = arrival
        self.route = route
        self.durations = durations
        self.patience = patience
        self.priority = priority
        self.slot = slot


def sample(d: Distribution, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` durations in seconds."""
    if d.dist == "lognormal":
        mu = math.log(d.mean) - d.sigma**2 / 2  # so that the mean is the stated mean
        return rng.lognormal(mu, d.sigma, n) * 60.0
    if d.dist == "gamma":
        shape = 1.0 / d.cv**2
        return rng.gamma(shape, d.mean / shape, n) * 60.0
    if d.dist == "exponential":
        return rng.exponential(d.mean, n) * 60.0
    return rng.choice(np.asarray(d.values, dtype=float), n) * 60.0


def poisson_times(rates: dict[int, float], rng: np.random.Generator) -> np.ndarray:
    """A non-homogeneous Poisson process with piecewise-constant hourly rates, by thinning:
    candidates at the peak rate, each kept with probability rate(t) / peak."""
    if not rates or max(rates.values()) <= 0:
        return np.empty(0)
    start, end = min(rates) * 3600.0, (max(rates) + 1) * 3600.0
    peak = max(rates.values())
    n = rng.poisson(peak * (end - start) / 3600.0)
    times = np.sort(rng.uniform(start, end, n))
    table = np.array([rates.get(h, 0.0) for h in range(25)])
    rate = table[np.minimum(times // 3600, 24).astype(int)]
    kept: np.ndarray = times[rng.random(n) * peak < rate]
    return kept


def booked_arrivals(
    demand: Demand, rates: dict[int, float], booked: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, int]:
    """One service's booked citizens who come: their slots' starts, their arrival times, and how
    many did not come. Every slot of the day at once: one draw each for counts, no-shows and
    punctuality."""
    slot = demand.bookings.slot_minutes * 60.0
    per_hour = int(3600 // slot)
    hours = sorted(rates)
    starts = np.array([h * 3600.0 + k * slot for h in hours for k in range(per_hour)])
    means = np.repeat([rates[h] * booked * slot / 3600.0 for h in hours], per_hour)
    counts = rng.poisson(means) if len(means) else np.zeros(0, dtype=int)
    starts = np.repeat(starts, counts)
    shows = rng.random(len(starts)) >= demand.bookings.no_show
    starts = starts[shows]
    sd = demand.bookings.punctuality_sd_minutes * 60.0
    at = np.maximum(starts + rng.normal(0.0, sd, len(starts)), 0.0) if sd > 0 else starts
    return starts, at, int(len(shows) - shows.sum())


def draw_day(demand: Demand, weekday: str, rng: np.random.Generator) -> tuple[list[Citizen], dict[str, int]]:
    """The citizens who come, sorted by arrival, and the booked no-shows per service."""
    arrivals_rng, service_rng, route_rng, patience_rng = rng.spawn(4)
    codes = list(demand.services)  # dict order is the file's order: deterministic
    times: list[np.ndarray] = []
    kinds: list[np.ndarray] = []  # per arrival: its service's index in codes
    slots: list[np.ndarray] = []  # per arrival: the booked slot's start, nan for a walk-in
    no_shows: dict[str, int] = {}
    for c, code in enumerate(codes):
        rates = profile_on(demand.services[code].arrivals, weekday)
        booked = demand.service_booking(code)
        walk = poisson_times({h: r * (1 - booked) for h, r in rates.items()}, arrivals_rng)
        starts, at, no_shows[code] = booked_arrivals(demand, rates, booked, arrivals_rng)
        times += [np.asarray(walk, dtype=float), np.asarray(at, dtype=float)]
        kinds.append(np.full(len(walk) + len(at), c))
        slots += [np.full(len(walk), np.nan), np.asarray(starts, dtype=float)]
    if not codes:
        return [], no_shows
    t_all, kind, slot_all = np.concatenate(times), np.concatenate(kinds), np.concatenate(slots)
    # By time, then by service code, then in the order drawn: two stable sorts, the second on the
    # primary key, order the rows as sorting (time, code) tuples would.
    rank = {code: r for r, code in enumerate(sorted(codes))}
    order = np.argsort(np.array([rank[code] for code in codes])[kind], kind="stable")
    order = order[np.argsort(t_all[order], kind="stable")]
    t_all, kind, slot_all = t_all[order], kind[order], slot_all[order]
    n = len(t_all)
    shares = np.array([demand.service_priority(code) for code in codes], dtype=float)
    priority = (arrivals_rng.random(n) < shares[kind]).tolist()
    routes = _routes(demand, codes, kind, route_rng)
    durations = _durations(demand, routes, service_rng)
    legs = sum(map(len, routes))
    pool = sample(demand.patience, patience_rng, legs).tolist() if demand.patience else [INF] * legs
    booked_slots = [None if s != s else s for s in slot_all.tolist()]  # nan: a walk-in
    columns = zip(t_all.tolist(), routes, durations, _deal(pool, routes), priority, booked_slots, strict=True)
    citizens = [Citizen(i, t, r, d, p, pr, s) for i, (t, r, d, p, pr, s) in enumerate(columns)]
    return citizens, no_shows


def _routes(
    demand: Demand, codes: list[str], kind: np.ndarray, rng: np.random.Generator
) -> list[tuple[str, ...]]:
    """Each citizen's services in turn, one uniform draw per hop. A citizen goes on when their
    first draw falls below the running sum of their service's journey shares, so only those are
    walked one by one (shares are not negative: the sum only grows)."""
    alone = [(code,) for code in codes]
    if not demand.journeys:
        return [alone[c] for c in kind.tolist()]
    hops = rng.random((len(kind), MAX_ROUTE))
    reach = []
    for code in codes:  # the same sums, in the same order, that _route adds up
        acc = 0.0
        for j in demand.journeys:
            if j.after == code:
                acc = acc + j.share if j.share >= 0 else INF  # unchecked demand: walk them all
        reach.append(acc)
    kinds = kind.tolist()
    routes = [alone[c] for c in kinds]
    for i in np.flatnonzero(hops[:, 0] < np.array(reach)[kind]).tolist():
        routes[i] = _route(demand, codes[kinds[i]], hops[i].tolist())
    return routes


def _deal(values: list[float], routes: list[tuple[str, ...]]) -> list[tuple[float, ...]]:
    """A flat list in (citizen, visit) order, cut into one tuple per citizen."""
    if len(values) == len(routes):  # one visit each
        return [(v,) for v in values]
    out, j = [], 0
    for route in routes:
        out.append(tuple(values[j : j + len(route)]))
        j += len(route)
    return out


def _route(demand: Demand, first: str, draws: list[float]) -> tuple[str, ...]:
    """The services visited in turn, one uniform draw per hop."""
    route = [first]
    if not demand.journeys:
        return (first,)
    while len(route) < MAX_ROUTE:  # a bound, so that a cycle of journeys cannot run forever
        u, acc, nxt = draws[len(route) - 1], 0.0, None
        for j in demand.journeys:
            if j.after == route[-1]:
                acc += j.share
                if u < acc:
                    nxt = j.then
                    break
        if nxt is None:
            break
        route.append(nxt)
    return tuple(route)


def _durations(
    demand: Demand, routes: list[tuple[str, ...]], rng: np.random.Generator
) -> list[tuple[float, ...]]:
    """Drawn per service in one vectorised call each (in the order services first appear), then
    dealt out in citizen order."""
    need: dict[str, int] = {}
    for route in routes:
        for code in route:
            need[code] = need.get(code, 0) + 1
    pools = {
        code: iter(sample(demand.services[code].service_time, rng, n).tolist()) for code, n in need.items()
    }
    nexts = {code: pool.__next__ for code, pool in pools.items()}
    return [(nexts[route[0]](),) if len(route) == 1 else tuple(nexts[c]() for c in route) for route in routes]
