"""The counters' HTTP API (``/api/v1``): officers sign in, open a counter and work the queue;
anyone may ask a ticket's position. Plus the operator page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from antre import sse
from antre.people import bearer
from antre.privacy import ticket_key
from antre.problems import NotFound
from antre.refusals import refusals
from services.counters import handlers
from services.counters.domain.queue import QueuedTicket, State
from services.counters.domain.stations import Officer, Station
from services.counters.handlers import out_of_turn, queries
from sim.forecast import Forecast

STATIC = Path(__file__).parent / "static"
SHARED_STATIC = Path(__file__).parents[3] / "antre" / "static"
T = TypeVar("T")


class Context:
    def __init__(self, deps: handlers.Deps, demo: bool) -> None:
        self.deps = deps
        self.demo = demo
        self.forecasts = queries.Forecasts(deps, always_open=demo)  # a demo hall never closes


async def _ctx(request: Request) -> Context:
    # async: FastAPI runs a plain def dependency in its thread pool, a hop on every request.
    ctx: Context = request.app.state.ctx
    return ctx


async def _token(authorization: Annotated[str, Header()] = "") -> str:
    return bearer(authorization)


async def _officer(request: Request, token: Annotated[str, Depends(_token)]) -> Officer:
    return await asyncio.to_thread(handlers.officer_for, request.app.state.ctx.deps, token)


async def _signed(token: Annotated[str, Depends(_token)]) -> handlers.SessionToken:
    return handlers.SessionToken(token)


Ctx = Annotated[Context, Depends(_ctx)]
CurrentOfficer = Annotated[Officer, Depends(_officer)]
# The queue actions check the session inside their own transaction (see handlers.SessionToken).
Signed = Annotated[handlers.SessionToken, Depends(_signed)]
api = APIRouter(prefix="/api/v1", tags=["counters"])
pages = APIRouter(include_in_schema=False)


class Transfer(BaseModel):
    service: str = Field(min_length=1, max_length=64, description="Service code to send the citizen to")


class Pause(BaseModel):
    reason: str = Field(
        default="",
        max_length=200,
        description="break, prayer or system (istirahat, sholat, gangguan sistem), or one's own words",
    )


class TicketNumber(BaseModel):
    number: str = Field(
        min_length=1, max_length=16, description="The ticket's number, e.g. A-012 (a12 is read so too)"
    )


async def _run(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


@api.get("/counters", responses=refusals(401))
async def counters(ctx: Ctx, _signed: CurrentOfficer) -> list[dict[str, Any]]:
    """A signed-in person: every counter, who holds it and what state it is in."""
    return [
        await _station_json(ctx, s, with_ticket=False) for s in await _run(queries.all_stations, ctx.deps)
    ]


@api.get("/counters/{number}", responses=refusals(401, 404))
async def counter(number: int, ctx: Ctx, _signed: CurrentOfficer) -> dict[str, Any]:
    """A signed-in person: the counter, the ticket it holds and its queues' lengths."""
    return await _station_json(ctx, await _run(queries.station, ctx.deps, number))


@api.post("/counters/{number}/open", responses=refusals(401, 403, 404, 409))
async def open_counter(number: int, ctx: Ctx, officer: CurrentOfficer) -> dict[str, Any]:
    return await _station_json(ctx, await _run(handlers.open_counter, ctx.deps, officer, number))


@api.post("/counters/{number}/pause", responses=refusals(401, 403, 404, 409))
async def pause_counter(
    number: int, ctx: Ctx, officer: CurrentOfficer, body: Pause | None = None
) -> dict[str, Any]:
    reason = body.reason if body else ""
    return await _station_json(ctx, await _run(handlers.pause_counter, ctx.deps, officer, number, reason))


@api.post("/counters/{number}/resume", responses=refusals(401, 403, 404, 409))
async def resume_counter(number: int, ctx: Ctx, officer: CurrentOfficer) -> dict[str, Any]:
    return await _station_json(ctx, await _run(handlers.resume_counter, ctx.deps, officer, number))


@api.post("/counters/{number}/close", responses=refusals(401, 403, 404, 409))
async def close_counter(number: int, ctx: Ctx, officer: CurrentOfficer) -> dict[str, Any]:
    return await _station_json(ctx, await _run(handlers.close_counter, ctx.deps, officer, number))


@api.post("/counters/{number}/call-next", responses=refusals(401, 403, 404, 409))
async def call_next(number: int, ctx: Ctx, caller: Signed) -> dict[str, Any]:
    """Call the next ticket by the hall's dispatch policy. ``ticket`` is null when nobody waits."""
    with ctx.deps.metrics.call_next_seconds.time():
        called = await _run(handlers.call_next, ctx.deps, caller, number)
    body: dict[str, Any] = {"ticket": _ticket_json(ctx, called) if called else None}
    if called is None:
        body["message"] = "Tidak ada antrean yang menunggu"
        body["message_en"] = "Nobody is waiting"
    return body


@api.post("/counters/{number}/recall", responses=refusals(401, 403, 404, 409))
async def recall(number: int, ctx: Ctx, caller: Signed) -> dict[str, Any]:
    return {"ticket": _ticket_json(ctx, await _run(handlers.recall, ctx.deps, caller, number))}


@api.post("/counters/{number}/start", responses=refusals(401, 403, 404, 409))
async def start(number: int, ctx: Ctx, caller: Signed) -> dict[str, Any]:
    return {"ticket": _ticket_json(ctx, await _run(handlers.start_serving, ctx.deps, caller, number))}


@api.post("/counters/{number}/complete", responses=refusals(401, 403, 404, 409))
async def complete(number: int, ctx: Ctx, caller: Signed) -> dict[str, Any]:
    return {"ticket": _ticket_json(ctx, await _run(handlers.complete, ctx.deps, caller, number))}


@api.post("/counters/{number}/skip", responses=refusals(401, 403, 404, 409))
async def skip(number: int, ctx: Ctx, caller: Signed) -> dict[str, Any]:
    """Pass over the called citizen; a no-show once the hall's number of recalls was made."""
    return {"ticket": _ticket_json(ctx, await _run(handlers.skip, ctx.deps, caller, number))}


@api.post("/counters/{number}/transfer", responses=refusals(401, 403, 404, 409))
async def transfer(number: int, body: Transfer, ctx: Ctx, officer: CurrentOfficer) -> dict[str, Any]:
    moved = await _run(handlers.transfer, ctx.deps, officer, number, body.service)
    return {"ticket": _ticket_json(ctx, moved)}


@api.post("/counters/{number}/call-number", responses=refusals(401, 403, 404, 409, 422))
async def call_number(number: int, body: TicketNumber, ctx: Ctx, caller: Signed) -> dict[str, Any]:
    """Call a waiting ticket of the counter's services by its number, out of the policy's order
    (*panggil nomor tertentu*). Only one counter gets it, however many ask at once."""
    called = await _run(out_of_turn.call_number, ctx.deps, caller, number, body.number)
    return {"ticket": _ticket_json(ctx, called)}


@api.post("/counters/{number}/hold", responses=refusals(401, 403, 404, 409))
async def hold(number: int, ctx: Ctx, caller: Signed) -> dict[str, Any]:
    """Set the citizen at the counter aside while they fetch a document (*tunda*); the counter may
    call others, and lists the ticket under ``held`` to call again or return to the queue."""
    return {"ticket": _ticket_json(ctx, await _run(out_of_turn.hold, ctx.deps, caller, number))}


@api.post("/counters/{number}/call-held", responses=refusals(401, 403, 404, 409, 422))
async def call_held(number: int, body: TicketNumber, ctx: Ctx, caller: Signed) -> dict[str, Any]:
    """Call again a citizen this counter held (*panggil lagi*)."""
    called = await _run(out_of_turn.call_held, ctx.deps, caller, number, body.number)
    return {"ticket": _ticket_json(ctx, called)}


@api.post("/counters/{number}/return", responses=refusals(401, 403, 404, 409, 422))
async def bring_back(number: int, body: TicketNumber, ctx: Ctx, caller: Signed) -> dict[str, Any]:
    """Bring a ticket back into its service's queue (*kembalikan ke antrean*): one of today
    skipped or a no-show (at any counter serving its service), or one this counter holds.
    ``ahead``: tickets of its lane before it (the hall's ``queue.return_after``, or fewer)."""
    back = await _run(out_of_turn.bring_back, ctx.deps, caller, number, body.number)
    return {"ticket": _ticket_json(ctx, back.ticket), "ahead": back.ahead}


@api.get("/counters/{number}/events", responses=refusals(401, 404))
async def counter_events(number: int, request: Request, ctx: Ctx, _signed: CurrentOfficer) -> Response:
    """A signed-in person: the counter and its queues, live (server-sent events). It names the
    officer and the ticket held, so it is not for the public."""
    await _run(queries.station, ctx.deps, number)

    async def stream() -> AsyncIterator[str]:
        async with ctx.deps.live.listen("queue") as changes:
            while not await request.is_disconnected():
                view = await _station_json(ctx, await _run(queries.station, ctx.deps, number))
                yield sse.frame(view, "counter")
                if await sse.next_or_heartbeat(changes) is None:
                    yield sse.HEARTBEAT
                while not changes.empty():  # coalesce a burst into one refresh
                    changes.get_nowait()

    return sse.response(stream())


@api.get("/queues")
async def queues(ctx: Ctx) -> dict[str, Any]:
    """Tickets waiting now per service, today."""
    counts = await _run(queries.waiting_counts, ctx.deps)
    return {"waiting": {s.code: counts.get(s.code, 0) for s in ctx.deps.hall.services}}


@api.get("/tickets/{ticket_id}/position", responses=refusals(404))
async def ticket_position(ticket_id: str, ctx: Ctx) -> dict[str, Any]:
    """1 means next. Null once the ticket is no longer waiting."""
    return {"ticket_id": ticket_id, "position": await _run(queries.position, ctx.deps, ticket_id)}


@api.get("/services/{service}/positions", responses=refusals(404))
async def service_positions(service: str, ctx: Ctx) -> dict[str, Any]:
    """Positions of every waiting ticket of a service, keyed by the first 24 hex digits of the
    SHA-256 of the ticket id (whoever holds a ticket can find it; the list reveals no id)."""
    if ctx.deps.hall.service(service) is None:
        raise NotFound(
            "unknown_service", f"Layanan '{service}' tidak dikenal", f"Unknown service '{service}'"
        )
    return {"service": service, "positions": await _run(queries.positions, ctx.deps, service)}


@api.get("/tickets/{ticket_id}/forecast", responses=refusals(404))
async def ticket_forecast(ticket_id: str, ctx: Ctx) -> dict[str, Any]:
    """When the ticket will be called, by the twin run from the live queue: ``p50`` and ``p90``
    (hall-local times; null when not called before closing that often) and ``not_called``, the
    chance of not being called today. ``forecast`` is null once the ticket is no longer waiting."""
    found = await _run(ctx.forecasts.of_ticket, ticket_id)
    return {"ticket_id": ticket_id, "forecast": _forecast_json(ctx, found) if found else None}


@api.get("/services/{service}/forecasts", responses=refusals(404))
async def service_forecasts(service: str, ctx: Ctx) -> dict[str, Any]:
    """Forecasts of every waiting ticket of a service, keyed as ``/positions`` keys them."""
    if ctx.deps.hall.service(service) is None:
        raise NotFound(
            "unknown_service", f"Layanan '{service}' tidak dikenal", f"Unknown service '{service}'"
        )
    found = await _run(ctx.forecasts.of_service, service)
    return {
        "service": service,
        "forecasts": {ticket_key(t): _forecast_json(ctx, f) for t, f in found.items()},
    }


@pages.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/operator")


@pages.get("/operator")
async def operator_page() -> FileResponse:
    return FileResponse(STATIC / "operator.html")


def install(app: FastAPI) -> None:
    from services.counters.entrypoints import accounts_http

    app.include_router(api)
    app.include_router(accounts_http.router)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/shared", StaticFiles(directory=SHARED_STATIC), name="shared")


def _forecast_json(ctx: Context, f: Forecast) -> dict[str, Any]:
    hall = ctx.deps.hall
    return {
        "p50": hall.local(f.p50).isoformat() if f.p50 else None,
        "p90": hall.local(f.p90).isoformat() if f.p90 else None,
        "not_called": round(f.not_called, 3),
    }


def _ticket_json(ctx: Context, ticket: QueuedTicket) -> dict[str, Any]:
    service = ctx.deps.hall.service(ticket.service)
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "service_name": service.name if service else ticket.service,
        "agency": ticket.agency,
        "priority": ticket.priority.value,
        "state": ticket.state.value,
        "counter": ticket.counter,
        "recalls": ticket.recalls,
        "queued_at": ticket.queued_at.isoformat(),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "held_at": ticket.held_at.isoformat() if ticket.held_at else None,
    }


async def _station_json(ctx: Context, station: Station, *, with_ticket: bool = True) -> dict[str, Any]:
    hall = ctx.deps.hall
    counter = hall.counter(station.number)
    assert counter is not None
    body: dict[str, Any] = {
        "number": station.number,
        "name": counter.name,
        "zone": counter.zone,
        "services": [
            {"code": code, "name": s.name if (s := hall.service(code)) else code} for code in counter.services
        ],
        "state": station.state.value,
        "pause_reason": station.pause_reason,
        "officer": station.officer,
        "demo": ctx.demo,
        "max_recalls": hall.queue.max_recalls,
        "all_services": [{"code": s.code, "name": s.name, "agency": s.agency} for s in hall.services],
    }
    if with_ticket:
        current = await _run(queries.current_ticket, ctx.deps, station)
        counts = await _run(queries.waiting_counts, ctx.deps)
        aside = await _run(queries.aside, ctx.deps, station.number)
        body["ticket"] = _ticket_json(ctx, current) if current else None
        body["waiting"] = {code: counts.get(code, 0) for code in counter.services}
        body["held"] = [_ticket_json(ctx, t) for t in aside if t.state == State.HELD]
        body["passed"] = [_ticket_json(ctx, t) for t in aside if t.state != State.HELD]
    return body
