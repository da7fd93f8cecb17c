"""Wires ticketing: settings -> runtime (database, NATS, outbox relay) -> handlers -> routes.

Run with ``uvicorn services.ticketing.bootstrap:create_app --factory``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from antre.runtime import Runtime
from antre.web import make_app
from services.ticketing import handlers
from services.ticketing.adapters.positions import Positions
from services.ticketing.adapters.tables import outbox
from services.ticketing.entrypoints import consumers, http
from services.ticketing.metrics import Metrics
from services.ticketing.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build("ticketing", settings, outbox, MIGRATIONS)
        deps = handlers.Deps(
            hall=runtime.hall,
            uow=runtime.uow,
            metrics=Metrics(runtime.registry),
            live=runtime.live,
            always_open=settings.demo,
        )
        consumers.install(runtime, deps)
        runtime.every(10.0, lambda: handlers.expire_prints(deps))
        app.state.registry = runtime.registry
        app.state.ready_checks = runtime.ready_checks()
        async with httpx.AsyncClient(base_url=settings.counters_url) as counters:
            positions = Positions(counters)
            deps.queue_changed = positions.changed
            app.state.ctx = http.Context(deps, settings.public_url, positions, settings.demo)
            app.state.runtime = runtime
            await runtime.start()
            try:
                yield
            finally:
                await runtime.stop()

    app = make_app(
        "Antre ticketing",
        "Nomor antrean di kios, tiket cetak dan halaman status / Kiosk numbers, printed tickets and status",
        lifespan,
    )
    http.install(app)
    return app
