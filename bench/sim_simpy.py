"""The hall day of :mod:`bench.sim_hallday` written in SimPy: one process per visit, one
``PriorityResource`` per agency whose request priority is the near-slot order (effective time,
booked before walk-in), so a freed counter takes the request with the smallest key. Arrivals,
service times and transfers are drawn before the day runs, as a careful SimPy user would: the
day's Python work is then the library's own, one process and two timeouts per visit."""

from __future__ import annotations

import math
from collections.abc import Generator

import numpy as np
import simpy

from bench import sim_hallday as hd


def day(seed: int) -> dict[str, list[float]]:
    """One day: the waits (minutes) of every visit per agency, and per agency and kind
    (``dukcapil/booked``, ``dukcapil/walk_in``)."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    desks = {a: simpy.PriorityResource(env, capacity=hd.COUNTERS[a]) for a in hd.AGENCIES}
    waits = hd.empty_waits()
    opening = (hd.OPEN_H - hd.ORIGIN_H) * 60.0

    def closed_until_opening(desk: simpy.PriorityResource) -> Generator[simpy.Event, object, None]:
        # simpy types a priority as int but only compares them: a tuple orders as well.
        with desk.request(priority=(-math.inf, 0)) as held:  # type: ignore[arg-type]  # see above
            yield held
            yield env.timeout(opening)

    for agency in hd.AGENCIES:
        for _ in range(hd.COUNTERS[agency]):
            env.process(closed_until_opening(desks[agency]))
    arrivals = {agency: hd.arrivals(agency, rng) for agency in hd.AGENCIES}
    # Drawn up front, one numpy call per agency rather than one per visit: service times (revenue
    # also serves those sent on from the civil registry, at most one each) and the transfer draws.
    most = {a: len(arrivals[a][0]) for a in hd.AGENCIES}
    most["bapenda"] += most["dukcapil"]
    service = {a: iter(rng.lognormal(hd.mu(a), hd.SIGMA, most[a]).tolist()) for a in hd.AGENCIES}
    transfers = iter((rng.random(most["dukcapil"]) < hd.TRANSFER).tolist())

    def visit(agency: str, at: float, slot: float) -> Generator[simpy.Event, object, None]:
        """From the kiosk (``at``, a delay from now) to the end of the service: one process."""
        if at > 0:
            yield env.timeout(at)
        joined = env.now
        booked = slot != math.inf
        order = (slot if booked else joined, 0 if booked else 1)
        with desks[agency].request(priority=order) as req:  # type: ignore[arg-type]  # a tuple, as above
            yield req
            hd.record(waits, agency, booked, env.now - joined)
            yield env.timeout(next(service[agency]))
        if agency == "dukcapil" and next(transfers):
            env.process(visit("bapenda", 0.0, math.inf))

    for agency in hd.AGENCIES:
        times, slots = arrivals[agency]
        for t, s in zip(times.tolist(), slots.tolist(), strict=True):
            env.process(visit(agency, t, hd.on_time_slot(t, s)))
    env.run()
    return waits
