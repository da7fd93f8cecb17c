"""The three-agency hall day that Antre's twin, a Ciw model and a SimPy model all simulate.

- Civil registry (6 counters, lognormal service mean 6 min), licensing (4, mean 12) and revenue
  (3, mean 8); ``sigma`` 0.5 is the standard deviation of the underlying normal, and the stated
  mean is the lognormal's own mean (not its median): ``mu = ln(mean) - sigma^2 / 2``.
- 200, 120 and 100 visitors expected over the day (Poisson), arriving 08:00-16:00; counters work
  from 08:00 until everyone is served (closing at 18:00 is never reached in practice).
- 40% of them booked a fixed 15-minute slot (Poisson per slot) and arrive at the slot's start
  plus N(0, 5 min). A booked citizen is served first in the near-slot sense of the live rules: one
  who checked in by their slot's start counts from the slot's start, ahead of every walk-in who
  came later (a tie goes to the booked one); one who checks in after it joins as a walk-in at
  check-in time (the late rule). A check-in more than 15 minutes late is refused in the live
  hall and the citizen takes a walk-in number, which here is the same thing.
- 10% of the civil registry's visitors go on to revenue with the same number, at the back of that
  queue (as a walk-in).

Times in the reference models are minutes from 07:00, so early check-ins for 08:00 are positive.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from antre.hall.model import (
    Agency,
    Booking,
    Counter,
    DayHours,
    Hall,
    Hours,
    QueueRules,
    Service,
    Session,
    Zone,
)
from sim.demand import Bookings, Demand, Distribution, Journey, ServiceDemand

AGENCIES = ("dukcapil", "dpmptsp", "bapenda")
COUNTERS = {"dukcapil": 6, "dpmptsp": 4, "bapenda": 3}
MEAN_MINUTES = {"dukcapil": 6.0, "dpmptsp": 12.0, "bapenda": 8.0}
VISITORS = {"dukcapil": 200, "dpmptsp": 120, "bapenda": 100}
SIGMA = 0.5
BOOKED = 0.4
SLOT = 15.0  # minutes
PUNCTUALITY_SD = 5.0  # minutes
TRANSFER = 0.1  # civil registry -> revenue
OPEN_H, LAST_ARRIVAL_H = 8, 16
ORIGIN_H = 7  # the reference models' time zero
DAY = dt.date(2026, 3, 2)  # a Monday


def mu(agency: str) -> float:
    """The underlying normal's mean for the stated lognormal mean."""
    return math.log(MEAN_MINUTES[agency]) - SIGMA**2 / 2


def hall() -> Hall:
    session = (Session(dt.time(OPEN_H), dt.time(LAST_ARRIVAL_H), 1000),)
    booking = Booking(sessions=session, daily_quota=1000, online_quota=1000, blend="near_slot")
    counters, n = [], 1
    for agency in AGENCIES:
        for _ in range(COUNTERS[agency]):
            counters.append(Counter(n, f"Loket {n}", "z", (agency,)))
            n += 1
    return Hall(
        id="tiga",
        name="Three agencies",
        timezone="Asia/Makassar",
        zones=(Zone("z", "Hall"),),
        agencies=tuple(Agency(a, a) for a in AGENCIES),
        services=tuple(Service(a, a, a, a[0].upper(), booking=booking) for a in AGENCIES),
        counters=tuple(counters),
        hours=Hours(monday=DayHours(dt.time(OPEN_H), dt.time(18)), cutoff_minutes=120),
        queue=QueueRules(dispatch="fifo"),
    )


def demand() -> Demand:
    hours = range(OPEN_H, LAST_ARRIVAL_H)
    per_hour = {a: VISITORS[a] / len(hours) for a in AGENCIES}
    return Demand(
        hall="",
        services={
            a: ServiceDemand(
                {"default": dict.fromkeys(hours, per_hour[a])},
                Distribution("lognormal", MEAN_MINUTES[a], SIGMA),
            )
            for a in AGENCIES
        },
        bookings=Bookings(share=BOOKED, slot_minutes=int(SLOT), punctuality_sd_minutes=PUNCTUALITY_SD),
        journeys=(Journey("dukcapil", "bapenda", TRANSFER),),
    )


def arrivals(agency: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The reference models' own draw of one agency's arrivals, in minutes from 07:00, sorted,
    with each one's slot start (inf for a walk-in): walk-ins by exponential gaps at the constant
    rate, bookings per slot. Separate from the twin's sampler on purpose."""
    start, end = (OPEN_H - ORIGIN_H) * 60.0, (LAST_ARRIVAL_H - ORIGIN_H) * 60.0
    rate = VISITORS[agency] / (end - start)  # per minute
    walk: list[float] = []
    t = start + rng.exponential(1 / (rate * (1 - BOOKED)))
    while t < end:
        walk.append(t)
        t += rng.exponential(1 / (rate * (1 - BOOKED)))
    slots = np.arange(start, end, SLOT)
    counts = rng.poisson(rate * BOOKED * SLOT, len(slots))
    booked_slots = np.repeat(slots, counts)
    booked_times = np.maximum(booked_slots + rng.normal(0.0, PUNCTUALITY_SD, len(booked_slots)), 0.0)
    times = np.concatenate([np.asarray(walk), booked_times])
    slot_of = np.concatenate([np.full(len(walk), np.inf), booked_slots])
    order = np.argsort(times, kind="stable")
    return times[order], slot_of[order]


def on_time_slot(arrival: float, slot: float) -> float:
    """The slot a citizen keeps in the queue: theirs if they checked in by its start, else none."""
    return slot if arrival <= slot else math.inf


def empty_waits() -> dict[str, list[float]]:
    """Waits per agency and per agency and kind (``bapenda/booked``, ``bapenda/walk_in``)."""
    keys = [k for a in AGENCIES for k in (a, f"{a}/booked", f"{a}/walk_in")]
    return {k: [] for k in keys}


def record(waits: dict[str, list[float]], agency: str, booked: bool, wait: float) -> None:
    waits[agency].append(wait)
    waits[f"{agency}/{'booked' if booked else 'walk_in'}"].append(wait)
