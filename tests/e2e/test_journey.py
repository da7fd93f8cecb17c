"""A busy hall end to end: kiosks issue, ten counters call at once until the queues are empty,
the boards of each zone announce every call once, in the order the calls were published."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import nats
import pytest

from antre.events import decode, stream_name
from antre.v1 import events_pb2 as pb
from tests.support.hall import RunningHall, announced, wait_for, waiting_total

pytestmark = pytest.mark.e2e

# Ten counters of three agencies and the services they serve.
COUNTERS = {
    1: "dukcapil",
    2: "dukcapil",
    3: "dukcapil",
    4: "dukcapil",
    6: "dukcapil",
    7: "dpmptsp",
    8: "dpmptsp",
    10: "bapenda",
    11: "bapenda",
    12: "bapenda",
}
SERVICES = ["ktp-el", "ktp-el", "kartu-keluarga", "perizinan-berusaha", "pbb-p2", "bphtb"]


def issue_many(hall: RunningHall, count: int) -> list[dict[str, Any]]:
    def kiosk(k: int) -> list[dict[str, Any]]:
        with hall.client("ticketing") as c:
            out = []
            for i in range(k, count, 8):
                response = c.post("/api/v1/tickets", json={"service": SERVICES[i % len(SERVICES)]})
                assert response.status_code == 201, response.text
                out.append(response.json())
            return out

    with ThreadPoolExecutor(8) as pool:
        return [t for batch in pool.map(kiosk, range(8)) for t in batch]


def work_counter(hall: RunningHall, number: int, headers: dict[str, str]) -> list[str]:
    called = []
    with httpx.Client(base_url=hall.url("counters"), headers=headers, timeout=10) as c:
        assert c.post(f"/api/v1/counters/{number}/open").status_code == 200
        while True:
            response = c.post(f"/api/v1/counters/{number}/call-next")
            assert response.status_code == 200, response.text
            ticket = response.json()["ticket"]
            if ticket is None:
                return called
            called.append(ticket["number"])
            assert c.post(f"/api/v1/counters/{number}/complete").status_code == 200


async def called_in_stream(nats_url: str, hall_id: str, expected: int) -> list[tuple[str, str]]:
    """(zone, number) of every ticket.called event, in stream order."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    out: list[tuple[str, str]] = []
    sub = await js.subscribe(
        f"antre.{hall_id}.*.ticket.called", ordered_consumer=True, stream=stream_name(hall_id)
    )
    try:
        while len(out) < expected:
            msg = await sub.next_msg(timeout=10)
            event = decode((msg.headers or {})["Antre-Event"], msg.data)
            assert isinstance(event, pb.TicketCalled)
            out.append((event.counter.zone, event.ticket.number))
    finally:
        await nc.close()
    return out


def test_three_hundred_tickets_ten_counters(start_hall: Callable[..., RunningHall]) -> None:
    hall = start_hall()
    tickets = issue_many(hall, 300)
    numbers = [t["number"] for t in tickets]
    assert len(set(numbers)) == 300
    wait_for(lambda: waiting_total(hall) == 300, what="the counters to queue every ticket")

    for number, agency in COUNTERS.items():
        hall.add_officer(f"o{number}", agency)
    headers = {n: hall.sign_in(f"o{n}") for n in COUNTERS}
    with ThreadPoolExecutor(len(COUNTERS)) as pool:
        results = list(pool.map(lambda n: work_counter(hall, n, headers[n]), COUNTERS))
    called = [n for batch in results for n in batch]
    assert len(called) == 300
    assert Counter(called) == Counter(numbers)  # every ticket exactly once

    published = asyncio.run(called_in_stream(hall.nats_url, hall.hall_id, 300))
    zones = {z for z, _ in published}
    display = hall.url("display")
    wait_for(lambda: sum(len(v) for v in announced(display, zones).values()) >= 300, what="the boards")
    boards = announced(display, zones)
    for zone, heard in boards.items():
        assert heard == [n for z, n in published if z == zone]  # once each, in order, only there
    assert sum(len(v) for v in boards.values()) == 300

    with hall.client("ticketing") as c:
        finished = c.get(f"/api/v1/tickets/{tickets[0]['id']}").json()
    assert finished["state"] == "completed" and finished["counter"] in COUNTERS
