"""Ticketing's HTTP API (``/api/v1``) and pages: the kiosk, the printable ticket, the citizen's
status page, the booking page and the help desk's booking page."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from antre import devices, sse
from antre.hall.model import Hall
from antre.problems import Refused, Unavailable
from antre.refusals import refusals
from services.ticketing import handlers
from services.ticketing.adapters import printer
from services.ticketing.adapters.positions import Positions
from services.ticketing.domain import bookings, hours, wayfinding
from services.ticketing.domain.tickets import FINAL, State, Ticket
from services.ticketing.entrypoints.spoken import spoken_number

STATIC = Path(__file__).parent / "static"
SHARED_STATIC = Path(__file__).parents[3] / "antre" / "static"


class IssueRequest(BaseModel):
    service: str = Field(min_length=1, max_length=64, description="Service code")
    priority: str = Field(
        default="none", max_length=16, description="none, elderly, disability, pregnant, child"
    )
    kiosk: str = Field(default="", max_length=64, description="Kiosk id; empty: the hall's first kiosk")


class Context:
    """What the routes need, set on ``app.state.ctx`` by bootstrap."""

    def __init__(
        self,
        deps: handlers.Deps,
        public_url: str,
        positions: Positions,
        demo: bool,
        nik_secret: bytes = b"",
        api_keys: dict[str, str] | None = None,
        survey_url: str = "",
        voice_url: str = "",
    ) -> None:
        self.deps = deps
        self.public_url = public_url.rstrip("/")
        self.positions = positions
        self.demo = demo
        self.nik_secret = nik_secret
        self.api_keys = api_keys or {}
        self.survey_url = survey_url  # the SKM survey's address template (Settings.survey_url)
        self.voice_url = voice_url  # the display's voice pack as kiosks reach it (Settings.voice_url)


async def _ctx(request: Request) -> Context:
    # async: FastAPI runs a plain def dependency in its thread pool, a hop on every request.
    ctx: Context = request.app.state.ctx
    return ctx


async def _kiosk_token(authorization: Annotated[str, Header()] = "") -> str:
    """A kiosk's device token (checked by the handler in its own transaction)."""
    return devices.bearer_of(authorization)


Ctx = Annotated[Context, Depends(_ctx)]
KioskToken = Annotated[str, Depends(_kiosk_token)]
KIOSK_REFUSALS = refusals(
    (401, "No enrolled kiosk's token"),
    (403, "Another kiosk's ticket"),
    404,
    (409, "The print is no longer awaited"),
)
api = APIRouter(prefix="/api/v1", tags=["ticketing"])
pages = APIRouter(include_in_schema=False)


@api.get("/hall")
async def hall(ctx: Ctx) -> dict[str, Any]:
    """The hall as the kiosk shows it: agencies, services with their published standard, and
    whether numbers are being issued right now."""
    h = ctx.deps.hall
    return {
        "id": h.id,
        "name": h.name,
        "timezone": h.timezone,
        "demo": ctx.demo,
        "issuing": issuing_json(h, ctx.deps.uow.clock(), always_open=ctx.deps.always_open),
        "booking_url": f"{ctx.public_url}/booking" if any(s.booking for s in h.services) else "",
        "voice_url": ctx.voice_url,  # empty: the kiosk's spoken guidance uses the browser's speech
        "agencies": [{"code": a.code, "name": a.name, "name_en": a.name_en} for a in h.agencies],
        "services": [
            {
                "code": s.code,
                "name": s.name,
                "name_en": s.name_en,
                "agency": s.agency,
                "prefix": s.prefix,
                "bookable": s.booking is not None,
                **_zone_json(h, s.code),
                "standard": {
                    "requirements": list(s.standard.requirements),
                    "procedure": s.standard.procedure,
                    "time_to_complete": s.standard.time_to_complete,
                    "fee_idr": s.standard.fee_idr,
                    "fee_assessed": s.standard.fee_assessed,
                    "product": s.standard.product,
                    "complaints": s.standard.complaints,
                    "en": dataclasses.asdict(s.standard.en),
                },
            }
            for s in h.services
        ],
        "kiosks": [{"id": k.id, "name": k.name, "printer": k.printer} for k in h.kiosks],
        "priority_groups": ["none", "elderly", "disability", "pregnant", "child"],
    }


def issuing_json(hall: Hall, now: dt.datetime, *, always_open: bool = False) -> dict[str, Any]:
    """Whether numbers are issued now; when not, why (``code``, ``message``, ``message_en``) and
    when they next are (``next_opening``, hall time, or null when not within a month)."""
    local = hall.local(now)
    try:
        hours.check_issuing(hall.hours, local, always_open=always_open)
    except Refused as refusal:
        opening = hours.next_opening(hall.hours, local)
        return {
            "open": False,
            "code": refusal.code,
            "message": refusal.message,
            "message_en": refusal.message_en,
            "next_opening": opening.isoformat() if opening else None,
        }
    return {"open": True}


@api.get("/queues")
async def queues(ctx: Ctx, response: Response) -> dict[str, Any]:
    """For the kiosk before a number is taken: per service, how many wait (``waiting``) and the
    forecast at the back of its line (``forecast``: hall-local ``p50``/``p90`` of the last in
    line, or null), as the status page shows a ticket's. Counts and times only, nothing of any
    citizen; one answer for every caller for a few seconds. ``services`` is empty when the
    counters cannot be asked."""
    codes = [s.code for s in ctx.deps.hall.services]
    found = await ctx.positions.summary(codes)
    response.headers["Cache-Control"] = "public, max-age=10"
    return {"services": found or {}}


@api.post(
    "/tickets",
    status_code=201,
    responses=refusals(
        (401, "No enrolled kiosk's token"),
        (404, "Unknown service or kiosk"),
        (409, "Not now: the hall is closed, past its cutoff, or the quota is used up"),
        (429, "This kiosk issues faster than a person can take numbers"),
        (503, "The kiosk's network printer cannot be reached: the number was cancelled"),
    ),
)
async def issue(
    body: IssueRequest,
    ctx: Ctx,
    token: KioskToken,
    idempotency_key: Annotated[
        str,
        Header(
            max_length=64,
            pattern=r"^[A-Za-z0-9_.:-]*$",
            description="Sent again with a retry: the retry gets the ticket the first try made",
        ),
    ] = "",
) -> JSONResponse:
    """An enrolled kiosk (its token as ``Authorization: Bearer``): take a number. Each kiosk
    issues at most ``ANTRE_KIOSK_TICKETS_PER_MINUTE`` a minute (429 ``kiosk_too_fast``). With a
    printer at the kiosk the ticket is callable only once its print is confirmed
    (``POST /tickets/{id}/printed``) or, for a network printer, once it printed."""
    cmd = handlers.IssueTicket(
        service=body.service,
        priority=body.priority,
        kiosk=body.kiosk,
        device_token=token,
        idempotency_key=idempotency_key,
    )
    with ctx.deps.metrics.issue_seconds.time():  # request in to committed (not the printing)
        ticket = await asyncio.to_thread(handlers.issue, ctx.deps, cmd)
    return JSONResponse(ticket_json(ctx, await print_if_networked(ctx, ticket)), 201)


async def print_if_networked(ctx: Context, ticket: Ticket) -> Ticket:
    """A kiosk with a network printer prints here; the ticket is callable once it printed."""
    kiosk = ctx.deps.hall.kiosk(ticket.kiosk)
    if kiosk is None or kiosk.printer != "network" or ticket.state != State.PRINTING:
        return ticket
    return await asyncio.to_thread(_print_on_network, ctx, ticket, kiosk.printer_host, kiosk.printer_port)


def _print_on_network(ctx: Context, ticket: Ticket, host: str, port: int) -> Ticket:
    try:
        printer.send(host, port, _escpos(ctx, ticket))
    except OSError:
        handlers.cancel_print(ctx.deps, ticket.id, "print_failed")
        raise Unavailable(
            "printer_unreachable",
            "Printer tidak dapat dihubungi; nomor dibatalkan, silakan coba lagi atau hubungi petugas",
            "The printer cannot be reached; the number was cancelled, please try again or ask staff",
        ) from None
    except Exception:
        # A ticket that could not be drawn was never printed: cancel it now rather than leave its
        # number and walk-in place held until the print timeout.
        handlers.cancel_print(ctx.deps, ticket.id, "print_failed")
        raise
    return handlers.confirm_print(ctx.deps, ticket.id)


@api.get("/tickets/{ticket_id}", responses=refusals(404))
async def status(ticket_id: str, ctx: Ctx) -> dict[str, Any]:
    ticket = await asyncio.to_thread(handlers.get, ctx.deps, ticket_id)
    return await _status_json(ctx, ticket)


@api.post(
    "/tickets/{ticket_id}/printed",
    responses=KIOSK_REFUSALS,
)
async def printed(ticket_id: str, ctx: Ctx, token: KioskToken) -> dict[str, Any]:
    """The kiosk that issued the ticket: its print came out."""
    ticket = await asyncio.to_thread(handlers.confirm_print, ctx.deps, ticket_id, token)
    return ticket_json(ctx, ticket)


@api.post(
    "/tickets/{ticket_id}/print-failed",
    responses=KIOSK_REFUSALS,
)
async def print_failed(ticket_id: str, ctx: Ctx, token: KioskToken) -> dict[str, Any]:
    """The kiosk that issued the ticket: its print failed; the number is cancelled."""
    ticket = await asyncio.to_thread(handlers.cancel_print, ctx.deps, ticket_id, "print_failed", token)
    return ticket_json(ctx, ticket)


@api.get(
    "/tickets/{ticket_id}/escpos",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **refusals(404)},
)
async def escpos(ticket_id: str, ctx: Ctx) -> Response:
    """The ticket as ESC/POS bytes, for a kiosk that drives a USB printer itself."""
    ticket = await asyncio.to_thread(handlers.get, ctx.deps, ticket_id)
    return Response(_escpos(ctx, ticket), media_type="application/octet-stream")


@api.get(
    "/tickets/{ticket_id}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **refusals(404)},
)
async def qr(ticket_id: str, ctx: Ctx) -> Response:
    ticket = await asyncio.to_thread(handlers.get, ctx.deps, ticket_id)
    out = io.BytesIO()  # a standalone SVG (with its namespace), so an <img> can show it
    segno.make(_status_url(ctx, ticket), error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return Response(out.getvalue(), media_type="image/svg+xml")


@api.get("/tickets/{ticket_id}/events", responses=refusals(404))
async def events(ticket_id: str, request: Request, ctx: Ctx) -> Response:
    """Live status (server-sent events): a fresh status whenever the ticket or its queue moves."""
    ticket = await asyncio.to_thread(handlers.get, ctx.deps, ticket_id)

    async def stream() -> AsyncIterator[str]:
        live = ctx.deps.live
        service = ticket.service
        last: dict[str, Any] | None = None
        # A transfer moves the ticket to another service's line: follow that line from then on.
        while True:
            async with live.listen(f"ticket:{ticket_id}") as mine, live.listen(f"service:{service}") as queue:
                while not await request.is_disconnected():
                    current = await _status_json(
                        ctx, await asyncio.to_thread(handlers.get, ctx.deps, ticket_id)
                    )
                    if current != last:
                        yield sse.frame(current, "status")
                        last = current
                    if current["state"] in {s.value for s in FINAL}:
                        return
                    if current["service"] != service:
                        service = current["service"]
                        break
                    changed = await _first_of(mine, queue)
                    if changed is None:
                        yield sse.HEARTBEAT
                else:
                    return

    return sse.response(stream())


async def _first_of(*queues: asyncio.Queue[Any]) -> Any | None:
    waiters = [asyncio.create_task(sse.next_or_heartbeat(q)) for q in queues]
    done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return next(iter(done)).result()


# ---- pages ----


@pages.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/kiosk")


@pages.get("/kiosk")
async def kiosk_page() -> FileResponse:
    return FileResponse(STATIC / "kiosk.html")


@pages.get("/booking")
async def booking_page() -> FileResponse:
    return FileResponse(STATIC / "booking.html")


@pages.get("/booking/qr.svg", response_class=Response)
async def booking_page_qr(ctx: Ctx) -> Response:
    """The booking page's address as a QR code: a closed kiosk shows it, so that a citizen who
    came out of hours can book from their phone on the spot."""
    out = io.BytesIO()
    segno.make_qr(f"{ctx.public_url}/booking", error="m").save(
        out, kind="svg", scale=6, border=2, xmldecl=False
    )
    return Response(out.getvalue(), media_type="image/svg+xml")


@pages.get("/booking/{code}/qr.svg", response_class=Response)
async def booking_qr(code: str) -> Response:
    """The booking code as a QR code, for the confirmation screen and its printout: a kiosk's
    scanner types the code as if it had been keyed in. Never a Micro QR (which segno picks for
    text this short): most phone cameras and kiosk scanners do not read those."""
    out = io.BytesIO()
    segno.make_qr(bookings.parse_booking_code(code), error="m").save(
        out, kind="svg", scale=6, border=2, xmldecl=False
    )
    return Response(out.getvalue(), media_type="image/svg+xml")


@pages.get("/helpdesk")
async def helpdesk_page() -> FileResponse:
    """The booking page in its help-desk mode (it reads its own path): one page for both."""
    return FileResponse(STATIC / "booking.html")


@pages.get("/tickets/{ticket_id}/print")
async def print_page(ticket_id: str) -> FileResponse:
    return FileResponse(STATIC / "ticket.html")


@pages.get("/t/{ticket_id}")
async def status_page(ticket_id: str) -> FileResponse:
    return FileResponse(STATIC / "status.html")


def install(app: FastAPI) -> None:
    app.include_router(api)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/shared", StaticFiles(directory=SHARED_STATIC), name="shared")


# ---- shapes ----


def _status_url(ctx: Context, ticket: Ticket) -> str:
    return f"{ctx.public_url}/t/{ticket.id}"


def _survey_url(ctx: Context, ticket: Ticket) -> str:
    """The SKM survey of a completed ticket, or "": only a citizen who was served rates the service."""
    if not ctx.survey_url or ticket.state != State.COMPLETED:
        return ""
    ticket_id = quote(ticket.id, safe="")
    if "{ticket}" in ctx.survey_url:
        return ctx.survey_url.replace("{ticket}", ticket_id)
    return f"{ctx.survey_url}{'&' if '?' in ctx.survey_url else '?'}ticket={ticket_id}"


def _escpos(ctx: Context, ticket: Ticket) -> bytes:
    hall = ctx.deps.hall
    service = hall.service(ticket.service)
    assert service is not None
    local = hall.local(ticket.created_at).strftime("%d-%m-%Y %H:%M")
    return printer.render(hall, service, ticket, _status_url(ctx, ticket), local)


def ticket_json(ctx: Context, ticket: Ticket) -> dict[str, Any]:
    hall = ctx.deps.hall
    service = hall.service(ticket.service)
    agency = hall.agency(ticket.agency)
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "service_name": service.name if service else ticket.service,
        "service_name_en": service.name_en if service else "",
        "agency": ticket.agency,
        "agency_name": agency.name if agency else ticket.agency,
        "priority": ticket.priority.value,
        "state": ticket.state.value,
        "hall_day": ticket.hall_day.isoformat(),
        "created_at": _local_iso(ctx, ticket.created_at),
        "issued_at": _local_iso(ctx, ticket.issued_at),
        "counter": ticket.counter,
        "counter_name": ticket.counter_name,
        # When the counter last called it: a recall changes it, so the status page says it again.
        "called_at": _local_iso(ctx, ticket.updated_at) if ticket.state == State.CALLED else None,
        **_zone_json(hall, ticket.service),
        "transferred": ticket.transferred,
        "kiosk": ticket.kiosk,
        "status_url": _status_url(ctx, ticket),
        "survey_url": _survey_url(ctx, ticket),
        "print_url": f"/tickets/{ticket.id}/print",
        "hall_name": hall.name,
        "demo": ctx.demo,
        "spoken": spoken_number(ticket.number),  # the kiosk's spoken guidance says it as boards do
    }


def _zone_json(hall: Hall, service: str) -> dict[str, str]:
    """Where the service's citizens wait (its zone's code and names), or empty strings."""
    zone = wayfinding.waiting_zone(hall, service)
    if zone is None:
        return {"zone": "", "zone_name": "", "zone_name_en": ""}
    return {"zone": zone.code, "zone_name": zone.name, "zone_name_en": zone.name_en}


def _local_iso(ctx: Context, moment: dt.datetime | None) -> str | None:
    return ctx.deps.hall.local(moment).isoformat() if moment else None


async def _status_json(ctx: Context, ticket: Ticket) -> dict[str, Any]:
    body = ticket_json(ctx, ticket)
    body["position"] = None
    body["forecast"] = None
    if ticket.state.value == "waiting":
        body["position"] = await ctx.positions.of(ticket.id, ticket.service)
        body["forecast"] = await ctx.positions.forecast_of(ticket.id, ticket.service)
    return body
