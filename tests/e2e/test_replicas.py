"""Two replicas of every service on one NATS and one database: kiosks and counters spread over
both, and the journey is still exactly once: every number issued once, every ticket called once,
every call announced once in its zone, and either display replica serves the same log. (Two
display replicas share the calls' consumer, so the log's order may differ from the stream's where
two calls came within moments of each other; one replica keeps the stream's order exactly.)"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.test_journey import COUNTERS, SERVICES, called_in_stream
from tests.support.hall import RunningHall, announced, wait_for, waiting_total

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

    def issue(i: int) -> dict[str, Any]:
        response = httpx.post(f"{targets[i]}/api/v1/tickets", json=bodies[i], timeout=10)
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
