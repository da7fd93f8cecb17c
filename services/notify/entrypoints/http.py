"""Notify's HTTP API (``/api/v1``) for operators: what was delivered to which webhook, what is
still owed and what was given up. Webhook URLs are shown without their query and user info,
where receivers' tokens usually sit."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request

from services.notify import handlers
from services.notify.adapters.webhook import redact
from services.notify.domain.deliveries import Delivery, State


class Context:
    """What the routes need, set on ``app.state.ctx`` by bootstrap."""

    def __init__(self, deps: handlers.Deps) -> None:
        self.deps = deps


def _ctx(request: Request) -> Context:
    return request.app.state.ctx


Ctx = Annotated[Context, Depends(_ctx)]
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
        "links": {
            "deliveries": "/api/v1/deliveries",
            "docs": "/docs",
            "livez": "/livez",
            "readyz": "/readyz",
            "metrics": "/metrics",
        },
    }


@api.get("/deliveries")
async def deliveries(
    ctx: Ctx,
    state: Annotated[str, Query(max_length=16, description="pending, delivered or failed; empty: all")] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Deliveries, newest first."""
    found = await asyncio.to_thread(handlers.list_deliveries, ctx.deps, state, limit)
    return {"deliveries": [_delivery_json(d) for d in found]}


@api.get("/deliveries/{delivery_id}")
async def delivery(delivery_id: str, ctx: Ctx) -> dict[str, Any]:
    """One delivery with the body it sends."""
    found = await asyncio.to_thread(handlers.get_delivery, ctx.deps, delivery_id)
    return {**_delivery_json(found), "payload": json.loads(found.payload)}


def install(app: FastAPI) -> None:
    app.include_router(api)
    app.include_router(index)


def _delivery_json(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "event_id": d.event_id,
        "event": d.event,
        "url": redact(d.url),
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
