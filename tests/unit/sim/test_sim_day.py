"""A simulated Kendari day: deterministic, numbered and dispatched by the live rules."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sim.demand import DemandError, load_demand, opening_order, parse_demand
from sim.model import Scenario
from sim.runner import next_weekday, simulate

KENDARI = Path(__file__).resolve().parents[3] / "examples" / "demand" / "kendari.yaml"


@pytest.fixture(scope="module")
def kendari():
    return load_demand(KENDARI)


def test_same_seed_same_day(kendari) -> None:
    demand, hall = kendari
    day = next_weekday("monday")
    a = simulate(hall, demand, day, Scenario(), np.random.SeedSequence(7))
    b = simulate(hall, demand, day, Scenario(), np.random.SeedSequence(7))
    c = simulate(hall, demand, day, Scenario(), np.random.SeedSequence(8))
    # By repr: a visit never called has nan, which equals itself only as the same object, and the
    # compiled build makes a new one each time.
    assert a.calls == b.calls and repr(a.visits) == repr(b.visits)
    assert a.calls != c.calls


def test_numbers_follow_the_ticketing_format_per_service(kendari) -> None:
    demand, hall = kendari
    log = simulate(hall, demand, next_weekday("monday"), Scenario(), np.random.SeedSequence(1))
    ktp = sorted(number for _, _, number, _, _ in log.calls if number.startswith("A-"))
    assert ktp[:3] == ["A-001", "A-002", "A-003"]
    assert len(set(ktp)) == len(ktp)  # never repeated in a day


def test_priority_lane_streak_rule_holds_at_every_counter(kendari) -> None:
    """No counter calls more than priority_max_streak priority tickets in a row while a regular
    one waits: the counters' PriorityLane and next_streak are what the day ran on."""
    demand, hall = kendari
    heavy = Scenario(dispatch="priority_lane", priority_max_streak=2)
    demand = demand.__class__(**{**demand.__dict__, "priority_share": 0.6})
    for seed in range(3):
        log = simulate(hall, demand, next_weekday("monday"), heavy, np.random.SeedSequence(seed))
        streak: dict[int, int] = {}
        longest = 0
        # A counter's streak starts again at 0 when it opens (stations.open_station); an opening
        # comes before the calls of the same instant.
        events = [(t, 0, counter, False, False) for t, counter in log.openings]
        events += [(t, 1, counter, prio, waited) for t, counter, _, prio, waited in log.calls]
        for _, kind, counter, priority, regular_waited in sorted(events):
            if kind == 0:
                streak[counter] = 0
                continue
            streak[counter] = streak.get(counter, 0) + 1 if priority and regular_waited else 0
            longest = max(longest, streak[counter])
        assert longest == 2  # reached (the lane is used) and never exceeded


def test_day_before_opening_waits_at_the_door_and_cutoff_turns_away(kendari) -> None:
    """Walk-ins only (a booked citizen may check in up to 30 minutes before a session, so
    before opening too, as the live check-in allows)."""
    demand, hall = kendari
    walk_ins = {code: dataclasses.replace(sd, booking_share=0.0) for code, sd in demand.services.items()}
    demand = dataclasses.replace(demand, services=walk_ins)
    log = simulate(
        hall, demand, next_weekday("monday"), Scenario(cutoff_minutes=240), np.random.SeedSequence(3)
    )
    assert min(joined for _, joined, _, _ in log.visits) == log.open_s  # the door opened
    assert min(t for t, *_ in log.calls) >= log.open_s
    assert sum(log.refused.values()) > 0  # issuing stopped at 11:00


def test_demand_errors_name_line_and_field_in_both_languages() -> None:
    text = (
        "hall: x.yaml\nservices:\n  ktp-el:\n    arrivals: {default: {8: 10}}\n"
        "    service_tme: {dist: exponential, mean: 5}\n"
    )
    with pytest.raises(DemandError) as err:
        parse_demand(text, "d.yaml")
    message = str(err.value)
    assert "d.yaml:5: services.ktp-el.service_tme: kunci tidak dikenal / unknown key" in message
    assert "services.ktp-el.service_time: wajib diisi / field required" in message


def test_demand_checked_against_the_hall(tmp_path: Path) -> None:
    hall_file = KENDARI.parent.parent / "kendari.yaml"
    demand = tmp_path / "d.yaml"
    demand.write_text(
        f"hall: {hall_file}\nservices:\n  ktp-el:\n    arrivals: {{default: {{8: 10}}}}\n"
        "    service_time: {dist: lognormal, mean: 0}\n    priority_share: 1.5\n"
        "staffing:\n  dukcapil: {default: {8: 9}}\n"
    )
    with pytest.raises(DemandError) as err:
        load_demand(demand)
    text = str(err.value)
    assert "service_time.mean: harus lebih dari 0 menit / must be more than 0 minutes" in text
    assert "priority_share: harus antara 0 dan 1" in text
    assert "melebihi 6 loket yang ada / more than the 6 counters" in text


def test_a_plan_of_few_counters_opens_those_that_serve_the_most_services(kendari) -> None:
    demand, hall = kendari
    assert opening_order(hall, "dukcapil") == [6, 3, 5, 4, 1, 2]  # not 1 and 2: ID cards only
    assert opening_order(hall, "dpmptsp") == [8, 9, 7]
    two = Scenario(staffing={"dukcapil": {"default": {8: 2}}})
    log = simulate(hall, demand, next_weekday("monday"), two, np.random.SeedSequence(3))
    assert {counter for _, counter in log.openings if counter <= 6} == {6, 3}
    served = {code for code, _, _, outcome in log.visits if outcome == "served"}
    assert {"ktp-el", "kartu-keluarga", "pindah-datang", "akta-kelahiran"} <= served
