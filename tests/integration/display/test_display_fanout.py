"""Many boards on one zone's live stream: a burst of calls is read from the database a bounded
number of times, however many boards listen, and every board hears every call once, in order."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.display import handlers
from tests.integration.display.display_live import LiveDisplay
from tests.integration.display.test_display_http import gauge
from tests.unit.display import display_factories as f

ZONE = "lantai-1-a"
BOARDS = 50
CALLS = 12
COUNTERS = (1, 2, 3, 4, 6)  # lantai-1-a's


class Board:
    """One page's stream, parsed as EventSource does."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str | None, Any]] = []
        self.snapshot = asyncio.Event()

    async def run(self, client: httpx.AsyncClient) -> None:
        async with client.stream("GET", f"/api/v1/zones/{ZONE}/events") as response:
            name, event_id, data = "message", None, ""
            async for line in response.aiter_lines():
                if line == "":
                    if data:
                        self.events.append((name, event_id, json.loads(data)))
                        self.snapshot.set()
                    name, event_id, data = "message", None, ""
                elif line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("data: "):
                    data += line[6:]

    def announcements(self) -> list[tuple[str | None, Any]]:
        return [(event_id, data) for name, event_id, data in self.events if name == "announcement"]

    def last_board(self) -> Any:
        return next(data for name, _, data in reversed(self.events) if name == "board")


@pytest.fixture
def display(tmp_path: Path) -> Iterator[LiveDisplay]:
    """Burst grouping off: this burst is about reads, one announcement per call."""
    live = LiveDisplay(tmp_path, hall={"announcements": {"group_max": 1}}).start()
    yield live
    live.stop()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Each run of the display's database reads for boards (from any of its threads)."""
    runs: dict[str, list[str]] = {"board": [], "announcements_after": []}

    def counted(name: str) -> Callable[..., Any]:
        real = getattr(handlers, name)

        def read(*args: Any) -> Any:
            runs[name].append(name)
            return real(*args)

        return read

    for name in runs:
        monkeypatch.setattr(handlers, name, counted(name))
    return runs


def test_a_burst_is_read_once_per_zone_not_once_per_board(
    display: LiveDisplay, reads: dict[str, list[str]]
) -> None:
    hall = display.deps.hall
    now = dt.datetime.now(dt.UTC)
    burst = [
        # A moment each: a counter acts one call at a time, so two of its calls never share one.
        f.called(
            hall,
            f"t{n}",
            f"A-{n:03d}",
            "ktp-el",
            COUNTERS[n % len(COUNTERS)],
            now + dt.timedelta(milliseconds=n),
        )
        for n in range(1, CALLS + 1)
    ]

    async def scenario() -> tuple[list[Board], dict[str, int]]:
        limits = httpx.Limits(max_connections=BOARDS + 5)
        async with httpx.AsyncClient(base_url=display.url, timeout=20.0, limits=limits) as client:
            boards = [Board() for _ in range(BOARDS)]
            tasks = [asyncio.create_task(board.run(client)) for board in boards]
            await asyncio.wait_for(asyncio.gather(*(b.snapshot.wait() for b in boards)), 20)
            assert await asyncio.to_thread(connected, display) == BOARDS
            for runs in reads.values():
                runs.clear()  # the snapshots are read per page: count only the burst
            await asyncio.to_thread(handlers.on_hall_events, display.deps, burst)
            async with asyncio.timeout(20):
                while any(len(b.announcements()) < CALLS for b in boards):
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # let the burst's last board changes land
            counted = {name: len(runs) for name, runs in reads.items()}
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return boards, counted

    boards, counted = asyncio.run(scenario())

    # Rounds of the zone's feed: at most one per change told, never one per board.
    assert 1 <= counted["announcements_after"] <= CALLS < BOARDS
    assert 1 <= counted["board"] <= CALLS
    for board in boards:
        heard = board.announcements()
        assert [event_id for event_id, _ in heard] == [str(n) for n in range(1, CALLS + 1)]
        assert [data["number"] for _, data in heard] == [f"A-{n:03d}" for n in range(1, CALLS + 1)]
        assert not any(data["stale"] or data["resync"] for _, data in heard)
        # The burst's boards collapse, and the last one a board got shows where the burst ended.
        final = {c["counter"]: c["number"] for c in board.last_board()["now_calling"]}
        assert final == {COUNTERS[n % len(COUNTERS)]: f"A-{n:03d}" for n in range(1, CALLS + 1)}
    deadline = time.monotonic() + 5
    while connected(display) != 0.0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert connected(display) == 0.0


def connected(display: LiveDisplay) -> float | None:
    with display.client() as c:
        return gauge(c, ZONE)
