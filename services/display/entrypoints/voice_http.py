"""The hall's voice over HTTP: officers post service messages (``POST /api/v1/announcements``,
signed in at the counters: ``Authorization: Bearer <token>``), and enrolled speaker boards (their
device token) report what became of each announcement
(``POST /api/v1/zones/{zone}/announcements/{seq}/outcome``)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from antre import devices
from antre.people import signed_in
from antre.refusals import refusals
from antre.roles import Person, Role
from services.display import handlers
from services.display.domain.announcements import Caller

router = APIRouter(prefix="/api/v1", tags=["display"])


async def _caller(request: Request, person: Annotated[Person, Depends(signed_in(Role.OFFICER))]) -> Caller:
    """A signed-in person (an officer or above), as the counters know them."""
    return Caller(person.username, person.agency)


async def board_token(authorization: Annotated[str, Header()] = "") -> str:
    """An enrolled board's device token (checked by the handler in its own transaction)."""
    return devices.bearer_of(authorization)


class Message(BaseModel):
    """Exactly one of ``template`` (a hall file message, e.g. "break") and ``text`` (free text,
    said in Indonesian). ``zones``: empty for every zone the officer may address."""

    zones: list[str] = Field(default_factory=list, max_length=50)
    template: str | None = Field(default=None, min_length=1, max_length=64)
    text: str | None = Field(default=None, max_length=1000)  # the handler says what fits
    counter: int | None = Field(default=None, ge=1, le=100_000)


class Outcome(BaseModel):
    outcome: Literal["spoken", "stale"]
    via: Literal["clips", "speech", ""] = ""
    started_at: dt.datetime | None = None  # the board's reading of the server's clock


@router.post("/announcements", status_code=201, responses=refusals(401, 403, (404, "Unknown zone"), 429, 503))
async def post_message(
    body: Message, request: Request, caller: Annotated[Caller, Depends(_caller)]
) -> dict[str, Any]:
    """A service message ahead of the waiting calls of its zones; never cuts one being said."""
    ctx = request.app.state.ctx
    decisions = await asyncio.to_thread(
        handlers.post_message, ctx.deps, caller, body.zones, body.template, body.text, body.counter
    )
    now = ctx.deps.uow.clock()
    return {
        "posted_by": caller.username,
        "announcements": [ctx.announcement_json(d.entries[0], now) for d in decisions],
    }


@router.post(
    "/zones/{zone}/announcements/{seq}/outcome",
    responses={
        202: {"description": "A later report of the same announcement: not counted"},
        **refusals((401, "No enrolled board's token"), (404, "Unknown zone or announcement"), 409),
    },
)
async def outcome(
    zone: str, seq: int, body: Outcome, request: Request, token: Annotated[str, Depends(board_token)]
) -> JSONResponse:
    """An enrolled board: it began (``spoken``) or gave up (``stale``) an announcement. Only the
    first report counts (202 for a later one): the arbiter's decisions are measured, not trusted."""
    ctx = request.app.state.ctx
    at = body.started_at.astimezone(dt.UTC) if body.started_at and body.started_at.tzinfo else None
    first = await asyncio.to_thread(handlers.report, ctx.deps, zone, seq, body.outcome, body.via, at, token)
    return JSONResponse({"zone": zone, "seq": seq, "counted": first}, status_code=200 if first else 202)
