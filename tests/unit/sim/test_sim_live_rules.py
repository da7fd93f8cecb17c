"""The twin calls next the way the live counter does: for a fixed queue, the sim's call order is
the order the counters domain's ``blending.choose`` and ``next_state`` give for that queue, under
every dispatch and blend policy, and the sim really goes through that code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from antre import build
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
from services.counters.domain import blending
from services.counters.domain.dispatch import Candidate
from sim.citizens import Citizen
from sim.demand import Bookings, Demand, Distribution, ServiceDemand
from sim.model import Blend, Dispatch, HallDay, Scenario

DAY = dt.date(2026, 3, 2)  # a Monday
ZONE = ZoneInfo("Asia/Makassar")
H = 3600.0


def _hall(blend: Blend, bound: int, rules: QueueRules) -> Hall:
    booking = Booking(
        sessions=(Session(dt.time(8), dt.time(12), 200),),
        daily_quota=400,
        online_quota=200,
        blend=blend,
        ratio=2,
        near_slot_bound_minutes=bound,
    )
    return Hall(
        id="lab",
        name="Lab",
        timezone="Asia/Makassar",
        zones=(Zone("z", "Z"),),
        agencies=(Agency("ag", "Ag"),),
        services=(Service("a", "A", "ag", "A", booking=booking), Service("b", "B", "ag", "B")),
        counters=(Counter(1, "L1", "z", ("a", "b")),),
        hours=Hours(monday=DayHours(dt.time(8), dt.time(16))),
        queue=rules,
    )


# The one counter opens at 09:00: by then the whole queue has formed, and nobody comes later.
DEMAND = Demand(
    hall="",
    services={"a": ServiceDemand({}, Distribution("exponential", 1.0))},
    bookings=Bookings(slot_minutes=15),
    staffing={"ag": {"default": {8: 0, 9: 1}}},
)


def _citizens(seed: int) -> list[Citizen]:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(40):
        slot = None
        if rng.random() < 0.5:
            slot = 8 * H + 900.0 * int(rng.integers(1, 5))  # 08:15 ... 09:00
            t = slot + rng.normal(0.0, 900.0)  # some early, some late, some missed
        else:
            t = 8 * H + rng.uniform(0.0, H)
        rows.append((min(max(t, 8 * H), 9 * H - 1.0), slot, bool(rng.random() < 0.4)))
    rows.sort(key=lambda r: r[0])
    return [
        Citizen(
            i, t, ("a" if slot or i % 3 else "b",), (float(rng.uniform(60, 600)),), (math.inf,), prio, slot
        )
        for i, (t, slot, prio) in enumerate(rows)
    ]


def _expected(hall: Hall, citizens: list[Citizen], call_times: list[float]) -> list[str]:
    """The queue as the counters service would hold it, and its call order by the domain alone."""
    base = dt.datetime.combine(DAY, dt.time(0), tzinfo=ZONE)
    booking = hall.services[0].booking
    assert booking is not None
    waiting = []
    for c in citizens:
        joined, session, prio = c.arrival, None, c.priority
        if c.slot is not None:
            early, late = booking.check_in_early_minutes * 60.0, booking.check_in_late_minutes * 60.0
            if c.arrival < c.slot + late:  # checked in (with the group declared); on time keeps the session
                joined = max(c.arrival, c.slot - early)
                session = base + dt.timedelta(seconds=c.slot) if joined <= c.slot else None
        at = base + dt.timedelta(seconds=joined)
        waiting.append(blending.Blended.of(Candidate(f"{c.id:07d}.0", c.route[0], prio, at), session))
    policy = blending.counter_policy(hall.services)
    state, order = blending.CounterState(), []
    for t in call_times:
        pick = blending.choose(waiting, state, policy, hall.queue, base + dt.timedelta(seconds=t))
        assert pick is not None
        state = blending.next_state(pick, waiting, state, policy, hall.queue)
        waiting.remove(pick)
        order.append(pick.ticket_id)
    return order


POLICIES: list[tuple[Blend, int]] = [("check_in", 0), ("near_slot", 0), ("near_slot", 10), ("ratio", 0)]


@pytest.mark.parametrize("dispatch", ["fifo", "priority_lane"])
@pytest.mark.parametrize(("blend", "bound"), POLICIES)
def test_call_order_is_the_counters_domains(dispatch: Dispatch, blend: Blend, bound: int) -> None:
    rules = QueueRules(dispatch=dispatch, priority_max_streak=1)
    hall = _hall(blend, bound, rules)
    for seed in range(6):
        citizens = _citizens(seed)
        log = HallDay(hall, DEMAND, DAY, Scenario(), citizens, {}, np.random.default_rng(0)).run()
        assert len(log.picks) == len(citizens)
        assert log.picks == _expected(hall, citizens, [t for t, *_ in log.calls])


def test_policies_really_differ_on_that_queue() -> None:
    """Else the test above could not tell one policy from another."""
    orders = set()
    for dispatch in ("fifo", "priority_lane"):
        for blend, bound in POLICIES:
            rules = QueueRules(dispatch=dispatch, priority_max_streak=1)
            hall = _hall(blend, bound, rules)
            log = HallDay(hall, DEMAND, DAY, Scenario(), _citizens(0), {}, np.random.default_rng(0)).run()
            orders.add(tuple(log.picks))
    assert len(orders) == 2 * len(POLICIES)


@pytest.mark.skipif(
    build.current().compiled,
    reason="compiled, the twin calls the rules directly, past a patched module; the pure run checks it",
)
def test_the_sim_goes_through_the_live_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {"choose": 0, "next_state": 0}
    real_choose, real_next = blending.choose, blending.next_state

    def choose(*args, **kwargs):
        seen["choose"] += 1
        return real_choose(*args, **kwargs)

    def next_state(*args, **kwargs):
        seen["next_state"] += 1
        return real_next(*args, **kwargs)

    monkeypatch.setattr(blending, "choose", choose)
    monkeypatch.setattr(blending, "next_state", next_state)
    hall = _hall("ratio", 0, QueueRules())
    log = HallDay(hall, DEMAND, DAY, Scenario(), _citizens(1), {}, np.random.default_rng(0)).run()
    assert seen["choose"] >= len(log.picks) > 0 and seen["next_state"] == len(log.picks)


def test_scenario_blend_overrides_the_hall_files() -> None:
    hall = _hall("check_in", 0, QueueRules())
    services = Scenario(blend="ratio").services(hall)
    assert blending.counter_policy(list(services.values())) == blending.Ratio(2)
    assert services["b"].booking is None  # a walk-in-only service stays one
    assert dataclasses.replace(hall.services[0], booking=services["a"].booking) == services["a"]
    with pytest.raises(ValueError, match="unknown blend"):
        Scenario(blend="booked_first").services(hall)
