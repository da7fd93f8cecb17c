"""Notify's HTTP API (``/api/v1``) for operators: what was delivered to which webhook or citizen
channel, what is still owed and what was given up or dropped. Webhook URLs are shown without their
query and user info, where receivers' tokens usually sit; citizens' deliveries name the channel and
booking, never the address.

For citizens: ``POST /api/v1/opt-out`` (JSON ``{"token": ...}``, the ``t`` of a message's link)
and the page every message's footer links to, ``GET /opt-out?t=...``, whose form posts to
``POST /opt-out``. Only the link, which reached that address, proves it is the holder's."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from antre.people import signed_in
from antre.problems import Problem
from antre.refusals import refusals
from antre.roles import Person, Role
from antre.web import STATUS
from services.notify import handlers
from services.notify.adapters.webhook import redact
from services.notify.domain.deliveries import Delivery, State


class Context:
    """What the routes need, set on ``app.state.ctx`` by bootstrap."""

    def __init__(self, deps: handlers.Deps) -> None:
        self.deps = deps


async def _ctx(request: Request) -> Context:
    # async: FastAPI runs a plain def dependency in its thread pool, a hop on every request.
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(_ctx)]
# Deliveries carry what citizens were sent (a booking code among it): the hall's manager or the
# platform's admin reads them, nobody else.
Manager = Annotated[Person, Depends(signed_in(Role.MANAGER))]
api = APIRouter(prefix="/api/v1", tags=["notify"])
index = APIRouter(include_in_schema=False)


@index.get("/")
async def root(ctx: Ctx) -> dict[str, Any]:
    hall = ctx.deps.hall
    return {
        "service": "notify",
        "description": "Pesan untuk warga dan webhook instansi / Messages to citizens and agencies' webhooks",
        "hall": hall.id,
        "webhooks": [
            {"url": redact(h.url), "events": list(h.events), "agency": h.agency} for h in hall.webhooks
        ],
        "citizens": {
            "channels": sorted(ctx.deps.citizens.channels),
            "survey": bool(ctx.deps.citizens.survey_url),
        },
        "links": {
            "deliveries": "/api/v1/deliveries",
            "opt_out": "/opt-out",
            "docs": "/docs",
            "livez": "/livez",
            "readyz": "/readyz",
            "metrics": "/metrics",
        },
    }


@api.get("/deliveries", responses=refusals(401, 403, 503))
async def deliveries(
    ctx: Ctx,
    _manager: Manager,
    state: Annotated[
        str, Query(max_length=16, description="pending, delivered, failed or dropped; empty: all")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """A hall manager or above: deliveries, newest first."""
    found = await asyncio.to_thread(handlers.list_deliveries, ctx.deps, state, limit)
    return {"deliveries": [_delivery_json(d) for d in found]}


@api.get("/deliveries/{delivery_id}", responses=refusals(401, 403, 404, 503))
async def delivery(delivery_id: str, ctx: Ctx, _manager: Manager) -> dict[str, Any]:
    """A hall manager or above: one delivery with the body it sends."""
    found = await asyncio.to_thread(handlers.get_delivery, ctx.deps, delivery_id)
    return {**_delivery_json(found), "payload": json.loads(found.payload)}


class OptOut(BaseModel):
    token: str = Field(
        min_length=1, max_length=200, description="The t= of the link at the end of every message"
    )


@api.post(
    "/opt-out",
    responses=refusals(
        (403, "Not a link of one of our messages"), (503, "Opting out is not set up in this hall")
    ),
)
async def opt_out(body: OptOut, ctx: Ctx) -> dict[str, Any]:
    """Stop messages to the address a message's opt-out link was made for: only that link proves
    the address is the holder's. Only a keyed hash is kept. The booking confirmation still comes,
    because it carries the code needed at check-in."""
    await asyncio.to_thread(handlers.opt_out, ctx.deps, body.token)
    return {
        "opted_out": True,
        "message": "Anda tidak akan menerima pesan lagi, kecuali konfirmasi reservasi baru.",
        "message_en": "You will receive no more messages, except the confirmation of a new booking.",
    }


_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Berhenti menerima pesan / Stop messages</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}}
label,input,button{{display:block;width:100%;margin:.4rem 0;font-size:1.1rem}}
.en{{color:#555}}</style></head><body>
<h1>Berhenti menerima pesan <span class="en">/ Stop messages</span></h1>
{content}
</body></html>"""
# The link only opens the page; the button posts. A link preview or a mail scanner that fetches
# every link must not stop a citizen's messages.
_CONFIRM = """<p>Berhenti menerima pesan di alamat tempat tautan ini dikirim? Konfirmasi reservasi baru
tetap dikirim karena memuat kode untuk check-in.</p>
<p class="en">Stop messages to the address this link was sent to? The confirmation of a new booking
is still sent, as it carries your check-in code.</p>
<form method="post" action="opt-out"><input type="hidden" name="t" value="{token}">
<button type="submit">Berhenti / Stop</button></form>"""
_NO_LINK = """<p>Buka tautan di bagian bawah pesan yang Anda terima dari kami: tautan itu membuktikan nomor
atau email tersebut milik Anda.</p>
<p class="en">Open the link at the end of a message you received from us: it proves the number or
email is yours.</p>"""


@index.get("/opt-out", response_class=HTMLResponse)
async def opt_out_page(t: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    token = t if re.fullmatch(r"[0-9a-f]{64}\.[0-9a-f]{32}", t) else ""  # safe to put in the page
    return HTMLResponse(_PAGE.format(content=_CONFIRM.format(token=token) if token else _NO_LINK))


@index.post("/opt-out", response_class=HTMLResponse)
async def opt_out_form(request: Request, ctx: Ctx) -> HTMLResponse:
    """The page's form (a plain form post: no script needed on a cheap phone)."""
    fields = parse_qs((await request.body()).decode("utf-8", "replace"))
    token = fields.get("t", [""])[0][:200]
    try:
        await asyncio.to_thread(handlers.opt_out, ctx.deps, token)
    except Problem as problem:
        # Our own bilingual text, never the citizen's input: nothing to escape.
        text = f"<p>{problem.message}</p><p class='en'>{problem.message_en}</p>{_NO_LINK}"
        status = next((code for cls, code in STATUS.items() if isinstance(problem, cls)), 400)
        return HTMLResponse(_PAGE.format(content=text), status_code=status)
    done = "<p>Anda tidak akan menerima pesan lagi.</p><p class='en'>You will receive no more messages.</p>"
    return HTMLResponse(_PAGE.format(content=done))


def install(app: FastAPI) -> None:
    app.include_router(api)
    app.include_router(index)


def _delivery_json(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "event_id": d.event_id,
        "event": d.event,
        "url": redact(d.url),
        "channel": d.channel,
        "booking_id": d.booking_id,
        "subject": d.subject,
        "state": d.state.value,
        "attempts": d.attempts,
        # A delivered or failed one has no next attempt; its stored time is meaningless.
        "next_attempt_at": _iso(d.next_attempt_at) if d.state == State.PENDING else None,
        "last_error": d.last_error,
        "created_at": _iso(d.created_at),
        "updated_at": _iso(d.updated_at),
    }


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
