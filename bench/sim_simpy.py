"""The hall day of :mod:`bench.sim_hallday` written in SimPy: one process per citizen, one
``PriorityResource`` per agency whose request priority is the near-slot order (effective time,
booked before walk-in), so a freed counter takes the request with the smallest key."""

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

    def visit(agency: str, slot: float) -> Generator[simpy.Event, object, None]:
        joined = env.now
        booked = slot != math.inf
        order = (slot if booked else joined, 0 if booked else 1)
        with desks[agency].request(priority=order) as req:  # type: ignore[arg-type]  # a tuple, as above
            yield req
            hd.record(waits, agency, booked, env.now - joined)
            yield env.timeout(rng.lognormal(hd.mu(agency), hd.SIGMA))
        if agency == "dukcapil" and rng.random() < hd.TRANSFER:
            env.process(visit("bapenda", math.inf))

    def citizen(agency: str, arrival: float, slot: float) -> Generator[simpy.Event, object, None]:
        yield env.timeout(arrival)
        yield env.process(visit(agency, hd.on_time_slot(arrival, slot)))

    for agency in hd.AGENCIES:
        for _ in range(hd.COUNTERS[agency]):
            env.process(closed_until_opening(desks[agency]))
    for agency in hd.AGENCIES:
        times, slots = hd.arrivals(agency, rng)
        for t, s in zip(times.tolist(), slots.tolist(), strict=True):
            env.process(citizen(agency, t, s))
    env.run()
    return waits
