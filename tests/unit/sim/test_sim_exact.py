"""The twin's fast paths give what the plain ways give, to the bit: the whole-day citizen draw,
a day's figures (numpy's percentile done by hand), the remembered cutoff time and session slots.

Each reference below is the plain way written out once more, slow and obvious, so that a change
to the fast one that moves a single draw, key or last bit of a figure fails here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from antre.hall.model import WEEKDAYS, Hall
from bench import sim_hallday
from services.ticketing.domain import bookings, hours
from sim.citizens import INF, MAX_ROUTE, Citizen, booked_arrivals, draw_day, poisson_times, sample
from sim.demand import Demand, Distribution, Journey, load_demand, profile_on
from sim.model import DayLog, HallDay, Scenario
from sim.runner import seeds, simulate
from sim.stats import day_figures

KENDARI = Path(__file__).resolve().parents[3] / "examples" / "demand" / "kendari.yaml"


def _reference_draw(
    demand: Demand, weekday: str, rng: np.random.Generator
) -> tuple[list[Citizen], dict[str, int]]:
    """Row by row: rows sorted as (time, code) tuples, one route and one duration at a time."""
    arrivals_rng, service_rng, route_rng, patience_rng = rng.spawn(4)
    rows: list[tuple[float, str, float | None]] = []
    no_shows: dict[str, int] = {}
    for code in demand.services:
        rates = profile_on(demand.services[code].arrivals, weekday)
        booked = demand.service_booking(code)
        rows += [
            (float(t), code, None)
            for t in poisson_times({h: r * (1 - booked) for h, r in rates.items()}, arrivals_rng)
        ]
        slots, times, no_shows[code] = booked_arrivals(demand, rates, booked, arrivals_rng)
        rows += [(float(t), code, float(s)) for t, s in zip(times, slots, strict=True)]
    rows.sort(key=lambda r: (r[0], r[1]))
    draws = arrivals_rng.random(len(rows)).tolist()
    priority = [u < demand.service_priority(code) for u, (_, code, _) in zip(draws, rows, strict=True)]
    hops = route_rng.random((len(rows), MAX_ROUTE)).tolist()
    routes = []
    for u, (_, code, _) in zip(hops, rows, strict=True):
        route = [code]
        while demand.journeys and len(route) < MAX_ROUTE:
            acc, nxt = 0.0, None
            for j in demand.journeys:
                if j.after == route[-1]:
                    acc += j.share
                    if u[len(route) - 1] < acc:
                        nxt = j.then
                        break
            if nxt is None:
                break
            route.append(nxt)
        routes.append(tuple(route))
    need: dict[str, int] = {}
    for codes in routes:
        for code in codes:
            need[code] = need.get(code, 0) + 1
    pools = {
        c: iter(sample(demand.services[c].service_time, service_rng, n).tolist()) for c, n in need.items()
    }
    legs = sum(len(r) for r in routes)
    patience = iter(sample(demand.patience, patience_rng, legs).tolist() if demand.patience else [INF] * legs)
    citizens = [
        Citizen(
            i,
            t,
            route,
            tuple(next(pools[c]) for c in route),
            tuple(next(patience) for _ in route),
            priority[i],
            booked_slot,
        )
        for i, ((t, _, booked_slot), route) in enumerate(zip(rows, routes, strict=True))
    ]
    return citizens, no_shows


def _demands() -> list[tuple[str, Demand]]:
    kendari, _ = load_demand(KENDARI)
    bench = sim_hallday.demand()
    on_the_dot = dataclasses.replace(  # no punctuality spread: booked arrivals tie on the slot
        bench,
        bookings=dataclasses.replace(bench.bookings, punctuality_sd_minutes=0.0, no_show=0.3),
        journeys=(Journey("dukcapil", "bapenda", 0.3), Journey("bapenda", "dpmptsp", 0.5)),
        patience=Distribution("empirical", values=(5.0, 30.0, 90.0)),
    )
    return [("kendari", kendari), ("bench", bench), ("on_the_dot", on_the_dot)]


@pytest.mark.parametrize(("name", "demand"), _demands())
def test_the_whole_day_draw_is_the_row_by_row_draw(name: str, demand: Demand) -> None:
    for weekday in ("monday", "friday", "sunday"):
        for seed in range(6):  # a fresh generator each: spawning moves a SeedSequence on
            fast = draw_day(demand, weekday, np.random.default_rng(seed))
            plain = _reference_draw(demand, weekday, np.random.default_rng(seed))
            assert fast == plain, (name, weekday)


def _reference_figures(log: DayLog, hall: Hall) -> dict[str, float]:
    """Per visit, five keys each, and numpy's own percentile and mean."""
    agency_of = {s.code: s.agency for s in hall.services}
    waits: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, float] = defaultdict(float)
    for code, joined, called, outcome in log.visits:
        hour, agency = f"{int(joined // 3600):02d}", agency_of[code]
        for key in (
            "hall|all",
            f"agency|{agency}",
            f"service|{code}",
            f"hour|{hour}",
            f"agency_hour|{agency}@{hour}",
        ):
            counts[f"{key}|{outcome}"] += 1
            if outcome == "served":
                waits[key].append(called - joined)
    out: dict[str, float] = {}
    for code in agency_of:
        for key in ("hall|all", f"agency|{agency_of[code]}", f"service|{code}"):
            for outcome in ("served", "reneged", "left_at_close"):
                out.setdefault(f"{key}|{outcome}", 0.0)
            counts[f"{key}|no_show"] += log.no_shows.get(code, 0)
            counts[f"{key}|refused"] += log.refused.get(code, 0)
    out |= counts
    for key, values in waits.items():
        w = np.asarray(values) / 60.0
        p50, p90, p95 = np.percentile(w, (50, 90, 95))
        out |= {
            f"{key}|wait_mean": float(w.mean()),
            f"{key}|wait_p50": float(p50),
            f"{key}|wait_p90": float(p90),
            f"{key}|wait_p95": float(p95),
            f"{key}|wait_max": float(w.max()),
            f"{key}|p_wait": float(np.mean(w > 0)),
        }
    if log.stays:
        stays = np.asarray(log.stays) / 60.0
        out["hall|all|stay_mean"] = float(stays.mean())
        out["hall|all|stay_p90"] = float(np.percentile(stays, 90))
    return out


@pytest.mark.parametrize("blend", ["check_in", "near_slot", "ratio"])
def test_a_days_figures_are_numpys_to_the_bit(blend: str) -> None:
    demand, hall = load_demand(KENDARI)
    scenario = Scenario(blend=blend, dispatch="priority_lane")
    for sq in seeds(3, 4):
        log = simulate(hall, demand, dt.date(2026, 3, 6), scenario, sq)
        assert {o for *_, o in log.visits} >= {"served", "reneged"}
        fast, plain = day_figures(log, hall), _reference_figures(log, hall)
        mine = {k: v for k, v in fast.items() if k in plain}
        assert list(mine) == list(plain)  # same keys, in the same order
        assert all(v == plain[k] or (math.isnan(v) and math.isnan(plain[k])) for k, v in mine.items())


def test_the_remembered_cutoff_is_the_computed_one() -> None:
    day = dt.date(2026, 3, 2)
    for close in (dt.time(0, 30), dt.time(15), dt.time(16, 59, 59, 999999), dt.time(23, 59)):
        for minutes in (0, 1, 60, 120, 24 * 60 + 5):
            for _ in range(2):  # the first asks, the second is remembered
                assert hours._cutoff(day, close, minutes) == hours._cutoff.__wrapped__(day, close, minutes)
                assert (
                    hours._cutoff(day, close, minutes)
                    == (dt.datetime.combine(day, close) - dt.timedelta(minutes=minutes)).time()
                )


class _SlotCheckingDay(HallDay):
    """Every admission's slot, remembered per session, equals the slot made afresh."""

    def check_in(self, citizen: Citizen, booking: object) -> None:
        super().check_in(citizen, booking)
        assert citizen.slot is not None
        code = citizen.route[0]
        start = self.base + dt.timedelta(seconds=citizen.slot)
        fresh = bookings.SessionSlot(code, self.day, start, start + self.slot_length, 0)
        assert self._slots[code, citizen.slot] == fresh
        self.checked += 1

    checked = 0


def test_remembered_session_slots_are_the_ones_made_afresh() -> None:
    hall, demand, day = sim_hallday.hall(), sim_hallday.demand(), sim_hallday.DAY
    rng = np.random.default_rng(5)
    citizens, no_shows = draw_day(demand, WEEKDAYS[day.weekday()], rng)
    run = _SlotCheckingDay(hall, demand, day, Scenario(), citizens, no_shows, rng)
    run.run()
    assert run.checked > 50
