"""The reports service's HTTP surface: its index and the pages' shell here; reports, the live
hall and the survey in their own modules, each installed by :func:`install`.

The staff pages (the live hall, reports) are static files with one thing filled in when served:
where the browser signs in (the counters' address, in ``<meta name="antre-counters">``), read by
``/shared/staff.js``."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

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
    ctx: Context = request.app.state.ctx
    return ctx


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


STATIC = Path(__file__).parent / "static"
SHARED_STATIC = Path(__file__).parents[3] / "antre" / "static"
COUNTERS_META = '<meta name="antre-counters" content="">'


@cache
def _page_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def staff_page(request: Request, name: str) -> HTMLResponse:
    """A staff page from ``static/``, told where its people sign in. The page must hold
    ``<meta name="antre-counters" content="">`` once."""
    counters = html.escape(request.app.state.counters_for_pages, quote=True)
    text = _page_text(name).replace(COUNTERS_META, f'<meta name="antre-counters" content="{counters}">', 1)
    return HTMLResponse(text, headers={"Cache-Control": "no-cache"})


def install(app: FastAPI) -> None:
    app.include_router(index)
    # Imported here: each module imports this one's Context.
    from services.reports.entrypoints import live_http, reports_http, survey_http

    reports_http.install(app)
    live_http.install(app)
    survey_http.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/shared", StaticFiles(directory=SHARED_STATIC), name="shared")
