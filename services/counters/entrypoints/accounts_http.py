"""People's accounts over HTTP (``/api/v1``): signing in and out, one's own password, and the
accounts a supervisor, manager or admin looks after (:mod:`services.counters.handlers.accounts` says who
may change whose). Every route names its caller: signing in is public and slowed down after
failures; the rest need a signed-in person, and the account routes a supervisor or above."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field

from antre.client_address import request_client
from antre.problems import TooMany
from antre.refusals import refusals
from antre.roles import parse_role
from services.counters import handlers
from services.counters.adapters.accounts import Account
from services.counters.domain.stations import Officer
from services.counters.entrypoints.http import Ctx, CurrentOfficer, _run, _token
from services.counters.handlers import accounts

router = APIRouter(prefix="/api/v1", tags=["accounts"])
BLOCKED_ANSWER_DELAY = 1.0  # seconds
USERNAME = r"^[a-z0-9][a-z0-9._-]{0,63}$"


class SignIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class NewPassword(BaseModel):
    current: str = Field(min_length=1, max_length=256)
    new: str = Field(min_length=10, max_length=256)


class AccountIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    agency: str = Field(default="", max_length=64, description="Agency code; empty: the whole hall")
    role: str = Field(default="officer", description="officer, supervisor, manager or admin")
    password: str | None = Field(
        default=None, min_length=10, max_length=256, description="Required for a new account"
    )


@router.post("/sessions", responses=refusals((401, "Wrong username or password, or a disabled account"), 429))
async def sign_in(body: SignIn, request: Request, ctx: Ctx) -> dict[str, Any]:
    """Public. After three failures in a row, a username and a client wait, twice as long each
    time (429 ``sign_in_blocked`` with ``retry_after``)."""
    client = request_client(request)
    try:
        accounts.check_not_blocked_here(ctx.deps, body.username, client)  # no thread for a guesser
    except TooMany:
        # A blocked guesser waits for the answer: one that sends its next guess when the last is
        # answered then costs the hall a request a second, not hundreds (officers share the CPU).
        await asyncio.sleep(BLOCKED_ANSWER_DELAY)
        raise
    token, officer = await _run(accounts.sign_in, ctx.deps, body.username, body.password, client)
    return {"token": token, "officer": officer_json(officer)}


@router.delete("/sessions/current", status_code=204, responses=refusals(401))
async def sign_out(ctx: Ctx, token: Annotated[str, Depends(_token)]) -> Response:
    """A signed-in person."""
    await _run(handlers.sign_out, ctx.deps, token)
    return Response(status_code=204)


@router.get("/me", responses=refusals(401))
async def me(officer: CurrentOfficer) -> dict[str, Any]:
    """A signed-in person: who they are and their role (other services ask this)."""
    return officer_json(officer)


@router.put(
    "/me/password", status_code=204, responses=refusals((401, "Not signed in, or a wrong current password"))
)
async def change_password(body: NewPassword, ctx: Ctx, token: Annotated[str, Depends(_token)]) -> Response:
    """A signed-in person, with their current password; their other sessions end."""
    await _run(accounts.change_own_password, ctx.deps, token, body.current, body.new)
    return Response(status_code=204)


@router.get("/officers", responses=refusals(401, 403))
async def list_officers(ctx: Ctx, actor: CurrentOfficer) -> dict[str, Any]:
    """A supervisor (their agency's accounts), a manager or an admin (every account)."""
    found = await _run(accounts.list_accounts, ctx.deps, actor)
    return {"officers": [account_json(a) for a in found]}


@router.put("/officers/{username}", responses=refusals(401, 403))
async def save_officer(
    username: Annotated[str, Path(pattern=USERNAME)], body: AccountIn, ctx: Ctx, actor: CurrentOfficer
) -> dict[str, Any]:
    """Create or change an account: an admin any; a manager those below a manager; a supervisor
    their agency's officers. A new password ends every session of the account."""
    officer = Officer(username, body.name, body.agency, parse_role(body.role))
    saved = await _run(accounts.save_officer, ctx.deps, actor, officer, body.password)
    return officer_json(saved)


@router.post("/officers/{username}/disable", status_code=204, responses=refusals(401, 403, 404))
async def disable(username: str, ctx: Ctx, actor: CurrentOfficer) -> Response:
    """As for changing the account. Every session of it ends at once."""
    await _run(accounts.set_disabled, ctx.deps, actor, username, True)
    return Response(status_code=204)


@router.post("/officers/{username}/enable", status_code=204, responses=refusals(401, 403, 404))
async def enable(username: str, ctx: Ctx, actor: CurrentOfficer) -> Response:
    """As for changing the account."""
    await _run(accounts.set_disabled, ctx.deps, actor, username, False)
    return Response(status_code=204)


def officer_json(officer: Officer) -> dict[str, Any]:
    return {
        "username": officer.username,
        "name": officer.name,
        "agency": officer.agency,
        "role": officer.role.value,
    }


def account_json(account: Account) -> dict[str, Any]:
    return {**officer_json(account.officer), "disabled": account.disabled_at is not None}
