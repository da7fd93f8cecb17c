"""The live hall over HTTP: its page, the hall now as JSON, and the same as server-sent events
that follow the record.

Who sees what: a supervisor or above; a supervisor sees their own agency (asking for another is
refused), a hall-wide person the whole hall or one agency (``?agency=``).

How the stream follows the hall: the record's consumer says "changed" on the live topic after
each batch (any replica's batch: the topic is shared). One :class:`Feed` per process listens for
every page and counts those notes; a page gets a snapshot on connect, another at most every
``live_coalesce_seconds`` after a change, and one every ``live_refresh_seconds`` regardless, so
durations and idle alerts move in a quiet hall. Pages of the same scope share a snapshot made
since the last change, so a room of screens costs the database one query per change."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, Response

from antre import sse
from antre.live import Broadcaster
from antre.people import bearer, signed_in
from antre.problems import Forbidden, NotFound, Unauthorized, Unavailable
from antre.refusals import refusals
from antre.roles import Person, Role, require
from services.reports.bootstrap import LIVE_TOPIC
from services.reports.domain.live import HallNow
from services.reports.entrypoints.http import Context, Ctx, staff_page
from services.reports.handlers import live

# A snapshot of the same scope and change is shared for this long (durations tick on the page).
SHARED_SECONDS = 1.0

Supervisor = Annotated[Person, Depends(signed_in(Role.SUPERVISOR))]
pages = APIRouter(tags=["live hall"])
api = APIRouter(prefix="/api/v1", tags=["live hall"])


@dataclass(frozen=True)
class Scope:
    person: Person
    agency: str  # "" for the whole hall


async def _scope(
    ctx: Ctx,
    person: Supervisor,
    agency: Annotated[str, Query(max_length=64, description="One agency's code; empty: all I may see")] = "",
) -> Scope:
    """A person's own agency unless they name one; naming another agency than their own is
    refused before anything is read."""
    if not agency:
        return Scope(person, person.agency)
    require(person, Role.SUPERVISOR, agency)
    if ctx.deps.hall.agency(agency) is None:
        raise NotFound("unknown_agency", f"Instansi '{agency}' tidak dikenal", f"Unknown agency '{agency}'")
    return Scope(person, agency)


Scoped = Annotated[Scope, Depends(_scope)]


@pages.get("/hall", response_class=HTMLResponse)
async def hall_page(request: Request) -> HTMLResponse:
    """The live hall's page: a shell that signs in and then follows the stream; no data in it."""
    return staff_page(request, "hall.html")


@api.get("/hall/live", responses=refusals(401, 403, 404))
async def hall_live(ctx: Ctx, scope: Scoped) -> dict[str, Any]:
    """The hall now: per service the queue and today's waits against the standard, per counter
    the citizen it holds, and the alerts; a supervisor's is their agency's."""
    return snapshot_json(ctx, scope, await _compute(ctx, scope.agency))


@api.get(
    "/hall/live/events",
    response_class=Response,
    responses={200: {"content": {"text/event-stream": {}}}, **refusals(401, 403, 404)},
)
async def hall_live_events(
    request: Request, ctx: Ctx, scope: Scoped, authorization: Annotated[str, Header()] = ""
) -> Response:
    """The same snapshot as server-sent events (``hall``): on connect, soon after each change,
    and every ``live_refresh_seconds``; the person is asked for again at each of the latter and
    the stream ends once they are signed out."""
    feed: Feed = request.app.state.live_feed
    return sse.response(_frames(request, ctx, feed, scope, bearer(authorization)))


async def _frames(request: Request, ctx: Context, feed: Feed, scope: Scope, token: str) -> AsyncIterator[str]:
    settings = ctx.settings
    async with feed.follow(ctx.live):
        while not await request.is_disconnected():
            seen = feed.version
            value = await feed.snapshot(scope.agency, lambda: _compute(ctx, scope.agency))
            yield sse.frame(snapshot_json(ctx, scope, value), "hall")
            sent = time.monotonic()
            due = sent + settings.live_refresh_seconds
            while (left := due - time.monotonic()) > 0:
                beat = sse.HEARTBEAT_SECONDS
                if await feed.wait(seen, min(left, beat)) or left <= beat:
                    break  # a change, or the refresh is due (a timer may wake a moment early)
                yield sse.HEARTBEAT
            if feed.version != seen:  # a change: no more than one snapshot per coalescing window
                await asyncio.sleep(max(0.0, sent + settings.live_coalesce_seconds - time.monotonic()))
            elif not await _still_allowed(request, token, scope):
                return


async def _compute(ctx: Context, agency: str) -> HallNow:
    return await asyncio.to_thread(live.hall_now, ctx.deps, agency, ctx.settings.live_idle_minutes)


async def _still_allowed(request: Request, token: str, scope: Scope) -> bool:
    """A session ended or an account disabled since connecting ends the stream; the counters
    being out of reach for a moment does not."""
    try:
        person = await request.app.state.people.person(token)
        require(person, Role.SUPERVISOR, scope.agency)
    except (Unauthorized, Forbidden):
        return False
    except Unavailable:
        return True
    return True


def snapshot_json(ctx: Context, scope: Scope, value: HallNow) -> dict[str, Any]:
    hall = ctx.deps.hall
    body = asdict(value)
    body["day"] = value.day.isoformat()
    body["at"] = hall.local(value.at).isoformat(timespec="seconds")
    choices = [a for a in hall.agencies if not scope.person.agency or a.code == scope.person.agency]
    return {
        "hall": {"id": hall.id, "name": hall.name, "timezone": hall.timezone},
        "agency": scope.agency,
        # What the page may offer to narrow to: every agency for hall-wide people, else their own.
        "agencies": [{"code": a.code, "name": a.name, "name_en": a.name_en} for a in choices],
        "idle_minutes": ctx.settings.live_idle_minutes,
        **body,
    }


class Feed:
    """The live topic as one version number for all of this process' pages: a single listener
    while any page follows, and the latest snapshot per scope, shared while no change came."""

    def __init__(self) -> None:
        self.version = 0
        self._users = 0
        self._changed: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._listening: contextlib.AsyncExitStack | None = None
        self._kept: dict[str, tuple[int, float, asyncio.Future[HallNow]]] = {}

    @contextlib.asynccontextmanager
    async def follow(self, live: Broadcaster) -> AsyncIterator[None]:
        self._users += 1
        try:
            if self._task is None:
                await self._start(live)
            yield
        finally:
            self._users -= 1
            if not self._users:
                await self._stop()

    async def _start(self, live: Broadcaster) -> None:
        # Listening starts before the first snapshot is read, so no change falls in between; what
        # was kept from before is not reused (changes went uncounted while nobody listened).
        self.version += 1
        self._changed = asyncio.Event()
        self._listening = contextlib.AsyncExitStack()
        notes = await self._listening.enter_async_context(live.listen(LIVE_TOPIC))
        self._task = asyncio.create_task(self._count(notes))

    async def _stop(self) -> None:
        task, listening = self._task, self._listening
        self._task = self._listening = None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if listening is not None:
            await listening.aclose()

    async def _count(self, notes: asyncio.Queue[Any]) -> None:
        while True:
            await notes.get()
            self.version += 1
            changed, self._changed = self._changed, asyncio.Event()
            if changed is not None:
                changed.set()

    async def wait(self, seen: int, timeout: float) -> bool:
        """Whether the hall changed since ``seen``, waiting up to ``timeout`` seconds for it."""
        if self.version == seen and self._changed is not None and timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)
        return self.version != seen

    async def snapshot(self, scope: str, compute: Callable[[], Awaitable[HallNow]]) -> HallNow:
        """The scope's snapshot: one begun at the current version less than ``SHARED_SECONDS``
        ago, else a new one (which others asking meanwhile share)."""
        kept = self._kept.get(scope)
        if kept is None or kept[0] != self.version or time.monotonic() - kept[1] >= SHARED_SECONDS:
            future = asyncio.ensure_future(compute())
            kept = (self.version, time.monotonic(), future)
            self._kept[scope] = kept
            future.add_done_callback(lambda done: self._forget_failed(scope, done))
        return await asyncio.shield(kept[2])

    def _forget_failed(self, scope: str, done: asyncio.Future[HallNow]) -> None:
        if not done.cancelled() and done.exception() is None:
            return
        kept = self._kept.get(scope)
        if kept is not None and kept[2] is done:
            del self._kept[scope]


def install(app: FastAPI) -> None:
    app.state.live_feed = Feed()
    app.include_router(pages)
    app.include_router(api)
