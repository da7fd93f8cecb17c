"""One-time codes over HTTP, for ticketing (the citizen's booking page reaches them through
ticketing's public route, which names the client): ``POST /api/v1/phone-codes`` sends one,
``POST /api/v1/phone-codes/{id}/check`` checks an answer. Not routed to the public host.

In a demo hall only, ``GET /demo/messages`` shows what the demo channel "sent", codes included,
so that ``make run`` books end to end without an SMS gateway."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from antre.refusals import refusals
from services.notify import handlers
from services.notify.adapters import phone_codes as store
from services.notify.adapters.channels.base import CitizenMessage
from services.notify.domain import phone_codes as domain
from services.notify.entrypoints.http import Context, _ctx

Ctx = Annotated[Context, Depends(_ctx)]
api = APIRouter(prefix="/api/v1", tags=["phone codes"])
demo = APIRouter(include_in_schema=False)


class CodeRequest(BaseModel):
    purpose: str = Field(max_length=16, description="What the code proves the phone for: booking")
    phone: str = Field(min_length=5, max_length=254, description="A phone number (or an email address)")
    client: str = Field(default="", max_length=64, description="Who asks, as the forwarding service knows it")
    language: str = Field(default="id", pattern="^(id|en)$")


class CodeSent(BaseModel):
    id: str
    expires_in: int = Field(description="Seconds the code stays valid")


class CodeAnswer(BaseModel):
    purpose: str = Field(max_length=16)
    phone: str = Field(min_length=5, max_length=254)
    code: str = Field(min_length=1, max_length=16)


class CodeChecked(BaseModel):
    matched: bool
    tries_left: int = Field(description="0: spent, dead or expired; a new code is needed")


@api.post(
    "/phone-codes",
    status_code=201,
    response_model=CodeSent,
    responses=refusals(
        (429, "Too many codes to this address or for this client lately"),
        (503, "The hall cannot send codes to this kind of address"),
    ),
)
async def send_code(body: CodeRequest, ctx: Ctx) -> dict[str, Any]:
    code_id = await asyncio.to_thread(
        handlers.send_code, ctx.deps, body.purpose, body.phone, body.client, body.language
    )
    return {"id": code_id, "expires_in": int(domain.TTL.total_seconds())}


@api.post(
    "/phone-codes/{code_id}/check", response_model=CodeChecked, responses=refusals((404, "Unknown code"))
)
async def check_code(code_id: str, body: CodeAnswer, ctx: Ctx) -> dict[str, Any]:
    answer = await asyncio.to_thread(
        handlers.check_code, ctx.deps, code_id, body.code, body.purpose, body.phone
    )
    return {"matched": answer.matched, "tries_left": answer.tries_left}


_DEMO_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<title>DEMO: pesan terkirim / messages sent</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
li{{margin:.6rem 0}} .en{{color:#555}}</style></head><body>
<h1>DEMO: pesan terkirim <span class="en">/ messages sent</span></h1>
<p>Aula demo tidak punya SMS atau WhatsApp: kode verifikasi tampil di sini (satu jam terakhir).</p>
<p class="en">A demo hall has no SMS or WhatsApp: verification codes show here (the last hour).</p>
<ul>{items}</ul></body></html>"""


@demo.get("/demo/messages", response_class=HTMLResponse)
async def demo_messages(ctx: Ctx) -> HTMLResponse:
    found = await asyncio.to_thread(_demo_messages, ctx.deps)
    items = "".join(
        f"<li><b>{when:%H:%M:%S}</b> {html.escape(domain.masked(address))}: "
        f"{html.escape(CitizenMessage.decode(payload).text)}</li>"
        for when, address, payload in found
    )
    return HTMLResponse(_DEMO_PAGE.format(items=items or "<li>-</li>"))


def _demo_messages(deps: handlers.Deps) -> list[tuple[dt.datetime, str, str]]:
    with deps.uow.read() as conn:
        return store.demo_messages(conn, deps.uow.clock() - dt.timedelta(hours=1))


def install(app: FastAPI, demo_hall: bool) -> None:
    app.include_router(api)
    if demo_hall:  # a real hall has no such page: its codes reach only their phones
        app.include_router(demo)
