"""``sim staff``: the fewest counters per agency and hour that keep the p90 wait under a target,
on a small hall whose answer is plain: a quiet morning needs one of three counters, a late rush
more than all three can give."""

from __future__ import annotations

import datetime as dt

from antre.hall.model import Agency, Counter, DayHours, Hall, Hours, Service, Zone
from sim.demand import Demand, Distribution, ServiceDemand
from sim.questions import staff

MONDAY = dt.date(2026, 3, 2)
HALL = Hall(
    id="lab",
    name="Lab",
    timezone="Asia/Makassar",
    zones=(Zone("z", "Z"),),
    agencies=(Agency("ag", "Ag"),),
    services=(Service("a", "A", "ag", "A"),),
    counters=tuple(Counter(n, f"L{n}", "z", ("a",)) for n in (1, 2, 3)),
    hours=Hours(monday=DayHours(dt.time(8), dt.time(12))),
)
# Five-minute services: one counter serves 12 an hour. Six an hour at 08:00 and 09:00, then a
# rush of 60 at 10:00 that even three counters (36 an hour) cannot keep under the target.
DEMAND = Demand(
    hall="",
    services={"a": ServiceDemand({"default": {8: 6, 9: 6, 10: 60, 11: 0}}, Distribution("exponential", 5.0))},
)


def test_quiet_hours_are_cut_and_an_hour_no_staffing_can_save_keeps_every_counter() -> None:
    plan = staff(HALL, DEMAND, MONDAY, target_minutes=15, replications=20, seed=5)
    hours = plan.plan["ag"]
    assert plan.available == {"ag": 3} and plan.order == {"ag": [1, 2, 3]}
    assert 10 in plan.unreachable["ag"] and 8 not in plan.unreachable["ag"]
    assert hours[8] < 3 and hours[9] < 3  # six an hour: one or two counters suffice
    assert hours[10] == 3  # fewer would only make the rush wait longer
    # Nobody joins after 11:00, so no wait of that hour can miss the target; but the rush still
    # waits then, and fewer counters would send some of it home unserved at closing.
    assert hours[11] == 3
    for hour in (8, 9):
        assert plan.summary[f"agency_hour|ag@{hour:02d}|wait_p90"].mean <= 15
