"""Two replicas of every service on one NATS and one database: kiosks and counters spread over
both, and the journey is still exactly once: every number issued once, every ticket called once,
every call announced once in its zone, and either display replica serves the same log. (Two
display replicas share the calls' consumer, so the log's order may differ from the stream's where
two calls came within moments of each other; one replica keeps the stream's order exactly.)"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.test_journey import COUNTERS, SERVICES, called_in_stream
from tests.support.hall import RunningHall, announced, called_numbers, wait_for, waiting_total

pytestmark = pytest.mark.e2e


def test_two_replicas_of_each_service(start_hall: Callable[..., RunningHall]) -> None:
    hall = start_hall("ticketing", "counters", "display", "notify")
    # Started after the first is ready, as a Deployment's migration Job runs before its pods.
    urls = {
        name: [hall.url(name), hall.start_replica(name)]
        for name in ("ticketing", "counters", "display", "notify")
    }

    kiosks = itertools.cycle(urls["ticketing"])
    bodies = [{"service": SERVICES[i % len(SERVICES)]} for i in range(120)]
    targets = [next(kiosks) for _ in bodies]

    kiosk = {"Authorization": f"Bearer {hall.kiosk_token()}"}  # enrolled once, before the threads

    def issue(i: int) -> dict[str, Any]:
        response = httpx.post(f"{targets[i]}/api/v1/tickets", json=bodies[i], headers=kiosk, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    with ThreadPoolExecutor(8) as pool:
        tickets = list(pool.map(issue, range(len(bodies))))
    assert len({t["number"] for t in tickets}) == 120  # numbering shared by both replicas
    wait_for(lambda: waiting_total(hall) == 120, what="both replicas' tickets to be queued once")

    for number, agency in COUNTERS.items():
        hall.add_officer(f"o{number}", agency)

    def work(number: int) -> list[str]:
        headers = hall.sign_in(f"o{number}")
        base = urls["counters"][number % 2]  # each counter's officer on one replica or the other
        called = []
        with httpx.Client(base_url=base, headers=headers, timeout=10) as c:
            assert c.post(f"/api/v1/counters/{number}/open").status_code == 200
            while (ticket := c.post(f"/api/v1/counters/{number}/call-next").json()["ticket"]) is not None:
                called.append(ticket["number"])
                assert c.post(f"/api/v1/counters/{number}/complete").status_code == 200
        return called

    with ThreadPoolExecutor(len(COUNTERS)) as pool:
        called = [n for batch in pool.map(work, COUNTERS) for n in batch]
    assert Counter(called) == Counter(t["number"] for t in tickets)

    published = asyncio.run(called_in_stream(hall.nats_url, hall.hall_id, 120))
    zones = {z for z, _ in published}

    heard = lambda: sum(len(v) for v in announced(urls["display"][0], zones).values())  # noqa: E731
    wait_for(lambda: heard() >= 120, what="the boards")
    for base in urls["display"]:  # either replica serves the same log
        log = announced(base, zones)
        assert sum(len(v) for v in log.values()) == 120
        for zone, heard in log.items():
            assert Counter(heard) == Counter(n for z, n in published if z == zone)


async def _hear(url: str, heard: dict[str, float], ready: asyncio.Event) -> None:
    """A board on one display replica's stream: each called number with the moment it came."""
    async with httpx.AsyncClient(timeout=None) as c, c.stream("GET", url) as response:
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
                ready.set()
            elif line.startswith("data:") and event == "announcement":
                for number in called_numbers(json.loads(line[5:])):
                    heard.setdefault(number, time.monotonic())


def test_boards_on_every_display_replica_hear_every_call_at_once(
    start_hall: Callable[..., RunningHall],
) -> None:
    """Both display replicas share the calls' consumer, so each call is applied by one of them;
    a board on the other must hear it as soon, not at that replica's next change of its own."""
    hall = start_hall("ticketing", "counters", "display")
    displays = [hall.url("display"), hall.start_replica("display")]
    with hall.client("ticketing") as c:
        for _ in range(10):
            assert c.post("/api/v1/tickets", json={"service": "ktp-el"}).status_code == 201
    wait_for(lambda: waiting_total(hall) == 10, what="queueing")
    hall.add_officer("siti", "dukcapil")
    headers = hall.sign_in("siti")

    async def run() -> list[float]:
        boards: list[dict[str, float]] = [{}, {}]
        ready = [asyncio.Event(), asyncio.Event()]
        tasks = [
            asyncio.create_task(_hear(f"{url}/api/v1/zones/lantai-1-a/events", heard, r))
            for url, heard, r in zip(displays, boards, ready, strict=True)
        ]
        await asyncio.gather(*(r.wait() for r in ready))
        delays: list[float] = []
        async with httpx.AsyncClient(base_url=hall.url("counters"), headers=headers, timeout=10) as c:
            assert (await c.post("/api/v1/counters/1/open")).status_code == 200
            while (ticket := (await c.post("/api/v1/counters/1/call-next")).json()["ticket"]) is not None:
                called = time.monotonic()
                while not all(ticket["number"] in b for b in boards) and time.monotonic() - called < 3:
                    await asyncio.sleep(0.01)
                delays += [b.get(ticket["number"], float("inf")) - called for b in boards]
                assert (await c.post("/api/v1/counters/1/complete")).status_code == 200
        for task in tasks:
            task.cancel()
        return delays

    delays = asyncio.run(run())
    assert len(delays) == 20
    assert max(delays) < 2.0, sorted(delays)[-4:]
