"""The hall day of :mod:`bench.sim_hallday` written in Ciw: one node per agency, the day's
arrivals as each node's ``Sequential`` gaps, a server schedule that opens the counters at 08:00,
routing 10% from the civil registry to revenue, and the near-slot order as each node's service
discipline (a function of the waiting individuals and the time, Ciw's own shape for one).

Ciw draws from the global ``random`` module and ``ciw.rng``; :func:`day` seeds both with
``ciw.seed`` and draws the arrivals from its own generator.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Sequence

import ciw
import numpy as np
from ciw import Individual

from bench import sim_hallday as hd

NEVER = 1e9  # the gap after the day's last arrival: Sequential would otherwise start over


def _kept_slot(times: list[float], slots: list[float], arrival: float) -> float:
    """The slot kept by the external arrival at ``arrival`` (inf: a walk-in or a transfer)."""
    i = bisect_left(times, arrival - 1e-7)
    own = i < len(times) and abs(times[i] - arrival) < 1e-7
    return hd.on_time_slot(arrival, slots[i]) if own else math.inf


def _discipline(
    times: list[float], slots: list[float]
) -> Callable[[Sequence[Individual], float], Individual]:
    """Near-slot at one node. Whether a waiting individual is booked, and for which slot, is
    found from its arrival time among the node's own external arrivals; one transferred in from
    another node matches none and is a walk-in."""

    # Remembered per node: kept on the individual, a slot found at the civil registry would
    # follow a citizen sent on to revenue and wrongly put them ahead there as booked.
    kept: dict[Individual, float] = {}

    def slot_of(ind: Individual) -> float:
        slot = kept.get(ind)
        if slot is None:
            slot = kept[ind] = _kept_slot(times, slots, ind.arrival_date)
        return slot

    def near_slot(individuals: Sequence[Individual], t: float) -> Individual:
        def key(ind: Individual) -> tuple[float, int, float]:
            slot = slot_of(ind)
            return (
                (slot, 0, ind.arrival_date) if slot != math.inf else (ind.arrival_date, 1, ind.arrival_date)
            )

        return min(individuals, key=key)

    return near_slot


def day(seed: int) -> dict[str, list[float]]:
    """One day: the waits (minutes) of every visit per agency, and per agency and kind."""
    ciw.seed(seed)
    rng = np.random.default_rng(seed)
    opening = (hd.OPEN_H - hd.ORIGIN_H) * 60.0
    arrivals, disciplines = [], []
    tables: list[tuple[list[float], list[float]]] = []  # per node: its external arrivals, slots
    for agency in hd.AGENCIES:
        times, slots = hd.arrivals(agency, rng)
        # Ciw adds gaps one by one; the discipline looks the same running sums up.
        gaps = [*np.diff(times, prepend=0.0).tolist(), NEVER]
        clock, at = 0.0, []
        for g in gaps[:-1]:
            clock += g
            at.append(clock)
        arrivals.append(ciw.dists.Sequential(gaps))
        disciplines.append(_discipline(at, slots.tolist()))
        tables.append((at, slots.tolist()))
    network = ciw.create_network(
        arrival_distributions=arrivals,
        service_distributions=[ciw.dists.Lognormal(hd.mu(a), hd.SIGMA) for a in hd.AGENCIES],
        number_of_servers=[
            ciw.Schedule(numbers_of_servers=[0, hd.COUNTERS[a]], shift_end_dates=[opening, NEVER])
            for a in hd.AGENCIES
        ],
        routing=[[0.0, 0.0, hd.TRANSFER], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        service_disciplines=disciplines,
    )
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(24 * 60.0)
    waits = hd.empty_waits()
    for individual in simulation.get_all_individuals():
        for record in individual.data_records:
            node = record.node - 1
            node_times, node_slots = tables[node]
            booked = _kept_slot(node_times, node_slots, record.arrival_date) != math.inf
            hd.record(waits, hd.AGENCIES[node], booked, record.waiting_time)
    return waits
