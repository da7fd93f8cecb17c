"""One live feed per zone behind the boards' event stream: the database work of a change is done
once per zone, however many boards are connected.

A :class:`ZoneFeed` listens to the zone's broadcast topic (``handlers.topic(zone)``). On a
notification it drains whatever else is queued (a burst is one round; a change that only
touches the board waits up to ``BOARD_LINGER`` for company, a call never waits), reads the
announcements after its own last seq once, renders their SSE frames once and, if the board
changed and anyone is watching, reads and renders the board once. Each round's frames go, as one
shared :class:`Batch`, to every connected page: the work of a change no longer grows with the
number of pages, only the (cheap) write of the same text to each.

Fan-out rule: each page (:class:`Listener`) has its own bounded queue of batches. A page whose
queue is full when a batch arrives (a page, or its network, that cannot keep up) is dropped: its
queue is emptied and its stream ends. The page's EventSource then reconnects with
``Last-Event-ID`` and resyncs from the database, so it loses nothing but the time to reconnect,
and one slow page never holds the others back or makes the server keep an unbounded backlog.

A page never gets an announcement twice nor out of order: it remembers the last seq it was sent
and skips anything at or below it; if a batch starts beyond it (``Batch.after`` above the page's
last seq: the page joined while the feed was starting), the gap is read from the database for
that page alone before the batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Final

from antre import sse
from services.display import handlers
from services.display.domain.announcements import Announcement

log = logging.getLogger(__name__)

LISTENER_QUEUE = 256  # batches a page may be behind before it is dropped (it then resyncs)
BOARD_LINGER = 0.1  # seconds a board-only change waits for company (see ZoneFeed._linger_for)
RETRY_SECONDS = 1.0  # after a failed read, before the feed tries again

# (entry, now, resync) -> an ``announcement`` frame; view -> a ``board`` frame
RenderAnnouncement = Callable[[Announcement, dt.datetime, bool], str]
RenderBoard = Callable[[handlers.BoardView], str]


@dataclass(frozen=True)
class Batch:
    """One round of the feed, rendered once and shared by every page.

    ``announcements`` are the zone's announcements with a seq above ``after`` (the feed's last
    seq before the round), oldest first, as ``(seq, frame)``: at most the resync limit, the
    newest. ``board`` is a ``board`` frame read from the database no earlier than
    ``board_read_at`` (the loop's clock), or None.
    """

    after: int
    announcements: tuple[tuple[int, str], ...] = ()
    board: str | None = None
    board_read_at: float = 0.0


CLOSED: Final = Batch(after=-1)  # put in a dropped page's queue to end its stream


class Listener:
    """One connected page: its own bounded queue of batches and the last seq it was sent."""

    def __init__(self, feed: ZoneFeed, size: int) -> None:
        self.feed = feed
        self.queue: asyncio.Queue[Batch] = asyncio.Queue(size)
        self.sent = 0  # the seq of the last announcement the page was sent (set after its snapshot)
        self.since = 0.0  # boards read before this moment are no newer than the page's snapshot
        self.closed = False

    def offer(self, batch: Batch) -> bool:
        """Queue a batch; False when the page was too far behind and has been closed."""
        if self.closed:
            return False
        if not batch.announcements and batch.board is None and self.sent >= batch.after:
            return True  # nothing new and no gap: nothing to tell this page
        try:
            self.queue.put_nowait(batch)
        except asyncio.QueueFull:
            self.close()
            return False
        return True

    def close(self) -> None:
        """End the page's stream: its EventSource reconnects and resyncs from the database."""
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(CLOSED)

    async def next(self, timeout: float = sse.HEARTBEAT_SECONDS) -> str | None:
        """The text to send next: new frames, ``sse.HEARTBEAT`` after ``timeout`` of quiet, ""
        when the batches held nothing new for this page, or None when the stream must end."""
        try:
            async with asyncio.timeout(timeout):  # no task per wait, unlike wait_for
                batches = [await self.queue.get()]
        except TimeoutError:
            return sse.HEARTBEAT
        while not self.queue.empty():
            batches.append(self.queue.get_nowait())
        return await self.frames(batches)

    async def frames(self, batches: list[Batch]) -> str | None:
        """What these batches tell this page: the announcements after its last seq, in seq order
        (a gap before a batch read from the database), then the newest board frame read since
        the page's snapshot. None if the page was closed."""
        out: list[str] = []
        board: str | None = None
        for batch in batches:
            if batch is CLOSED:
                return None
            if self.sent < batch.after:
                for seq, frame in await self.feed.announcements_since(self.sent):
                    out.append(frame)
                    self.sent = seq
            for seq, frame in batch.announcements:
                if seq > self.sent:
                    out.append(frame)
                    self.sent = seq
            if batch.board is not None and batch.board_read_at >= self.since:
                board = batch.board  # a burst's boards collapse to the newest
        if board is not None:
            out.append(board)
        return "".join(out)


class ZoneFeed:
    """Reads and renders a zone's changes once and hands them to every page connected to it.

    Made on the first page's arrival (see ``http.Context.feed``) and kept until the service
    stops: the zones are few and fixed by the hall's file.
    """

    def __init__(
        self,
        deps: handlers.Deps,
        zone: str,
        render_announcement: RenderAnnouncement,
        render_board: RenderBoard,
        limit: int,
        queue_size: int = LISTENER_QUEUE,
        board_linger: float = BOARD_LINGER,
    ) -> None:
        self.zone = zone
        self._deps = deps
        self._render_announcement = render_announcement
        self._render_board = render_board
        self._limit = limit
        self._queue_size = queue_size
        self._linger = board_linger
        self._listeners: set[Listener] = set()
        self._seq: int | None = None  # the last announcement read; None until the first read
        self._stack = AsyncExitStack()
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()  # set once the feed knows where the zone's log stands

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    async def start(self) -> None:
        # Subscribe now (entering the broadcaster's listen never suspends), so that a page that
        # joins right after and then reads its snapshot cannot miss a change in between.
        notes = await self._stack.enter_async_context(self._deps.live.listen(handlers.topic(self.zone)))
        self._task = asyncio.create_task(self._run(notes), name=f"display-feed-{self.zone}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._stack.aclose()
        for listener in list(self._listeners):
            listener.close()
        self._listeners.clear()

    @contextmanager
    def listener(self) -> Iterator[Listener]:
        """A page joins the feed. Join before reading the page's snapshot, so that whatever is
        committed after that read reaches the page (set ``sent`` and ``since`` by it)."""
        listener = Listener(self, self._queue_size)
        self._listeners.add(listener)
        try:
            yield listener
        finally:
            self._listeners.discard(listener)

    async def announcements_since(self, after: int, *, resync: bool = False) -> list[tuple[int, str]]:
        """Frames for the zone's log after ``after`` read from the database for one page: its
        resync after a reconnect, or a gap."""
        found = await asyncio.to_thread(
            handlers.announcements_after, self._deps, self.zone, after, self._limit
        )
        now = self._deps.uow.clock()
        return [(entry.seq, self._render_announcement(entry, now, resync)) for entry in found]

    async def _run(self, notes: asyncio.Queue[tuple[str, Any]]) -> None:
        while self._seq is None:
            try:
                self._seq = await asyncio.to_thread(handlers.last_seq, self._deps, self.zone)
            except Exception:
                log.exception("display: the %s feed could not read its position; retrying", self.zone)
                await asyncio.sleep(RETRY_SECONDS)
        self.ready.set()
        pending: set[str] = set()
        while True:
            if not pending:
                kind, _ = await notes.get()
                pending.add(kind)
            while not notes.empty():  # a burst makes one round
                kind, _ = notes.get_nowait()
                pending.add(kind)
            if "announcement" not in pending:
                await self._linger_for(notes, pending)
            try:
                await self._round(pending)
            except Exception:
                log.exception("display: the %s feed failed to read a change; retrying", self.zone)
                await asyncio.sleep(RETRY_SECONDS)

    async def _linger_for(self, notes: asyncio.Queue[tuple[str, Any]], pending: set[str]) -> None:
        """A board-only change (a ticket issued, a call completed) waits a moment, so that the
        changes of a busy hall (kiosks issuing, counters completing then calling) make one board
        and one write to every page rather than many; a call cuts the wait short, so the voice
        is never held back. Boards are thus at most ``board_linger`` late, and come at most
        about once per ``board_linger`` when nothing is called."""
        try:
            async with asyncio.timeout(self._linger):
                while "announcement" not in pending:
                    kind, _ = await notes.get()
                    pending.add(kind)
        except TimeoutError:
            pass

    async def _round(self, pending: set[str]) -> None:
        """One read of what changed (announcements and board at once, in two worker threads) and
        one batch for every page; ``pending`` is emptied once the batch went out."""
        assert self._seq is not None
        after = self._seq
        read_at = asyncio.get_running_loop().time()
        # Both reads at once, but the calls go out as soon as theirs is done: the voice never
        # waits for the board's heavier read.
        board_read = (
            asyncio.ensure_future(asyncio.to_thread(handlers.board, self._deps, self.zone, None))
            # Nobody to show a board to: the next page reads its own snapshot anyway.
            if "board" in pending and self._listeners
            else None
        )
        try:
            if "announcement" in pending:
                found = await asyncio.to_thread(
                    handlers.announcements_after, self._deps, self.zone, after, self._limit
                )
                now = self._deps.uow.clock()  # rendered live, so normally fresh (not stale)
                frames = tuple((entry.seq, self._render_announcement(entry, now, False)) for entry in found)
                if found:
                    self._seq = found[-1].seq
                    self._deliver(Batch(after, frames, None, read_at))
            view = await board_read if board_read is not None else None
        finally:
            if board_read is not None and not board_read.done():
                board_read.cancel()
        if view is not None:
            self._deliver(Batch(self._seq, (), self._render_board(view), read_at))
        pending.clear()

    def _deliver(self, batch: Batch) -> None:
        for listener in list(self._listeners):
            if not listener.offer(batch):
                self._listeners.discard(listener)
                log.warning("display: a board of %s fell behind; dropped, it will resync", self.zone)
