"""The reports service's HTTP surface: its index here; reports, the live hall and the survey in
their own modules, each installed by :func:`install`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request

from antre.live import Broadcaster
from services.reports import handlers
from services.reports.settings import Settings


class Context:
    """What the routes need, set on ``app.state.ctx`` by bootstrap."""

    def __init__(self, deps: handlers.Deps, settings: Settings, live: Broadcaster) -> None:
        self.deps = deps
        self.settings = settings
        self.live = live


async def _ctx(request: Request) -> Context:
    return request.app.state.ctx


Ctx = Annotated[Context, Depends(_ctx)]
index = APIRouter(include_in_schema=False)
DESCRIPTION = (
    "Laporan, aula langsung dan survei kepuasan / Reports, the live hall and the satisfaction survey"
)


@index.get("/")
async def root(ctx: Ctx) -> dict[str, Any]:
    return {
        "service": "reports",
        "description": DESCRIPTION,
        "hall": ctx.deps.hall.id,
        "links": {"docs": "/docs", "livez": "/livez", "readyz": "/readyz", "metrics": "/metrics"},
    }


def install(app: FastAPI) -> None:
    app.include_router(index)
