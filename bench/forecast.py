"""The living hall's forecast (:mod:`sim.forecast`): how fast, and how right.

- ``python -m bench.forecast``: time to forecast a busy snapshot (150 waiting over the 13 counters
  of :mod:`bench.sim_hallday`'s hall, R replications), the median of several runs.
- ``python -m bench.forecast --accuracy``: replayed twin days of that hall (and the same day under
  the priority lane with a share of priority citizens). Every 30 minutes the day is snapshotted as
  the live store would see it (waiting tickets, counters, the day's completed services, the last
  hour's arrivals), forecast, and the forecasts compared with what then happened that same day.

Printed as Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import statistics
import time
from dataclasses import dataclass

import numpy as np

from antre.hall.model import WEEKDAYS, Hall, QueueRules
from bench import sim_hallday
from services.counters.domain import blending
from services.counters.domain.stations import StationState
from sim.citizens import Citizen, draw_day
from sim.demand import Demand, Distribution
from sim.forecast import Arrivals, Desk, Forecast, Snapshot, Waiting, day_bounds, forecast, service_time
from sim.kernel import LATE
from sim.model import HallDay, Scenario

EVERY = 1800.0  # seconds between snapshots


# ---- a busy snapshot, for the speed ----


def busy_snapshot(waiting: int = 150, seed: int = 7, counters: int = 13) -> Snapshot:
    """``waiting`` tickets over the hall's three services at 10:00, a tenth priority and a third
    booked; every counter open and serving for a few minutes already. Past the hall's 13
    counters, each added one serves the services in turn (for a bigger hall's load)."""
    hall = sim_hallday.hall()
    rng = np.random.default_rng(seed)
    zone = dt.timezone(dt.timedelta(hours=8))
    now = dt.datetime.combine(sim_hallday.DAY, dt.time(10), tzinfo=zone)
    codes = [s.code for s in hall.services]
    tickets = []
    for i in range(waiting):
        code = codes[i % len(codes)]
        queued = now - dt.timedelta(minutes=float(rng.uniform(0, 90)))
        session = queued + dt.timedelta(minutes=float(rng.uniform(0, 20))) if rng.random() < 1 / 3 else None
        tickets.append(Waiting(f"t{i:04d}", code, bool(rng.random() < 0.1), queued, session))
    desks = tuple(
        Desk(
            c.number,
            c.services,
            StationState.OPEN,
            serving=c.services[0],
            since=now - dt.timedelta(minutes=3),
        )
        for c in hall.counters
    ) + tuple(
        Desk(n, (codes[n % len(codes)],), StationState.OPEN, serving=codes[n % len(codes)], since=now)
        for n in range(len(hall.counters) + 1, counters + 1)
    )
    times = {s.code: service_time(sim_hallday.MEAN_MINUTES[s.code]) for s in hall.services}
    arrivals = {code: Arrivals(walk_in=15.0, priority=2.0, booked=10.0) for code in codes}
    return _snapshot(hall, now, tuple(tickets), desks, times, arrivals)


def _snapshot(
    hall: Hall,
    now: dt.datetime,
    waiting: tuple[Waiting, ...],
    desks: tuple[Desk, ...],
    times: dict[str, Distribution],
    arrivals: dict[str, Arrivals],
    rules: QueueRules | None = None,
) -> Snapshot:
    closes, breaks, issuing_stops = day_bounds(hall, now)
    return Snapshot(
        now=now,
        waiting=waiting,
        desks=desks,
        rules=rules or hall.queue,
        policies={s.code: blending.policy_of(s.booking) for s in hall.services},
        service_times=times,
        closes_at=closes,
        breaks=breaks,
        arrivals=arrivals,
        arrivals_until=issuing_stops,
    )


def speed(replications: int, runs: int, waiting: int = 150, counters: int = 13) -> tuple[float, int]:
    snap = busy_snapshot(waiting, counters=counters)
    forecast(snap, replications)  # warm-up
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        forecast(snap, replications)
        took.append(time.perf_counter() - start)
    return statistics.median(took), len(snap.waiting)


# ---- a replayed day, for the accuracy ----


@dataclass
class Taken:
    at: float  # seconds from local midnight
    forecasts: dict[str, Forecast]


def twin_snapshot(day: HallDay, citizens: dict[int, Citizen], with_arrivals: bool) -> Snapshot:
    """What the live store would hold at the twin's present instant: the waiting tickets, the
    counters, the services completed so far and the last hour's arrivals by stream."""
    t, log, base = day.kernel.now, day.log, day.base
    now = base + dt.timedelta(seconds=t)
    waiting = tuple(
        Waiting(
            ticket.id, code, ticket.priority, ticket.entry.candidate.queued_at, ticket.entry.session_start
        )
        for code, streams in day.streams.items()
        for stream in streams
        for ticket in stream
        if ticket.entry is not None
    )
    desks = tuple(
        Desk(
            d.number,
            d.services,
            d.station.state,
            d.state,
            d.current.citizen.route[d.current.leg] if d.current else "",
            base + dt.timedelta(seconds=d.serving_since) if d.current else None,
        )
        for d in day.desks
    )
    served = [v for v in log.visits if v[3] == "served"]  # in call order, as calls and picks
    done: dict[str, list[float]] = {code: [] for code in day.services}
    for (called, _, _, _, _), pick in zip(log.calls, log.picks, strict=True):
        citizen, leg = citizens[int(pick.split(".")[0])], int(pick.split(".")[1])
        if called + citizen.durations[leg] <= t:
            done[citizen.route[leg]].append(citizen.durations[leg] / 60.0)
    times = {s.code: service_time(s.target_minutes, done[s.code]) for s in day.services.values()}
    arrivals: dict[str, Arrivals] = {}
    if with_arrivals:
        since = max(t - 3600.0, log.open_s)
        joins = [
            (code, joined, prio, booked)
            for (code, joined, _, _), (_, _, _, prio, _), booked in zip(
                served, log.calls, log.booked, strict=True
            )
        ]
        joins += [
            (w.service, (w.queued_at - base).total_seconds(), w.priority, w.session_start is not None)
            for w in waiting
        ]
        span = max(t - since, 60.0) / 3600.0
        for code in day.services:
            counts = [0, 0, 0, 0]
            for c, joined, prio, booked in joins:
                if c == code and joined >= since:
                    counts[2 * booked + prio] += 1
            arrivals[code] = Arrivals(*(n / span for n in counts))
    return _snapshot(day.hall, now, waiting, desks, times, arrivals, day.rules)


@dataclass
class Accuracy:
    tickets: int = 0
    by_p50: int = 0
    by_p90: int = 0
    errors: list[float] = dataclasses.field(default_factory=list)  # p50 - actual, minutes
    said_missed: float = 0.0  # sum of forecast chances of not being called
    missed: int = 0

    def add(self, f: Forecast, actual: float, at: dt.datetime) -> None:
        """``actual``: seconds from local midnight of the call (inf: never called)."""
        p50 = _seconds(f.p50, at)
        p90 = _seconds(f.p90, at)
        self.tickets += 1
        self.by_p50 += actual <= p50
        self.by_p90 += actual <= p90
        self.said_missed += f.not_called
        self.missed += math.isinf(actual)
        if math.isfinite(p50) and math.isfinite(actual):
            self.errors.append((p50 - actual) / 60.0)

    def figures(self) -> dict[str, float]:
        n = max(self.tickets, 1)
        return {
            "tickets": self.tickets,
            "p50_coverage": self.by_p50 / n,
            "p90_coverage": self.by_p90 / n,
            "mae_minutes": statistics.fmean(abs(e) for e in self.errors) if self.errors else 0.0,
            "bias_minutes": statistics.fmean(self.errors) if self.errors else 0.0,
            "said_missed": self.said_missed / n,
            "missed": self.missed / n,
        }


def _seconds(moment: dt.datetime | None, at: dt.datetime) -> float:
    """Seconds from local midnight of ``at``'s day; None (not called) is infinitely late."""
    if moment is None:
        return math.inf
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return (moment - midnight).total_seconds()


def replay(
    hall: Hall,
    demand: Demand,
    scenario: Scenario,
    seed: int,
    replications: int,
    with_arrivals: bool = True,
) -> Accuracy:
    """One twin day with snapshots every :data:`EVERY` seconds, each forecast on the spot and
    then held against the day's own calls."""
    day_date = sim_hallday.DAY
    rng = np.random.default_rng(seed)
    citizens, no_shows = draw_day(demand, WEEKDAYS[day_date.weekday()], rng)
    day = HallDay(hall, demand, day_date, scenario, citizens, no_shows, rng)
    by_id = {c.id: c for c in citizens}
    taken: list[Taken] = []

    def take(_: object) -> None:
        snap = twin_snapshot(day, by_id, with_arrivals)
        taken.append(Taken(day.kernel.now, forecast(snap, replications, seed=seed)))

    t = day.log.open_s + EVERY
    while t < day.log.close_s:
        day.kernel.call(t, take, None, LATE)
        t += EVERY
    log = day.run()
    called = {pick: when for (when, *_), pick in zip(log.calls, log.picks, strict=True)}
    result = Accuracy()
    for snap in taken:
        at = day.base + dt.timedelta(seconds=snap.at)
        for tid, f in snap.forecasts.items():
            result.add(f, called.get(tid, math.inf), at)
    return result


def merged(parts: list[Accuracy]) -> Accuracy:
    out = Accuracy()
    for p in parts:
        out.tickets += p.tickets
        out.by_p50 += p.by_p50
        out.by_p90 += p.by_p90
        out.errors += p.errors
        out.said_missed += p.said_missed
        out.missed += p.missed
    return out


def cases() -> dict[str, tuple[Hall, Demand, Scenario]]:
    """The three-agency day as it is (fifo, near_slot bookings: queues stay short), then busy (a
    fifth more visitors, the civil registry on 3 of its 6 counters), then busy under the priority
    lane with 15% priority citizens (whose future arrivals go ahead of those waiting)."""
    hall, demand = sim_hallday.hall(), sim_hallday.demand()
    busy = _busier(demand, 1.2)
    short = Scenario(staffing={"dukcapil": {"default": {8: 3}}})
    lane = dataclasses.replace(short, dispatch="priority_lane")
    return {
        "as is": (hall, demand, Scenario()),
        "busy": (hall, busy, short),
        "busy, priority lane": (hall, dataclasses.replace(busy, priority_share=0.15), lane),
    }


def _busier(demand: Demand, factor: float) -> Demand:
    services = {
        code: dataclasses.replace(
            sd,
            arrivals={day: {h: r * factor for h, r in hours.items()} for day, hours in sd.arrivals.items()},
        )
        for code, sd in demand.services.items()
    }
    return dataclasses.replace(demand, services=services)


def accuracy(days: int, replications: int, with_arrivals: bool) -> dict[str, dict[str, float]]:
    out = {}
    for name, (hall, demand, scenario) in cases().items():
        parts = [
            replay(hall, demand, scenario, seed, replications, with_arrivals) for seed in range(1, days + 1)
        ]
        out[name] = merged(parts).figures()
    return out


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.forecast")
    p.add_argument("--accuracy", action="store_true", help="replayed days instead of the speed")
    p.add_argument("--replications", type=int, default=100)
    p.add_argument("--runs", type=int, default=7, help="timed runs (speed)")
    p.add_argument("--days", type=int, default=10, help="replayed days per case (accuracy)")
    p.add_argument("--waiting", type=int, default=150, help="tickets in the snapshot (speed)")
    p.add_argument("--counters", type=int, default=13, help="counters open, 13 or more (speed)")
    args = p.parse_args()
    if not args.accuracy:
        took, n = speed(args.replications, args.runs, args.waiting, args.counters)
        print(
            f"| waiting | counters | replications | median ms ({args.runs} runs) |\n| --- | --- | --- | --- |"
        )
        print(f"| {n} | {args.counters} | {args.replications} | {took * 1000:.0f} |")
        return
    print(
        "| day | future arrivals | tickets forecast | called by p50 | called by p90 | MAE p50 min | bias min "
        "| said not called | not called |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    for with_arrivals in (False, True):
        for name, f in accuracy(args.days, args.replications, with_arrivals).items():
            arrivals = "yes" if with_arrivals else "no"
            print(
                f"| {name} | {arrivals} | {f['tickets']:.0f} | {f['p50_coverage']:.2f} "
                f"| {f['p90_coverage']:.2f} | {f['mae_minutes']:.1f} | {f['bias_minutes']:+.1f} "
                f"| {f['said_missed']:.3f} | {f['missed']:.3f} |"
            )


if __name__ == "__main__":
    main()
