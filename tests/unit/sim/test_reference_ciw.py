"""The Ciw reference model's near-slot order (bench/sim_ciw.py) finds whether a waiting citizen is
booked from the node's own arrivals: one sent on from the civil registry is a walk-in at revenue,
whatever slot they kept at the registry."""

from __future__ import annotations

from ciw import Individual

from bench.sim_ciw import _discipline


def test_a_slot_kept_at_one_node_does_not_follow_the_citizen_to_the_next() -> None:
    registry = _discipline([10.0, 12.0], [20.0, float("inf")])  # booked for 20, checked in at 10
    revenue = _discipline([], [])  # no booking of its own
    booked, walk_in, later = Individual(1), Individual(2), Individual(3)
    booked.arrival_date, walk_in.arrival_date = 10.0, 12.0
    assert registry([walk_in, booked], 30.0) is walk_in  # 12 before the slot's 20
    booked.arrival_date, later.arrival_date = 50.0, 40.0  # both at revenue now, ``later`` first
    assert revenue([booked, later], 60.0) is later
