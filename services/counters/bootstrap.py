"""Wires the counters: settings -> runtime (database, NATS, outbox relay) -> handlers -> routes.

Run with ``uvicorn services.counters.bootstrap:create_app --factory``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from antre import build
from antre.client_address import networks
from antre.runtime import Runtime
from antre.telemetry import trace_statements
from antre.web import make_app
from services.counters import handlers
from services.counters.adapters.tables import outbox
from services.counters.entrypoints import consumers, http
from services.counters.handlers import queries
from services.counters.metrics import Metrics
from services.counters.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build("counters", settings, outbox, MIGRATIONS)
        if settings.otlp_endpoint:  # a statement's span costs even when nothing exports it
            trace_statements(runtime.engine)
        build.log_current()  # compiled or pure rules: said once the logs are set up
        metrics = Metrics(runtime.registry)
        deps = handlers.Deps.for_hall(runtime.hall, runtime.uow, metrics, runtime.live)
        handlers.prepare(deps)
        metrics.watch_queue(lambda: queries.queue_lengths(deps))
        metrics.watch_counters(lambda: queries.counter_states(deps))
        consumers.install(runtime, deps)  # tickets joining the queue; agencies' commands
        runtime.live.share("queue")  # operator pages on every replica follow the queues
        runtime.every(10.0, lambda: handlers.close_left_counters(deps))  # one statement when none
        app.state.registry = runtime.registry
        app.state.ready_checks = runtime.ready_checks()
        app.state.ctx = http.Context(deps, settings.demo)
        app.state.trusted_proxies = networks(settings.trusted_proxies)  # sign-in's client key
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = make_app(
        "Antre counters",
        "Loket, petugas dan urutan antrean / Counters, officers and queue order",
        lifespan,
    )
    if settings.staff_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.staff_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    http.install(app)
    return app
