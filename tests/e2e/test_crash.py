"""Crashes in a busy hall: kill -9 of the counters service, or of NATS, and a restart. Nothing is
lost and nothing is called twice; events written while NATS was down arrive once it returns."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import nats
import pytest

from antre.events import decode, stream_name
from tests.support.hall import RunningHall, announced, wait_for, waiting_total
from tests.support.infra import NatsServer, free_port

pytestmark = pytest.mark.e2e
DUKCAPIL = (1, 2, 3, 4, 6)


def keep_working(hall: RunningHall, number: int, headers: dict[str, str], stop: threading.Event) -> None:
    """An officer who keeps pressing through a crash: errors are retried; a ticket the counter
    still holds after a restart (its response was lost) is completed first."""
    with httpx.Client(base_url=hall.url("counters"), headers=headers, timeout=5) as c:
        while not stop.is_set():
            try:
                response = c.post(f"/api/v1/counters/{number}/call-next")
                if response.status_code == 409 and response.json()["error"]["code"] == "counter_busy":
                    c.post(f"/api/v1/counters/{number}/complete")
                    continue
                if response.status_code == 200 and response.json()["ticket"] is None:
                    if waiting_total(hall) == 0:
                        return
                    continue
                if response.status_code == 200:
                    c.post(f"/api/v1/counters/{number}/complete")
            except (httpx.HTTPError, ValueError, KeyError):
                stop.wait(0.2)


async def stream_events(nats_url: str, hall_id: str, suffix: str) -> list[tuple[str, str]]:
    """(ticket id, number) of every event with this suffix in the hall's stream."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    info = await js.stream_info(stream_name(hall_id))
    out: list[tuple[str, str]] = []
    sub = await js.subscribe(
        f"antre.{hall_id}.*.{suffix}", ordered_consumer=True, stream=stream_name(hall_id)
    )
    try:
        while True:
            msg = await sub.next_msg(timeout=2)
            event = decode((msg.headers or {})["Antre-Event"], msg.data)
            out.append((event.ticket.ticket_id, event.ticket.number))  # type: ignore[attr-defined]
            if msg.metadata.sequence.stream >= info.state.last_seq:
                break
    except (TimeoutError, nats.errors.TimeoutError):
        pass
    finally:
        await nc.close()
    return out


def open_counters(hall: RunningHall) -> dict[int, dict[str, str]]:
    headers = {}
    for n in DUKCAPIL:
        hall.add_officer(f"o{n}", "dukcapil")
        headers[n] = hall.sign_in(f"o{n}")
        with hall.client("counters") as c:
            assert c.post(f"/api/v1/counters/{n}/open", headers=headers[n]).status_code == 200
    return headers


def issue_dukcapil(hall: RunningHall, count: int) -> list[str]:
    with hall.client("ticketing") as c:
        return [
            c.post("/api/v1/tickets", json={"service": s}).json()["id"]
            for s in (["ktp-el", "kartu-keluarga"] * count)[:count]
        ]


def assert_each_called_once(hall: RunningHall, ids: list[str]) -> None:
    called = asyncio.run(stream_events(hall.nats_url, hall.hall_id, "ticket.called"))
    counts = Counter(t for t, _ in called)
    assert set(counts) == set(ids)
    assert max(counts.values()) == 1
    heard = announced(hall.url("display"), {"lantai-1-a"})["lantai-1-a"]
    assert Counter(heard) == Counter(n for _, n in called)


def test_kill_the_counters_service_mid_hall(start_hall: Callable[..., RunningHall]) -> None:
    hall = start_hall("ticketing", "counters", "display")
    ids = issue_dukcapil(hall, 120)
    wait_for(lambda: waiting_total(hall) == 120, what="queueing")
    headers = open_counters(hall)
    stop = threading.Event()
    with ThreadPoolExecutor(len(DUKCAPIL)) as pool:
        futures = [pool.submit(keep_working, hall, n, headers[n], stop) for n in DUKCAPIL]
        wait_for(lambda: waiting_total(hall) <= 80, what="calls to start")
        hall.processes["counters"].kill()
        hall.start("counters")
        for future in futures:
            future.result(timeout=120)
    wait_for(lambda: waiting_total(hall) == 0, what="an empty queue")
    wait_for(
        lambda: len(asyncio.run(stream_events(hall.nats_url, hall.hall_id, "ticket.called"))) >= 120,
        what="every call to be published",
    )
    assert_each_called_once(hall, ids)


def test_kill_nats_mid_hall(start_hall: Callable[..., RunningHall], tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "own-nats", free_port()).start()
    try:
        hall = start_hall("ticketing", "counters", "display", nats=server.url)
        ids = issue_dukcapil(hall, 40)
        wait_for(lambda: waiting_total(hall) == 40, what="queueing")
        headers = open_counters(hall)
        server.kill()
        ids += issue_dukcapil(hall, 40)  # the kiosks keep working without NATS
        with hall.client("counters") as c:  # and so do the counters, on what they already know
            for n in DUKCAPIL:
                assert c.post(f"/api/v1/counters/{n}/call-next", headers=headers[n]).json()["ticket"]
                assert c.post(f"/api/v1/counters/{n}/complete", headers=headers[n]).status_code == 200
        assert waiting_total(hall) == 40 - len(DUKCAPIL)
        server.start()
        wait_for(lambda: waiting_total(hall) == 80 - len(DUKCAPIL), timeout=60, what="held events to arrive")
        stop = threading.Event()
        with ThreadPoolExecutor(len(DUKCAPIL)) as pool:
            for future in [pool.submit(keep_working, hall, n, headers[n], stop) for n in DUKCAPIL]:
                future.result(timeout=120)
        wait_for(
            lambda: len(asyncio.run(stream_events(server.url, hall.hall_id, "ticket.called"))) >= 80,
            what="every call to be published",
        )
        assert_each_called_once(hall, ids)
    finally:
        server.stop()
