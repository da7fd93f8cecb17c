"""kill -9 of ticketing while kiosks press "take a number", several times: a kiosk that lost its
answer retries with the same Idempotency-Key until it gets one, and the hall never holds a ghost
ticket. Every press has exactly one ticket, numbering has no gap and no double per service, and
the counters queue exactly as many tickets as there were presses."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from antre import db
from services.ticketing.adapters.tables import tickets
from tests.support.hall import RunningHall, wait_for, waiting_total

pytestmark = pytest.mark.e2e
# Walk-in services without a daily quota, so every press is answered with a ticket.
SERVICES = ("kartu-keluarga", "akta-kelahiran", "pbb-p2")
KIOSK_THREADS = 8
PRESSES = 120
KILLS = 6


def press(kiosk: httpx.Client, service: str) -> dict[str, Any]:
    """One press of the kiosk's button: one key, sent again with every retry until an answer."""
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    while True:
        try:
            response = kiosk.post("/api/v1/tickets", json={"service": service}, headers=headers)
        except httpx.TransportError:  # refused while down, or the answer lost to the kill
            time.sleep(0.1)
            continue
        if response.status_code >= 500:
            time.sleep(0.1)
            continue
        assert response.status_code == 201, response.text
        return dict(response.json())


def stored_tickets(hall: RunningHall) -> list[tuple[str, str, int]]:
    """(id, issued service, sequence) of every ticket in ticketing's own store."""
    url = hall.database_url or f"sqlite:///{hall.folder / 'state' / 'ticketing.db'}"
    engine = db.make_engine(url, hall.schemas["ticketing"] if hall.database_url else "")
    try:
        with engine.connect() as conn:
            query = select(tickets.c.id, tickets.c.issued_service, tickets.c.sequence)
            return [(r.id, r.issued_service, r.sequence) for r in conn.execute(query)]
    finally:
        engine.dispose()


def test_kill_ticketing_mid_issue_leaves_no_ghost_ticket(start_hall: Callable[..., RunningHall]) -> None:
    hall = start_hall("ticketing", "counters")
    hall.kiosk_token()  # enrolled once, before the threads
    answered: list[dict[str, Any]] = []
    done = threading.Event()
    kills = 0

    def kiosk(k: int) -> None:
        with hall.client("ticketing") as client:  # one kiosk's connection, kept alive
            for i in range(k, PRESSES, KIOSK_THREADS):
                answered.append(press(client, SERVICES[i % len(SERVICES)]))

    def killer() -> None:
        # Spread the kills over the run; a random few milliseconds so they land at any point of
        # an issue in flight (before, inside or after its commit).
        nonlocal kills
        rng = random.Random(7)
        for k in range(1, KILLS + 1):
            while len(answered) < k * PRESSES // (KILLS + 2) and not done.is_set():
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.02))
            hall.processes["ticketing"].kill()
            kills += 1
            hall.start("ticketing")

    with ThreadPoolExecutor(KIOSK_THREADS + 1) as pool:
        chaos = pool.submit(killer)
        kiosks = [pool.submit(kiosk, k) for k in range(KIOSK_THREADS)]
        for future in kiosks:
            future.result(timeout=240)
        done.set()
        chaos.result(timeout=60)
    assert kills == KILLS

    # Every press one ticket of its own.
    assert len(answered) == PRESSES
    assert len({t["id"] for t in answered}) == PRESSES
    # Ticketing holds exactly those: no ghost from an answer that was lost.
    stored = stored_tickets(hall)
    assert Counter(t[0] for t in stored) == Counter(t["id"] for t in answered), (
        f"{len(stored)} tickets stored for {PRESSES} presses"
    )
    # Numbering per service: 1..n, no gap, no double.
    sequences: dict[str, list[int]] = defaultdict(list)
    for _, service, sequence in stored:
        sequences[service].append(sequence)
    for service, seen in sequences.items():
        assert sorted(seen) == list(range(1, len(seen) + 1)), service
    assert len({t["number"] for t in answered}) == PRESSES
    # The counters queue each once, once the events (some held in the outbox by a kill) arrived.
    wait_for(lambda: waiting_total(hall) >= PRESSES, timeout=60, what="every ticket to be queued")
    time.sleep(1.0)  # a redelivered event would show up as one more
    assert waiting_total(hall) == PRESSES
