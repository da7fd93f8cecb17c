"""The display's HTTP API (``/api/v1/zones``), its live stream per zone (server-sent events) and
the board pages the hall's TVs show."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from antre import sse
from antre.inputs import INT64
from antre.problems import NotFound
from antre.refusals import refusals
from services.display import handlers
from services.display.adapters import voicepack
from services.display.domain import hours
from services.display.domain.announcements import Announcement, Kind, segment_tokens
from services.display.domain.board import CounterSeen, CounterStatus, pause_words, resolve_zone
from services.display.entrypoints import voice_http
from services.display.entrypoints.feed import LISTENER_QUEUE, ZoneFeed

STATIC = Path(__file__).parent / "static"
MAX_SEQ = INT64[1]  # seqs are the databases' 64-bit integers
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() takes "²", which int() refuses
SHARED_STATIC = Path(__file__).parents[3] / "antre" / "static"


class Context:
    """What the routes need, set on ``app.state.ctx`` by bootstrap."""

    def __init__(
        self,
        deps: handlers.Deps,
        demo: bool,
        stale_seconds: float,
        resync_limit: int,
        listener_queue: int = LISTENER_QUEUE,
    ) -> None:
        self.deps = deps
        self.demo = demo
        self.stale_after = dt.timedelta(seconds=stale_seconds)
        self.resync_limit = resync_limit
        self.listener_queue = listener_queue
        self.feeds: dict[str, ZoneFeed] = {}

    async def feed(self, zone: str) -> ZoneFeed:
        """The zone's live feed, started on the first page that asks for it."""
        found = self.feeds.get(zone)
        if found is None:
            found = self.feeds[zone] = ZoneFeed(
                self.deps,
                zone,
                lambda entry, now, resync: sse.frame(
                    _announcement_json(self, entry, now, resync=resync), "announcement", entry.seq
                ),
                lambda view: sse.frame(_board_json(self, view), "board"),
                self.resync_limit,
                self.listener_queue,
            )
            await found.start()  # never suspends, so no second page finds it unstarted
        return found

    async def stop(self) -> None:
        """Stop every zone's feed (and end the streams still open)."""
        feeds, self.feeds = list(self.feeds.values()), {}
        for feed in feeds:
            await feed.stop()

    def announcement_json(self, entry: Announcement, now: dt.datetime) -> dict[str, Any]:
        return _announcement_json(self, entry, now)


async def _ctx(request: Request) -> Context:
    # async: FastAPI runs a plain def dependency in its thread pool, a hop on every request.
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(_ctx)]
api = APIRouter(prefix="/api/v1", tags=["display"])
pages = APIRouter(include_in_schema=False)
voice = APIRouter(prefix="/voice", tags=["display"])
CLIP = {"description": "The clip", "content": {t: {} for t in sorted(set(voicepack.MEDIA_TYPES.values()))}}


@api.get("/zones")
async def zones(ctx: Ctx) -> dict[str, Any]:
    hall = ctx.deps.hall
    return {
        "hall": {"id": hall.id, "name": hall.name},
        "zones": [
            {"code": z.code, "name": z.name, "name_en": z.name_en, "board_url": f"/boards/{z.code}"}
            for z in hall.zones
        ],
    }


@api.get("/zones/{zone}/board", responses=refusals(404))
async def board(zone: str, ctx: Ctx) -> dict[str, Any]:
    """What the zone's board shows now, with the server's clock (pages schedule speech by it)."""
    view = await asyncio.to_thread(handlers.board, ctx.deps, zone)
    return _board_json(ctx, view)


@api.get("/zones/{zone}/announcements", responses=refusals(404))
async def announcements(
    zone: str,
    ctx: Ctx,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="Only announcements with a greater seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The zone's announcement log after a seq, oldest first (at most the newest ``limit``)."""
    found = await asyncio.to_thread(handlers.announcements_after, ctx.deps, zone, after, limit)
    now = ctx.deps.uow.clock()
    return {
        "zone": zone,
        "server_time": _iso(now),
        "announcements": [_announcement_json(ctx, a, now) for a in found],
    }


@api.get("/zones/{zone}/events", responses=refusals(404))
async def events(
    zone: str,
    request: Request,
    ctx: Ctx,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    resume_after: Annotated[str | None, Query(alias="last_event_id")] = None,
) -> Response:
    """Live board: ``snapshot`` first, then ``announcement`` (SSE id = seq) and ``board`` events.

    A page that reconnects sends the last seq it saw (``Last-Event-ID``, done by EventSource
    itself; a page that had to open a new EventSource passes ``?last_event_id=``) and gets every
    announcement after it, marked ``resync``; those whose start is older than the stale age are
    marked ``stale``: shown, not spoken.
    """
    resolve_zone(ctx.deps.hall, zone)
    resume = _seq(last_event_id) if last_event_id is not None else _seq(resume_after)
    deps = ctx.deps

    async def stream() -> AsyncIterator[str]:
        gauge = deps.metrics.connections.labels(zone)
        gauge.inc()
        try:
            feed = await ctx.feed(zone)
            # Join the zone's feed before reading, so that nothing committed in between is missed.
            with feed.listener() as listener:
                listener.since = asyncio.get_running_loop().time()
                view = await asyncio.to_thread(handlers.board, deps, zone, ctx.stale_after)
                # A fresh page starts from the snapshot's seq; a resuming one keeps its own id.
                yield sse.frame(_board_json(ctx, view), "snapshot", view.last_seq if resume is None else None)
                sent = view.last_seq
                if resume is not None:
                    sent = resume
                    for seq, frame in await feed.announcements_since(resume, resync=True):
                        sent = seq
                        yield frame
                listener.sent = sent
                # From here on the page gets the feed's frames, rendered once for all its pages.
                # (A page that leaves cancels this stream; asking at each heartbeat is for servers
                # that do not tell, and asking at each frame would cost more than the frame.)
                while True:
                    text = await listener.next()
                    if text is None:
                        return  # dropped for falling behind: the page reconnects and resyncs
                    if text == sse.HEARTBEAT and await request.is_disconnected():
                        return
                    if text:
                        yield text
        finally:
            gauge.dec()

    return sse.response(stream())


def _seq(value: str | None) -> int | None:
    """The seq a page resumes after, or None: start from a fresh snapshot.

    A Last-Event-ID that is no seq (not ASCII digits, past the 64-bit range the log's seq lives
    in) is taken as absent, not refused: EventSource resends it on its own at each reconnect and
    gives up for good on a refusal, so a 422 would leave the hall's TV dark until someone reloads
    it. The fresh snapshot it gets instead has everything a board shows."""
    digits = (value or "").strip()
    if not _DIGITS.fullmatch(digits) or int(digits) > MAX_SEQ:
        return None
    return int(digits)


# ---- the voice pack ----

# Any origin may read the pack: it is the hall's spoken words and nothing else (no cookie, no
# token), and the kiosks on ticketing's host say a taken number with the boards' clips.
VOICE_CORS = {"Access-Control-Allow-Origin": "*"}


def _pack(ctx: Context) -> voicepack.VoicePack:
    pack = ctx.deps.voice
    if pack is None:
        raise NotFound(
            "no_voice_pack",
            "Paket suara belum tersedia; papan memakai suara peramban",
            "No voice pack yet; boards use the browser's speech",
        )
    return pack


@voice.get("/manifest.json", responses=refusals((404, "No voice pack yet: boards use the browser's speech")))
async def voice_manifest(ctx: Ctx) -> Response:
    """The voice pack's clips per language (token -> file, seconds): boards fetch it once and
    play each announcement's ``tokens`` from it."""
    return JSONResponse(_pack(ctx).manifest(), headers={"Cache-Control": "no-cache", **VOICE_CORS})


@voice.get("/{file:path}", responses={200: CLIP, **refusals((404, "No such clip, or no voice pack"))})
async def voice_clip(file: str, ctx: Ctx, v: str = "") -> FileResponse:
    """A clip the manifest lists (nothing else of the folder). Asked for with the pack's
    version (``?v=``), it is cached for good: a changed pack has another version."""
    pack = _pack(ctx)
    path = pack.path(file)
    if path is None or not path.is_file():
        raise NotFound("no_voice_clip", f"Klip suara '{file}' tidak ada", f"No voice clip '{file}'")
    cache = "public, max-age=31536000, immutable" if v and v == pack.version else "no-cache"
    headers = {"Cache-Control": cache, **VOICE_CORS}
    return FileResponse(path, media_type=voicepack.media_type(path), headers=headers)


# ---- pages ----


@pages.get("/")
async def index(ctx: Ctx) -> HTMLResponse:
    """Links to every zone's board, for whoever sets up the hall's TVs."""
    hall = ctx.deps.hall
    # One TV per zone plays the sound (the one wired to the zone's loudspeakers): its page is
    # opened with ?speaker=1; every other screen of the zone opens the plain board.
    items = "\n".join(
        f'<li><a href="/boards/{html.escape(z.code)}">{html.escape(z.name)}</a>'
        f' <code>{html.escape(z.code)}</code> &middot; <a href="/boards/{html.escape(z.code)}?speaker=1">'
        'dengan suara <span lang="en">/ with sound (speaker)</span></a></li>'
        for z in hall.zones
    )
    demo = '<p class="demo-mark">DEMO</p>' if ctx.demo else ""
    body = f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Papan antrean / Queue boards - {html.escape(hall.name)}</title>
<link rel="stylesheet" href="/static/board.css"></head>
<body class="index"><main>{demo}<h1>{html.escape(hall.name)}</h1>
<p>Papan antrean per zona <span lang="en">/ Queue boards per zone</span></p>
<p>Satu layar per zona dibuka "dengan suara": hanya layar itu yang memanggil.
<span lang="en">/ One screen per zone opens "with sound": only that screen calls out.</span></p>
<ul class="zones">{items}</ul></main></body></html>"""
    return HTMLResponse(body)


@pages.get("/boards/{zone}")
async def board_page(zone: str, ctx: Ctx) -> FileResponse:
    resolve_zone(ctx.deps.hall, zone)
    return FileResponse(STATIC / "board.html")


def install(app: FastAPI) -> None:
    app.include_router(api)
    app.include_router(voice_http.router)
    app.include_router(voice)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if SHARED_STATIC.is_dir():  # shared page assets, if another part of the tree ships them
        app.mount("/shared", StaticFiles(directory=SHARED_STATIC), name="shared")


# ---- shapes ----


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _counter_name(ctx: Context, number: int) -> str:
    counter = ctx.deps.hall.counter(number)
    return counter.name if counter else f"Loket {number}"


_LOCALES = {"id": "id-ID", "en": "en-US"}


def _announcement_json(
    ctx: Context, entry: Announcement, now: dt.datetime, *, resync: bool = False
) -> dict[str, Any]:
    # No ticket id: it is the key of the citizen's status page, and boards are public.
    spoken = entry.spoken
    return {
        "seq": entry.seq,
        "zone": entry.zone,
        "number": entry.number,
        "counter": entry.counter,
        "counter_name": _counter_name(ctx, entry.counter) if entry.counter else "",
        "text": entry.text,
        "lang": _LOCALES.get(spoken[0].lang, "id-ID"),  # for the browser's speech engine
        "tokens": list(entry.tokens),  # the first language's clips, played back to back
        "voice_lang": spoken[0].lang,  # the pack's language folder
        # Every language in turn (Indonesian, then English when the hall speaks it): a board plays
        # them all from clips, or, when any clip is missing, all with its speech engine.
        "segments": [
            {"lang": s.lang, "locale": _LOCALES.get(s.lang, "id-ID"), "text": s.text, "tokens": list(t)}
            for s, t in zip(spoken, segment_tokens(spoken), strict=True)
        ],
        "calls": [
            {"number": p.number, "counter": p.counter, "counter_name": _counter_name(ctx, p.counter)}
            for p in entry.calls
        ],
        "replaces": list(entry.replaces),  # drop these: this one is said instead
        "kind": entry.kind.value,
        "created_at": _iso(entry.created_at),
        "starts_at": _iso(entry.starts_at),
        "ends_at": _iso(entry.ends_at),
        "duration_seconds": entry.duration.total_seconds(),
        "stale": entry.is_stale(now, ctx.stale_after),
        "resync": resync,
    }


def _opening_json(ctx: Context, now: dt.datetime) -> dict[str, Any]:
    """``closed``: what the board says after the hall's hours, on a day it does not open and
    during its breaks (null while open); ``hours_change_at``: when that may change next, the
    moment the page asks for the board again (nothing else would wake it). A demo hall never
    closes, as its kiosks never stop issuing."""
    if ctx.demo:
        return {"closed": None, "hours_change_at": None}
    hall = ctx.deps.hall
    local = hall.local(now)
    found = hours.opening(hall.hours, local)
    change = _iso(found.changes_at) if found.changes_at else None
    if found.closed is None:
        return {"closed": None, "hours_change_at": change}
    title, line, title_en, line_en = hours.lines(found.closed, local)
    reopens = found.closed.reopens
    closed = {
        "why": found.closed.why.value,
        "title": title,
        "line": line,
        "title_en": title_en,
        "line_en": line_en,
        "reopens_at": _iso(reopens) if reopens else None,
    }
    return {"closed": closed, "hours_change_at": change}


def _counter_json(counter: CounterSeen) -> dict[str, Any]:
    """A counter of the zone; a paused one with why, in words for the board (``reason`` as the
    event carried it, ``pause`` and ``pause_en`` as the board says it)."""
    found: dict[str, Any] = {"number": counter.number, "status": counter.status.value}
    if counter.status == CounterStatus.PAUSED:
        found["reason"] = counter.reason
        found["pause"], found["pause_en"] = pause_words(counter.reason)
    return found


def _board_json(ctx: Context, view: handlers.BoardView) -> dict[str, Any]:
    hall, b = ctx.deps.hall, view.board
    zone = resolve_zone(hall, b.zone)
    return {
        "hall": {"id": hall.id, "name": hall.name, "timezone": hall.timezone},
        "zone": {"code": zone.code, "name": zone.name, "name_en": zone.name_en},
        "demo": ctx.demo,
        "server_time": _iso(view.now),
        "stale_seconds": ctx.stale_after.total_seconds(),
        "last_seq": view.last_seq,
        # The footer's line of the hall's IKM this month, where the hall shows it; else null.
        "ikm": {"line": view.ikm[0], "line_en": view.ikm[1]} if view.ikm else None,
        **_opening_json(ctx, view.now),
        "now_calling": [
            {
                "counter": c.counter,
                "counter_name": c.counter_name,
                "number": c.number,
                "service": c.service,
                "service_name": (s.name if (s := hall.service(c.service)) else c.service),
                "called_at": _iso(c.called_at),
                "announced_at": _iso(c.announced_at),
                "recalls": c.recalls,
                "serving": c.serving,
            }
            for c in b.now_calling
        ],
        "recent": [
            {
                "seq": a.seq,
                "number": p.number,
                "counter": p.counter,
                "counter_name": _counter_name(ctx, p.counter),
                "called_at": _iso(p.created_at),
            }
            for a in b.recent
            for p in reversed(a.calls)  # newest first, a group's calls too
            if p.kind == Kind.CALL
        ],
        "waiting": [
            {
                "service": s.code,
                "name": s.name,
                "name_en": s.name_en,
                "prefix": s.prefix,
                "agency": s.agency,
                "waiting": count,
            }
            for s, count in b.waiting
        ],
        "counters": [_counter_json(c) for c in b.counters],
        "upcoming": [_announcement_json(ctx, a, view.now) for a in view.upcoming],
    }
