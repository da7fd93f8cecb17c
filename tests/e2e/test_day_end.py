"""A number is valid for its day: a ticket still waiting when the hall's day ends is cancelled
by ticketing, the counters drop it, and its status page says so; a counter left open by an
officer who went home closes (hall clock shared by the test and the services, real PostgreSQL
and NATS)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import HallClock
from tests.support.hall import RunningHall, wait_for

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Makassar")  # the Kendari hall's
REAL_HOURS = {"ANTRE_DEMO": "0", "ANTRE_NIK_SECRET": "kunci-nik-akhir-hari-0123456789"}


def test_a_number_left_waiting_ends_with_its_day(
    start_hall: Callable[..., RunningHall], tmp_path: Path
) -> None:
    clock = HallClock(tmp_path / "hall-clock", dt.datetime(2026, 3, 10, 10, 0, tzinfo=TZ))  # a Tuesday
    hall = start_hall("ticketing", "counters", extra_env=REAL_HOURS, clock=clock)
    ticketing, counters = hall.client("ticketing"), hall.client("counters")
    ticket = ticketing.post("/api/v1/tickets", json={"service": "kartu-keluarga"}).json()
    hall.add_officer("siti", "dukcapil")  # opens counter 1 (ID cards) and goes home, signed out
    siti = hall.sign_in("siti")
    counters.post("/api/v1/counters/1/open", headers=siti).raise_for_status()
    counters.delete("/api/v1/sessions/current", headers=siti).raise_for_status()

    def position() -> int | None:
        response = counters.get(f"/api/v1/tickets/{ticket['id']}/position")
        return response.json()["position"] if response.status_code == 200 else None

    wait_for(lambda: position() == 1, 20.0, "the counters to queue the ticket")
    clock.jump_to(dt.datetime(2026, 3, 11, 0, 5, tzinfo=TZ))  # nobody called it; the day is over

    def state() -> str:
        return str(ticketing.get(f"/api/v1/tickets/{ticket['id']}").json()["state"])

    wait_for(lambda: state() == "cancelled", 30.0, "ticketing to end the ticket with its day")
    wait_for(lambda: position() is None, 20.0, "the counters to drop it")

    def counter_closed() -> bool:
        return bool(hall.counter(1)["state"] == "closed")

    wait_for(counter_closed, 30.0, "the counter left open to close with the day")
    clock.jump_to(dt.datetime(2026, 3, 11, 8, 0, tzinfo=TZ))  # the hall opens again
    today = ticketing.post("/api/v1/tickets", json={"service": "kartu-keluarga"}).json()
    assert today["number"] == "B-001" and today["state"] == "waiting"  # the new day numbers anew
    ticketing.close()
    counters.close()
