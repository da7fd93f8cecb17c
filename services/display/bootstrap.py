"""Wires the display: settings -> runtime (database, NATS, outbox relay) -> handlers -> routes.

Run with ``uvicorn services.display.bootstrap:create_app --factory``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from antre.runtime import Runtime
from antre.web import make_app
from services.display import handlers
from services.display.adapters.tables import outbox
from services.display.entrypoints import consumers, http
from services.display.metrics import Metrics
from services.display.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build("display", settings, outbox, MIGRATIONS)
        deps = handlers.Deps(
            hall=runtime.hall,
            uow=runtime.uow,
            metrics=Metrics(runtime.registry),
            live=runtime.live,
            recent_calls=settings.board_recent_calls,
        )
        consumers.install(runtime, deps)
        runtime.every(3600.0, lambda: handlers.prune(deps))
        app.state.registry = runtime.registry
        app.state.ready_checks = runtime.ready_checks()
        ctx = http.Context(
            deps, settings.demo, settings.announcement_stale_seconds, settings.board_resync_limit
        )
        app.state.ctx = ctx
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await ctx.stop()  # the zones' live feeds
            await runtime.stop()

    app = make_app(
        "Antre display",
        "Papan antrean per zona dan suara panggilan aula / Zone boards and the hall's voice",
        lifespan,
    )
    http.install(app)
    return app
