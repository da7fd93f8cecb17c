"""A zone's live feed over a migrated SQLite store: a change is read and rendered once for every
page; a page gets each announcement once and in order, a gap from the database, and is dropped
when it falls too far behind."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from antre import sse
from antre.hall.model import Hall
from services.display import handlers
from services.display.domain.announcements import Announcement
from services.display.entrypoints.feed import Batch, Listener, ZoneFeed
from tests.unit.display import display_factories as f
from tests.unit.display.display_factories import Clock

ZONE = "lantai-1-a"


def render_announcement(entry: Announcement, now: dt.datetime, resync: bool) -> str:
    return f"a{entry.seq}{'r' if resync else ''};"


def render_board(view: handlers.BoardView) -> str:
    return f"b{view.last_seq}/{len(view.board.now_calling)};"


@pytest.fixture
def deps(tmp_path: Path, kendari: Hall) -> handlers.Deps:
    # A burst here is about reads, not the voice: one announcement per call.
    return f.display_deps(tmp_path, f.ungrouped(kendari), Clock(dt.datetime.now(dt.UTC)))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the feed's reads ran (every page's read goes through the same functions)."""
    counts = {"board": 0, "announcements_after": 0}

    def counted(name: str) -> Callable[..., Any]:
        real = getattr(handlers, name)

        def read(*args: Any) -> Any:
            counts[name] += 1
            return real(*args)

        return read

    for name in counts:
        monkeypatch.setattr(handlers, name, counted(name))
    return counts


@pytest.fixture
async def feeds(deps: handlers.Deps) -> AsyncIterator[Callable[[int], Awaitable[ZoneFeed]]]:
    """Starts the zone's feed, its pages' queues holding so many batches; stops it after."""
    started: list[ZoneFeed] = []
    deps.live.bind(asyncio.get_running_loop())

    async def start(queue_size: int) -> ZoneFeed:
        zone_feed = ZoneFeed(deps, ZONE, render_announcement, render_board, 500, queue_size)
        started.append(zone_feed)
        await zone_feed.start()
        await asyncio.wait_for(zone_feed.ready.wait(), 5)
        return zone_feed

    yield start
    for zone_feed in started:
        await zone_feed.stop()


@pytest.fixture
async def feed(feeds: Callable[[int], Awaitable[ZoneFeed]]) -> ZoneFeed:
    return await feeds(64)


def calls(deps: handlers.Deps, first: int, count: int) -> list[f.Envelope]:
    now = dt.datetime.now(dt.UTC)
    counters = (1, 2, 3, 4, 6)  # lantai-1-a
    return [
        f.called(deps.hall, f"t{n}", f"A-{n:03d}", "ktp-el", counters[n % len(counters)], now)
        for n in range(first, first + count)
    ]


async def joined(feed: ZoneFeed, stack: ExitStack, deps: handlers.Deps) -> Listener:
    """A page as the stream makes one: joins, then reads its snapshot."""
    listener = stack.enter_context(feed.listener())
    listener.since = asyncio.get_running_loop().time()
    listener.sent = (await asyncio.to_thread(handlers.board, deps, ZONE)).last_seq
    return listener


async def read_until(listener: Listener, wanted: str, timeout: float = 10.0) -> str:
    seen = ""
    async with asyncio.timeout(timeout):
        while wanted not in seen:
            text = await listener.next()
            assert text is not None
            seen += text
    return seen


def announced(text: str) -> list[str]:
    return [part for part in text.split(";") if part.startswith("a")]


async def test_a_burst_is_read_once_for_every_page(
    feed: ZoneFeed, deps: handlers.Deps, reads: dict[str, int]
) -> None:
    with ExitStack() as stack:
        pages = [await joined(feed, stack, deps) for _ in range(50)]
        assert feed.listeners == 50
        reads.update(board=0, announcements_after=0)
        await asyncio.to_thread(handlers.on_hall_events, deps, calls(deps, 1, 10))
        seen = await asyncio.gather(*(read_until(page, "a10;") for page in pages))
        await asyncio.sleep(0.2)  # let the burst's last rounds land
    assert all(announced(text) == [f"a{n}" for n in range(1, 11)] for text in seen)
    # One read per round, whatever the number of pages (a round takes in whatever was queued).
    assert 1 <= reads["announcements_after"] <= 10
    assert 1 <= reads["board"] <= 10
    assert feed.listeners == 0


async def test_a_page_gets_the_gap_from_the_database(
    feed: ZoneFeed, deps: handlers.Deps, reads: dict[str, int]
) -> None:
    with ExitStack() as stack:
        witness = await joined(feed, stack, deps)
        await asyncio.to_thread(handlers.on_hall_events, deps, calls(deps, 1, 2))
        await read_until(witness, "a2;")  # the feed has read up to seq 2
        page = await joined(feed, stack, deps)
        page.sent = 0  # as if its snapshot had been read before the feed's first read
        reads.update(announcements_after=0)
        await asyncio.to_thread(handlers.on_hall_events, deps, calls(deps, 3, 1))
        assert announced(await read_until(page, "a3;")) == ["a1", "a2", "a3"]
        assert announced(await read_until(witness, "a3;")) == ["a3"]
        assert reads["announcements_after"] >= 2  # the feed's round, and the page's gap


async def test_what_a_page_is_sent_of_a_batch(feed: ZoneFeed) -> None:
    page = Listener(feed, 8)
    page.sent, page.since = 1, 10.0
    batches = [
        Batch(after=1, announcements=((2, "a2;"), (3, "a3;")), board="old;", board_read_at=9.0),
        Batch(after=1, announcements=((3, "a3;"),)),  # already sent: not again
        Batch(after=3, board="b1;", board_read_at=11.0),
        Batch(after=3, announcements=((5, "a5;"),), board="b2;", board_read_at=12.0),
    ]
    # Announcements in seq order, once; one board for the lot, the newest read after the snapshot.
    assert await page.frames(batches) == "a2;a3;a5;b2;"
    assert page.sent == 5
    assert await page.frames([Batch(after=5, board="old;", board_read_at=9.5)]) == ""


async def test_a_page_that_falls_behind_is_dropped(
    feeds: Callable[[int], Awaitable[ZoneFeed]], deps: handlers.Deps
) -> None:
    feed = await feeds(4)
    with ExitStack() as stack:
        slow = await joined(feed, stack, deps)
        quick = await joined(feed, stack, deps)
        for n in range(1, 7):  # more rounds than a page's queue holds (4), the slow page reads none
            await asyncio.to_thread(handlers.on_hall_events, deps, calls(deps, n, 1))
            await read_until(quick, f"a{n};")
        assert slow.closed and feed.listeners == 1
        assert await slow.next() is None  # its stream ends: the page reconnects and resyncs


async def test_a_quiet_page_gets_heartbeats_and_stop_ends_it(feed: ZoneFeed, deps: handlers.Deps) -> None:
    with ExitStack() as stack:
        page = await joined(feed, stack, deps)
        assert await page.next(timeout=0.05) == sse.HEARTBEAT
        await feed.stop()
        assert await page.next() is None
