"""The booking API (``/api/v1``): sessions and places left, booking, looking up, cancelling,
moving, and checking in at the kiosk. The same routes serve the booking page, the help desk and
agencies' own systems (those with an ``X-Api-Key``)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from antre.problems import Forbidden, Unauthorized
from services.ticketing import reservations
from services.ticketing.domain.bookings import DayPool
from services.ticketing.domain.reservations import Reservation
from services.ticketing.entrypoints.http import Context, _ctx, print_if_networked, ticket_json

Ctx = Annotated[Context, Depends(_ctx)]
router = APIRouter(prefix="/api/v1", tags=["bookings"])
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class Caller(BaseModel):
    client: str
    channel: str
    agency: str = ""


async def _caller(request: Request, x_api_key: Annotated[str, Header()] = "") -> Caller:
    ctx: Context = request.app.state.ctx
    if x_api_key:
        name = ctx.api_keys.get(x_api_key)
        if name is None:
            raise Unauthorized("bad_api_key", "Kunci API tidak dikenal", "Unknown API key")
        if name == "helpdesk":
            return Caller(client=f"key:{name}", channel="staff")
        return Caller(client=f"key:{name}", channel="agency", agency=name)
    host = request.client.host if request.client else "unknown"
    return Caller(client=f"ip:{host}", channel="online")


Who = Annotated[Caller, Depends(_caller)]


class BookRequest(BaseModel):
    service: str = Field(min_length=1, max_length=64)
    day: dt.date
    session: str = Field(pattern=HHMM, description="Session start, HH:MM in the hall's time zone")
    nik: str = Field(min_length=16, max_length=24, description="16-digit NIK; stored only as a keyed hash")
    name: str = Field(min_length=1, max_length=128)
    phone: str = Field(min_length=8, max_length=20)
    email: str = Field(default="", max_length=254)
    language: str = Field(default="id", pattern="^(id|en)$")


class Owner(BaseModel):
    nik: str = Field(min_length=16, max_length=24)


class Move(Owner):
    day: dt.date
    session: str = Field(pattern=HHMM)


class CheckIn(BaseModel):
    kiosk: str = Field(default="", max_length=64)


@router.get("/services/{service}/sessions")
async def sessions(service: str, ctx: Ctx) -> dict[str, Any]:
    """Bookable days of a service: the day's pool (what is left online and at the kiosk) and each
    session's places left."""
    days = await asyncio.to_thread(reservations.availability, ctx.deps, service)
    return {
        "service": service,
        "days": [
            {
                "day": day.isoformat(),
                "pool": _pool_json(pool),
                "sessions": [
                    {
                        "start": f"{s.start:%H:%M}",
                        "end": f"{s.end:%H:%M}",
                        "capacity": s.capacity,
                        "left": s.left,
                    }
                    for s in views
                ],
            }
            for day, pool, views in days
        ],
    }


@router.get("/services/{service}/pool")
async def pool(service: str, day: dt.date, ctx: Ctx) -> dict[str, Any]:
    """The day's one pool: the kiosk and the booking page read these same figures."""
    return {
        "service": service,
        "day": day.isoformat(),
        **_pool_json(await asyncio.to_thread(reservations.pool, ctx.deps, service, day)),
    }


@router.post("/bookings", status_code=201)
async def book(body: BookRequest, ctx: Ctx, who: Who) -> JSONResponse:
    service = ctx.deps.hall.service(body.service)
    if who.agency and service is not None and service.agency != who.agency:
        raise Forbidden(
            "other_agency",
            "Kunci API ini hanya untuk layanan instansinya",
            "This API key books its own agency's services only",
        )
    cmd = reservations.Book(
        service=body.service,
        day=body.day,
        session=dt.time.fromisoformat(body.session),
        nik=body.nik,
        name=body.name,
        phone=body.phone,
        email=body.email,
        language=body.language,
        channel=who.channel,
        client=who.client,
    )
    made = await asyncio.to_thread(reservations.book, ctx.deps, cmd, ctx.nik_secret)
    return JSONResponse(reservation_json(ctx, made), 201)


@router.get("/bookings/{code}")
async def lookup(code: str, ctx: Ctx) -> dict[str, Any]:
    return reservation_json(ctx, await asyncio.to_thread(reservations.lookup, ctx.deps, code))


@router.post("/bookings/{code}/cancel")
async def cancel(code: str, body: Owner, ctx: Ctx) -> dict[str, Any]:
    done = await asyncio.to_thread(reservations.cancel, ctx.deps, code, body.nik, ctx.nik_secret)
    return reservation_json(ctx, done)


@router.post("/bookings/{code}/reschedule")
async def reschedule(code: str, body: Move, ctx: Ctx) -> dict[str, Any]:
    moved = await asyncio.to_thread(
        reservations.reschedule,
        ctx.deps,
        code,
        body.nik,
        ctx.nik_secret,
        body.day,
        dt.time.fromisoformat(body.session),
    )
    return reservation_json(ctx, moved)


@router.post("/bookings/{code}/check-in")
async def check_in(code: str, body: CheckIn, ctx: Ctx) -> dict[str, Any]:
    """Scanning twice gives the same ticket."""
    ticket = await asyncio.to_thread(reservations.check_in, ctx.deps, code, body.kiosk)
    return ticket_json(ctx, await print_if_networked(ctx, ticket))


def _pool_json(pool: DayPool) -> dict[str, int]:
    return {
        "daily_quota": pool.daily_quota,
        "online_quota": pool.online_quota,
        "online_left": pool.online_left,
        "walk_in_left": pool.walk_in_left,
    }


def reservation_json(ctx: Context, r: Reservation) -> dict[str, Any]:
    """What a citizen may see of a booking: the NIK masked, never in full."""
    hall = ctx.deps.hall
    service = hall.service(r.service)
    return {
        "id": r.id,
        "code": r.code,
        "service": r.service,
        "service_name": service.name if service else r.service,
        "agency": r.agency,
        "day": r.day.isoformat(),
        "session_start": f"{hall.local(r.session_start):%H:%M}",
        "session_end": f"{hall.local(r.session_end):%H:%M}",
        "nik": r.nik_masked,
        "name": r.name,
        "state": r.state.value,
        "ticket_id": r.ticket_id or None,
    }
