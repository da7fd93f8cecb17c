"""A :class:`sim.script.Script` played on the running hall: the same arrivals and the same clicks
the twin gets, through ticketing's and the counters' HTTP APIs, each at its moment on the hall
clock that the test and the services share.

An arrival is done only once the counters service has the ticket in its queue (it learns of it
over NATS), so the clock moves on to the next moment only then: the ticket's queue time is the
script's moment (plus the fraction of a second the request took), not whenever the event landed.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from sim.script import Arrival, Call, Script
from tests.support.clock import HallClock
from tests.support.hall import RunningHall
from tests.support.replay_desk import nik

# The counters see a priority ticket as priority whatever its group; the live kiosk takes the
# group, so the script's "priority" is played as each group in turn.
GROUPS = ("elderly", "disability", "pregnant", "child")


class LivePlay:
    def __init__(self, hall: RunningHall, clock: HallClock, day: dt.date, timezone: str) -> None:
        self.hall, self.clock, self.day = hall, clock, day
        self.zone = ZoneInfo(timezone)
        self.ticketing = hall.client("ticketing")
        self.counters = hall.client("counters")
        self.officers: dict[int, dict[str, str]] = {}
        self.codes: dict[int, str] = {}  # arrival index -> booking code
        self.holding: dict[int, bool] = {}
        self.joined: dict[str, dt.datetime] = {}  # ticket id -> the script's moment of its arrival
        # How far behind the script's moments the live ones fell: each called ticket's queue time
        # as the counters hold it, and each call's time, minus the moment the script gave.
        self.lags: list[float] = []

    def close(self) -> None:
        self.ticketing.close()
        self.counters.close()

    def moment(self, seconds: float) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(0), self.zone) + dt.timedelta(seconds=seconds)

    def book(self, script: Script, on: dt.datetime) -> None:
        """Every booked arrival's booking, made at ``on`` (before the day) on the public page."""
        self.clock.jump_to(on)
        for i, a in enumerate(script.arrivals):
            if a.session is None:
                continue
            session = self.moment(a.session).strftime("%H:%M")
            body = {
                "service": a.service,
                "day": self.day.isoformat(),
                "session": session,
                "nik": nik(i + 1),
                "name": f"Warga {i + 1}",
                "phone": f"0812-2000-{i + 1:04d}",
            }
            self.codes[i] = self._ok(self.ticketing.post("/api/v1/bookings", json=body), 201)["code"]

    def open(self, numbers: list[int], agency: str) -> None:
        for n in numbers:
            username = f"petugas{n}"
            self.hall.add_officer(username, agency)
            self.officers[n] = self.hall.sign_in(username)
            self._act(n, "open")
            self.holding[n] = False

    def play(self, script: Script) -> list[tuple[int, str]]:
        """The calls as (counter, number), in the order made. Same instant: arrivals first, as
        :class:`sim.script.ScriptedDay` orders them."""
        steps: list[tuple[float, int, int, Arrival | Call]] = [
            (a.at, 0, i, a) for i, a in enumerate(script.arrivals)
        ]
        steps += [(c.at, 1, i, c) for i, c in enumerate(script.calls)]
        order: list[tuple[int, str]] = []
        for at, _, i, step in sorted(steps, key=lambda s: s[:3]):
            moment = self.moment(at)
            self.clock.jump_to(moment)
            if isinstance(step, Arrival):
                self.joined[self._arrive(i, step)] = moment
                continue
            called = self._call(step.counter)
            if called is not None:
                order.append((step.counter, str(called["number"])))
                self.lags.append(_seconds(called["queued_at"], self.joined[called["id"]]))
                self.lags.append(_seconds(called["called_at"], moment))
        return order

    def _arrive(self, i: int, a: Arrival) -> str:
        group = GROUPS[i % len(GROUPS)] if a.priority else "none"
        if a.session is not None:
            path = f"/api/v1/bookings/{self.codes[i]}/check-in"
            ticket = self._ok(self.ticketing.post(path, json={"kiosk": "kiosk-1", "priority": group}), 200)
        else:
            body = {"service": a.service, "priority": group, "kiosk": "kiosk-1"}
            ticket = self._ok(self.ticketing.post("/api/v1/tickets", json=body), 201)
        self._queued(ticket["id"])
        return str(ticket["id"])

    def _queued(self, ticket_id: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while self.counters.get(f"/api/v1/tickets/{ticket_id}/position").status_code != 200:
            assert time.monotonic() < deadline, f"the counters never queued ticket {ticket_id}"
            time.sleep(0.05)

    def _call(self, number: int) -> dict[str, Any] | None:
        if self.holding[number]:
            self._act(number, "start")
            self._act(number, "complete")
        called = self._act(number, "call-next")["ticket"]
        self.holding[number] = called is not None
        return None if called is None else dict(called)

    def _act(self, number: int, action: str) -> dict[str, Any]:
        path = f"/api/v1/counters/{number}/{action}"
        return self._ok(self.counters.post(path, headers=self.officers[number]), 200)

    @staticmethod
    def _ok(response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, f"{response.request.url}: {response.text}"
        return dict(response.json())


def _seconds(iso: str, since: dt.datetime) -> float:
    return (dt.datetime.fromisoformat(iso) - since).total_seconds()
