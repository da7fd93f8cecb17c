"""The hall on a three-node JetStream cluster, as production runs it: the services know all three
nodes and create the hall's stream with three replicas. Mid-day the node that leads the stream is
killed (-9) while kiosks issue and counters call; the cluster elects another leader, the hall goes
on, the node comes back and catches up. At the end every ticket was issued, called and completed
exactly once in the stream, no event is there twice, and every call reached its zone's board once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import nats
import pytest

from antre.events import MSG_ID_HEADER, decode, stream_name
from tests.e2e.test_journey import SERVICES
from tests.support.hall import RunningHall, announced, wait_for, waiting_total
from tools.nats_cluster import NatsCluster, leader_now, stream_leader

pytestmark = pytest.mark.e2e

# Six counters of three agencies, in more than one zone.
COUNTERS = {1: "dukcapil", 2: "dukcapil", 3: "dukcapil", 7: "dpmptsp", 10: "bapenda", 11: "bapenda"}
MORNING = 60  # issued before the counters open
DURING = 40  # issued while the counters call, across the leader's death
ON_TWO_NODES = 30  # issued once another node leads
AFTER_RESTART = 20  # issued once the dead node is back


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[NatsCluster]:
    running = NatsCluster(tmp_path / "nats").start()
    yield running
    running.stop()


def issue(hall: RunningHall, count: int, pause: float = 0.0) -> list[str]:
    """A kiosk taking ``count`` numbers; returns the ticket numbers. Ticketing writes its outbox
    whether or not NATS answers, so a kiosk never waits for the cluster."""
    numbers = []
    with hall.client("ticketing") as c:
        for i in range(count):
            response = c.post("/api/v1/tickets", json={"service": SERVICES[i % len(SERVICES)]})
            assert response.status_code == 201, response.text
            numbers.append(response.json()["number"])
            time.sleep(pause)
    return numbers


def officer(hall: RunningHall, number: int, called: list[str], done: threading.Event) -> None:
    """Call and complete until the day is over; an empty queue means the next ticket is still
    on its way through NATS."""
    headers = hall.sign_in(f"o{number}")
    with httpx.Client(base_url=hall.url("counters"), headers=headers, timeout=10) as c:
        assert c.post(f"/api/v1/counters/{number}/open").status_code == 200
        while not done.is_set():
            response = c.post(f"/api/v1/counters/{number}/call-next")
            assert response.status_code == 200, response.text
            ticket = response.json()["ticket"]
            if ticket is None:
                done.wait(0.1)
                continue
            called.append(ticket["number"])
            assert c.post(f"/api/v1/counters/{number}/complete").status_code == 200


async def read_stream(url: str, hall_id: str) -> list[tuple[str, str, object]]:
    """(message id, subject, event) of every message in the hall's stream, in order."""
    nc = await nats.connect(servers=url.split(","))
    js = nc.jetstream()
    stream = stream_name(hall_id)
    last = (await js.stream_info(stream)).state.last_seq
    out: list[tuple[str, str, object]] = []
    sub = await js.subscribe(f"antre.{hall_id}.>", ordered_consumer=True, stream=stream)
    try:
        while last and len(out) < last:
            msg = await sub.next_msg(timeout=10)
            headers = msg.headers or {}
            out.append((headers[MSG_ID_HEADER], msg.subject, decode(headers["Antre-Event"], msg.data)))
            if msg.metadata.sequence.stream >= last:
                break
    finally:
        await nc.close()
    return out


def by_kind(events: list[tuple[str, str, object]], suffix: str) -> list[object]:
    return [event for _, subject, event in events if subject.endswith(suffix)]


def replicas_current(url: str, hall_id: str) -> bool:
    async def ask() -> bool:
        nc = await nats.connect(servers=url.split(","))
        try:
            cluster = (await nc.jetstream().stream_info(stream_name(hall_id))).cluster
        finally:
            await nc.close()
        peers = (cluster.replicas or []) if cluster else []
        return len(peers) == 2 and all(p.current and not p.offline for p in peers)

    try:
        return asyncio.run(ask())
    except Exception:  # the cluster is still settling: ask again
        return False


def test_the_stream_leader_dies_mid_day(cluster: NatsCluster, start_hall: Callable[..., RunningHall]) -> None:
    # The cluster first, so that it stops last: the services drain onto a live NATS.
    hall = start_hall(
        "ticketing", "counters", "display", nats=cluster.url, extra_env={"ANTRE_NATS_REPLICAS": "3"}
    )
    leader, replicas = asyncio.run(stream_leader(cluster.url, stream_name(hall.hall_id)))
    assert replicas == 3

    issued = issue(hall, MORNING)
    wait_for(lambda: waiting_total(hall) == MORNING, what="the morning's tickets to be queued")
    for number, agency in COUNTERS.items():
        hall.add_officer(f"o{number}", agency)

    called: list[str] = []
    done = threading.Event()
    with ThreadPoolExecutor(len(COUNTERS) + 1) as pool:
        officers = [pool.submit(officer, hall, n, called, done) for n in COUNTERS]
        kiosk = pool.submit(issue, hall, DURING, 0.05)
        try:
            wait_for(lambda: len(called) >= MORNING // 3, what="calls to start")
            cluster.kill(leader)
            # While the cluster elects a leader, kiosks and counters go on from their own
            # databases; the relays hold the events and retry.
            issued += kiosk.result(timeout=120)
            wait_for(
                lambda: leader_now(cluster.url, stream_name(hall.hall_id)) not in (None, leader),
                timeout=60,
                what="a new stream leader",
            )
            # On two nodes the whole journey works: tickets reach the counters through the new
            # leader and are called.
            issued += issue(hall, ON_TWO_NODES)
            wait_for(lambda: len(called) >= len(issued), timeout=120, what="every ticket called on two nodes")
            cluster.restart(leader)
            issued += issue(hall, AFTER_RESTART)
            wait_for(lambda: len(called) >= len(issued), timeout=120, what="every ticket to be called")
        finally:
            done.set()
        for future in officers:
            future.result(timeout=30)

    # Every ticket called exactly once, as the counters answered.
    assert Counter(called) == Counter(issued)
    # The restarted node caught up with the stream.
    wait_for(lambda: replicas_current(cluster.url, hall.hall_id), timeout=60, what="the node to catch up")

    # In the stream: no event twice (the relay republished across the election; JetStream's
    # de-duplication by message id held), and each ticket issued, called and completed once.
    def stream() -> list[tuple[str, str, object]]:
        return asyncio.run(read_stream(cluster.url, hall.hall_id))

    wait_for(lambda: len(by_kind(stream(), "ticket.completed")) >= len(issued), what="the completions")
    events = stream()
    ids = [message_id for message_id, _, _ in events]
    assert len(ids) == len(set(ids)), "an event is in the stream twice"
    assert [message_id for message_id, _, event in events] == [
        event.meta.event_id
        for _, _, event in events  # type: ignore[attr-defined]
    ]
    for kind in ("ticket.issued", "ticket.called", "ticket.completed"):
        tickets = Counter(event.ticket.ticket_id for event in by_kind(events, kind))  # type: ignore[attr-defined]
        assert len(tickets) == len(issued), kind
        assert set(tickets.values()) == {1}, kind
    calls = [(e.counter.zone, e.ticket.number) for e in by_kind(events, "ticket.called")]  # type: ignore[attr-defined]
    assert Counter(n for _, n in calls) == Counter(issued)

    # Every call reached its zone's board, once.
    zones = {zone for zone, _ in calls}
    assert len(zones) > 1
    deadline = time.monotonic() + 60
    display = hall.url("display")
    while sum(map(len, announced(display, zones).values())) < len(issued) and time.monotonic() < deadline:
        time.sleep(0.2)
    for zone, heard in announced(display, zones).items():  # a failure shows what is missing or doubled
        assert sorted(heard) == sorted(n for z, n in calls if z == zone), zone
