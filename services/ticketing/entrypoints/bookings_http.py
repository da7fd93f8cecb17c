"""The booking API (``/api/v1``): sessions and places left, booking, looking up, cancelling,
moving, and checking in at the kiosk. The same routes serve the booking page, the help desk and
agencies' own systems (those with an ``X-Api-Key``); docs/agency-api.md is their guide.

Every answer has a declared shape, errors included, so the published OpenAPI document is the
contract agencies build against: a field is never removed or changed within ``/api/v1``."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from antre.client_address import request_client
from antre.problems import Forbidden, Unauthorized
from antre.refusals import Problem
from services.ticketing.adapters.phone_codes import PhoneCodes
from services.ticketing.domain.bookings import DayPool
from services.ticketing.domain.citizen_bookings import Booking
from services.ticketing.domain.tickets import resolve_priority
from services.ticketing.entrypoints.http import Context, KioskToken, _ctx, print_if_networked, ticket_json
from services.ticketing.handlers import bookings, check_ins, queries
from services.ticketing.handlers.limits import Limits

Ctx = Annotated[Context, Depends(_ctx)]
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_YYYY_MM_DD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD``. Pydantic would also read a number as seconds since 1970 (``?day=0``
    was 1 January 1970) and a date-time as its date: a typo must be refused, not guessed at."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not (isinstance(value, str) and _YYYY_MM_DD.fullmatch(value)):
        raise ValueError("tanggal harus YYYY-MM-DD / a date must be YYYY-MM-DD")
    return dt.date.fromisoformat(value)


Day = Annotated[dt.date, BeforeValidator(_iso_day), Field(description="YYYY-MM-DD, the hall's calendar")]


_REFUSALS = {
    401: "Unknown API key, or (check-in) no enrolled kiosk's token",
    403: "The key may not do this (another agency's service or the help desk's action), or the NIK does "
    "not match, or (online booking) the phone's code is missing, wrong or no longer valid",
    404: "Unknown service or booking code",
    409: "Not possible now: session full or started, quota used up, booking not active, ...",
    422: "Invalid request: a field is missing or malformed",
    429: "Too many requests from this client, key or phone this minute (too_many_requests); too many "
    "wrong codes or NIKs from this client this hour (too_many_wrong_niks); or the booking code is "
    "locked after wrong NIKs until the help desk unlocks it (code_locked)",
    503: "The kiosk's printer cannot be reached, or verification codes cannot be sent now",
}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The refusals a route may answer, in the shape every refusal has."""
    return {status: {"model": Problem, "description": _REFUSALS[status]} for status in statuses}


router = APIRouter(prefix="/api/v1", tags=["bookings"])


class Caller(BaseModel):
    client: str
    channel: str
    agency: str = ""


_API_KEY = APIKeyHeader(
    name="X-Api-Key",
    auto_error=False,
    description="An agency's or help desk's key (ANTRE_API_KEYS); none for the public booking page",
)


async def _caller(request: Request, x_api_key: Annotated[str | None, Depends(_API_KEY)] = None) -> Caller:
    ctx: Context = request.app.state.ctx
    if x_api_key:
        name = ctx.api_keys.get(x_api_key)
        if name is None:
            raise Unauthorized("bad_api_key", "Kunci API tidak dikenal", "Unknown API key")
        if name == "helpdesk":
            return Caller(client=f"key:{name}", channel="staff")
        return Caller(client=f"key:{name}", channel="agency", agency=name)
    return Caller(client=f"ip:{request_client(request)}", channel="online")


Who = Annotated[Caller, Depends(_caller)]


class BookRequest(BaseModel):
    service: str = Field(min_length=1, max_length=64)
    day: Day
    session: str = Field(pattern=HHMM, description="Session start, HH:MM in the hall's time zone")
    nik: str = Field(min_length=16, max_length=24, description="16-digit NIK; stored only as a keyed hash")
    name: str = Field(min_length=1, max_length=128)
    phone: str = Field(min_length=8, max_length=20)
    email: str = Field(default="", max_length=254)
    language: str = Field(default="id", pattern="^(id|en)$")
    code_id: str = Field(
        default="", max_length=64, description="The booking page's: the id POST /api/v1/phone-codes answered"
    )
    code: str = Field(default="", max_length=16, description="The code sent to the phone")


class CodeRequest(BaseModel):
    phone: str = Field(min_length=8, max_length=20)
    language: str = Field(default="id", pattern="^(id|en)$")


class CodeSent(BaseModel):
    required: bool = Field(description="False: this hall takes online bookings without a code")
    id: str = ""
    expires_in: int = 0
    demo_messages: str = Field(default="", description="A demo hall only: where its sent codes show")


class Owner(BaseModel):
    nik: str = Field(min_length=16, max_length=24)


class Move(Owner):
    day: Day
    session: str = Field(pattern=HHMM)


class CheckIn(BaseModel):
    kiosk: str = Field(default="", max_length=64)
    priority: str = Field(
        default="none",
        max_length=16,
        description="Declared on arrival, as for a walk-in: none, elderly, disability, pregnant, child",
    )


class PoolOut(BaseModel):
    """A service's numbers for one day: what is left online and for walk-ins (one pool)."""

    daily_quota: int
    online_quota: int
    online_left: int
    walk_in_left: int


class DayPoolOut(PoolOut):
    service: str
    day: dt.date


class SessionOut(BaseModel):
    start: str = Field(description="HH:MM, hall time")
    end: str = Field(description="HH:MM, hall time")
    capacity: int
    left: int


class DayOut(BaseModel):
    day: dt.date
    pool: PoolOut
    sessions: list[SessionOut]


class SessionsOut(BaseModel):
    service: str
    days: list[DayOut]


class BookingOut(BaseModel):
    id: str
    code: str = Field(description="8 characters; the citizen shows it at the kiosk")
    service: str
    service_name: str
    agency: str
    day: dt.date
    session_start: str = Field(description="HH:MM, hall time")
    session_end: str = Field(description="HH:MM, hall time")
    nik: str = Field(description="Masked; the full NIK is never shown or stored")
    name: str
    state: Literal["booked", "checked_in", "cancelled", "no_show"]
    ticket_id: str | None = Field(description="The ticket of a checked-in booking (GET /api/v1/tickets/{id})")


class TicketOut(BaseModel):
    """A ticket as the kiosk and the status page show it (more fields may be added)."""

    model_config = ConfigDict(extra="allow")
    id: str
    number: str
    service: str
    agency: str
    state: str
    hall_day: dt.date
    counter: int | None
    status_url: str


@router.get("/services/{service}/sessions", response_model=SessionsOut, responses=refusals(404, 409, 422))
async def sessions(service: str, ctx: Ctx) -> dict[str, Any]:
    """Bookable days of a service: the day's pool (what is left online and at the kiosk) and each
    session's places left."""
    days = await asyncio.to_thread(queries.availability, ctx.deps, service)
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


@router.get("/services/{service}/pool", response_model=DayPoolOut, responses=refusals(404, 409, 422))
async def pool(service: str, day: Annotated[Day, Query()], ctx: Ctx) -> dict[str, Any]:
    """The day's one pool: the kiosk and the booking page read these same figures."""
    return {
        "service": service,
        "day": day.isoformat(),
        **_pool_json(await asyncio.to_thread(queries.pool, ctx.deps, service, day)),
    }


def _phone_codes(request: Request) -> PhoneCodes | None:
    return getattr(request.app.state, "phone_codes", None)


PhoneCheck = Annotated[PhoneCodes | None, Depends(_phone_codes)]


@router.post("/phone-codes", response_model=CodeSent, responses=refusals(401, 422, 429, 503))
async def phone_code(
    body: CodeRequest, request: Request, ctx: Ctx, who: Who, codes: PhoneCheck
) -> dict[str, Any]:
    """The booking page's first step: a one-time code sent to the phone (notify sends it), which
    the booking then carries. Limited per phone and per client; an API key needs none."""
    if codes is None:
        return {"required": False}
    sent = await asyncio.to_thread(codes.send, body.phone, who.client, body.language)
    # Only a demo hall's notify has the page, and only a demo hall's booking page names it.
    demo = f"{request.app.state.notify_url}/demo/messages" if ctx.demo else ""
    return {"required": True, "id": sent["id"], "expires_in": sent["expires_in"], "demo_messages": demo}


@router.post(
    "/bookings",
    status_code=201,
    response_model=BookingOut,
    responses=refusals(401, 403, 404, 409, 422, 429),
)
async def book(body: BookRequest, ctx: Ctx, who: Who, codes: PhoneCheck) -> dict[str, Any]:
    """Online (no key) and with the hall's phone check on, the body carries a code sent to its
    phone (``code_id`` and ``code``): a wrong one is counted, three kill it, a right one is spent."""
    service = ctx.deps.hall.service(body.service)
    _own_agency(who, service.agency if service else "")
    cmd = bookings.Book(
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
        code_id=body.code_id,
        code=body.code,
    )
    made = await asyncio.to_thread(bookings.book, ctx.deps, cmd, ctx.nik_secret, Limits(), codes)
    return booking_json(ctx, made)


@router.get("/bookings/{code}", response_model=BookingOut, responses=refusals(401, 404, 422, 429))
async def lookup(code: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Whoever holds the code. Unknown codes count against the client's wrong guesses this hour."""
    found = await asyncio.to_thread(bookings.lookup, ctx.deps, code, who.client, who.channel)
    return booking_json(ctx, found)


@router.post(
    "/bookings/{code}/cancel", response_model=BookingOut, responses=refusals(401, 403, 404, 409, 422, 429)
)
async def cancel(code: str, body: Owner, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Whoever holds the code and the NIK may cancel; an agency's key only its own bookings.
    Wrong NIKs are counted: five lock the code (``code_locked``) until the help desk unlocks it."""
    if who.agency:
        _own_agency(who, (await asyncio.to_thread(bookings.lookup, ctx.deps, code)).agency)
    owner = bookings.Owner(body.nik, who.client, who.channel)
    done = await asyncio.to_thread(bookings.cancel, ctx.deps, code, owner, ctx.nik_secret)
    return booking_json(ctx, done)


@router.post(
    "/bookings/{code}/reschedule",
    response_model=BookingOut,
    responses=refusals(401, 403, 404, 409, 422, 429),
)
async def reschedule(code: str, body: Move, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Another session, the same day or another; the old place is kept if the new one is refused.
    Wrong NIKs are counted as for a cancellation."""
    if who.agency:
        _own_agency(who, (await asyncio.to_thread(bookings.lookup, ctx.deps, code)).agency)
    moved = await asyncio.to_thread(
        bookings.reschedule,
        ctx.deps,
        code,
        bookings.Owner(body.nik, who.client, who.channel),
        ctx.nik_secret,
        body.day,
        dt.time.fromisoformat(body.session),
    )
    return booking_json(ctx, moved)


@router.post("/bookings/{code}/unlock", response_model=BookingOut, responses=refusals(401, 403, 404, 422))
async def unlock(code: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    """The help desk's key only: after seeing the citizen's KTP, a code locked by wrong NIKs
    takes NIKs again (the count starts from zero)."""
    if who.channel != "staff":
        raise Forbidden(
            "help_desk_only",
            "Hanya meja bantuan (kunci API helpdesk) yang dapat membuka kode reservasi yang terkunci",
            "Only the help desk (the helpdesk API key) can unlock a locked booking code",
        )
    return booking_json(ctx, await asyncio.to_thread(bookings.unlock, ctx.deps, code))


@router.post(
    "/bookings/{code}/check-in", response_model=TicketOut, responses=refusals(401, 403, 404, 409, 422, 503)
)
async def check_in(code: str, body: CheckIn, ctx: Ctx, token: KioskToken) -> dict[str, Any]:
    """An enrolled kiosk (its token as ``Authorization: Bearer``), where the citizen stands:
    scanning twice gives the same ticket."""
    priority = resolve_priority(body.priority)
    ticket = await asyncio.to_thread(check_ins.check_in, ctx.deps, code, body.kiosk, priority, token)
    return ticket_json(ctx, await print_if_networked(ctx, ticket))


def _own_agency(who: Caller, agency: str) -> None:
    if who.agency and agency and agency != who.agency:
        raise Forbidden(
            "other_agency",
            "Kunci API ini hanya untuk layanan instansinya",
            "This API key is for its own agency's services only",
        )


def _pool_json(pool: DayPool) -> dict[str, int]:
    return {
        "daily_quota": pool.daily_quota,
        "online_quota": pool.online_quota,
        "online_left": pool.online_left,
        "walk_in_left": pool.walk_in_left,
    }


def booking_json(ctx: Context, b: Booking) -> dict[str, Any]:
    """What a citizen may see of a booking: the NIK masked, never in full."""
    hall = ctx.deps.hall
    service = hall.service(b.service)
    return {
        "id": b.id,
        "code": b.code,
        "service": b.service,
        "service_name": service.name if service else b.service,
        "agency": b.agency,
        "day": b.day.isoformat(),
        "session_start": f"{hall.local(b.session_start):%H:%M}",
        "session_end": f"{hall.local(b.session_end):%H:%M}",
        "nik": b.nik_masked,
        "name": b.name,
        "state": b.state.value,
        "ticket_id": b.ticket_id or None,
    }
