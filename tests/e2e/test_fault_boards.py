"""kill -9 of NATS while officers call, start and complete at four counters in two zones, ten
times in one running hall. The counters keep working while NATS is away; once it is back (same
port, same store) every board shows, within 5 s, what each counter holds: its number, and
whether it is being served. Each kill and return is one trial; all ten must converge."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.hall import RunningHall, wait_for, waiting_total
from tests.support.infra import NatsServer, free_port

pytestmark = pytest.mark.e2e
COUNTERS = {1: "dukcapil", 3: "dukcapil", 4: "dukcapil", 10: "bapenda"}
SERVICES = ("ktp-el", "kartu-keluarga", "kartu-keluarga", "pbb-p2")
TICKETS = 240
TRIALS = 10
DOWN_SECONDS = 2.5
UP_SECONDS = 1.5  # officers work with NATS up between one return and the next kill
CONVERGE_SECONDS = 5.0

Shown = dict[int, tuple[str, bool] | None]  # counter -> (number, being served), or nothing


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "own-nats", free_port()).start()
    yield server
    server.stop()


class Desk:
    """An officer at one counter: call next, a glance, start, a moment of service, complete;
    round and round, retrying what fails. ``hold`` stops them between two presses."""

    def __init__(self, hall: RunningHall, number: int, headers: dict[str, str]) -> None:
        self.client = httpx.Client(base_url=hall.url("counters"), headers=headers, timeout=10)
        self.number = number
        self.working = threading.Event()
        self.idle = threading.Event()
        self.done = threading.Event()

    def press(self, action: str) -> httpx.Response | None:
        try:
            return self.client.post(f"/api/v1/counters/{self.number}/{action}")
        except httpx.TransportError:
            return None

    def run(self) -> None:
        steps = ("call-next", "start", "complete")
        step = 0
        while not self.done.is_set():
            if not self.working.is_set():
                self.idle.set()
                self.working.wait(0.1)
                continue
            self.idle.clear()
            response = self.press(steps[step])
            if response is not None and response.status_code == 200:
                held = steps[step] != "call-next" or response.json()["ticket"] is not None
                step = (step + 1) % 3 if held else 0
            elif response is not None and response.status_code == 409:
                step = 0 if steps[step] == "complete" else 2  # out of step: finish what it holds
            time.sleep(0.15)
        self.client.close()


def truth(hall: RunningHall, manager: dict[str, str]) -> Shown:
    """What the counters say each counter holds."""
    out: Shown = {}
    with hall.client("counters") as c:
        for n in COUNTERS:
            ticket = c.get(f"/api/v1/counters/{n}", headers=manager).json()["ticket"]
            out[n] = (ticket["number"], ticket["state"] == "serving") if ticket else None
    return out


def boards(hall: RunningHall, zones: dict[int, str]) -> Shown:
    """What the zones' boards show as now calling at our counters."""
    out: Shown = dict.fromkeys(COUNTERS)
    with hall.client("display") as c:
        for zone in set(zones.values()):
            for call in c.get(f"/api/v1/zones/{zone}/board").json()["now_calling"]:
                if call["counter"] in COUNTERS:
                    out[call["counter"]] = (call["number"], call["serving"])
    return out


def test_boards_match_the_counters_after_nats_returns(
    start_hall: Callable[..., RunningHall], nats_server: NatsServer
) -> None:
    hall = start_hall("ticketing", "counters", "display", nats=nats_server.url)
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token()}"}

    def issue(i: int) -> None:
        body = {"service": SERVICES[i % len(SERVICES)]}
        response = httpx.post(f"{hall.url('ticketing')}/api/v1/tickets", json=body, headers=kiosk, timeout=10)
        assert response.status_code == 201, response.text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(issue, range(TICKETS)))
    wait_for(lambda: waiting_total(hall) == TICKETS, what="queueing")
    manager = hall.manager()
    zones: dict[int, str] = {}
    desks = []
    for n, agency in COUNTERS.items():
        hall.add_officer(f"o{n}", agency)
        headers = hall.sign_in(f"o{n}")
        with hall.client("counters") as c:
            opened = c.post(f"/api/v1/counters/{n}/open", headers=headers)
            assert opened.status_code == 200
            zones[n] = opened.json()["zone"]
        desks.append(Desk(hall, n, headers))

    took: list[float] = []
    moved = 0  # trials in which a counter's holding changed while NATS was away
    with ThreadPoolExecutor(len(desks)) as pool:
        for desk in desks:
            pool.submit(desk.run)
        try:
            for _ in range(TRIALS):
                for desk in desks:
                    desk.working.set()
                time.sleep(UP_SECONDS)
                before = truth(hall, manager)
                nats_server.kill()  # SIGKILL, in the middle of the officers' presses
                time.sleep(DOWN_SECONDS)
                for desk in desks:  # hold still, so that the boards have one state to reach
                    desk.working.clear()
                for desk in desks:
                    assert desk.idle.wait(15)
                expected = truth(hall, manager)
                moved += expected != before
                nats_server.start()
                back = time.monotonic()
                while (shown := boards(hall, zones)) != expected:
                    assert time.monotonic() - back < CONVERGE_SECONDS, (
                        f"trial {len(took) + 1}: boards {shown}, counters {expected}"
                    )
                    time.sleep(0.1)
                took.append(time.monotonic() - back)
        finally:
            for desk in desks:
                desk.done.set()
                desk.working.set()
    print(f"boards matched the counters {[round(t, 2) for t in took]} s after NATS returned")
    assert len(took) == TRIALS
    assert moved >= TRIALS // 2, "the officers should have changed what the boards must show"
