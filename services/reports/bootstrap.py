"""Wires reports: settings -> runtime (database, NATS) -> the record's consumer -> routes.

Reports keeps the hall's read-heavy work (the live hall, reports over months, the SKM index) in a
process of its own, away from the counters' call next. Everything it shows is folded from the
hall's events into its own tables, so it can be wiped and rebuilt from the stream at any time.

Run with ``uvicorn services.reports.bootstrap:create_app --factory --port 8105``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from antre.client_address import networks
from antre.people import People
from antre.runtime import Runtime
from antre.telemetry import trace_statements
from antre.web import make_app
from services.reports import handlers
from services.reports.adapters.tables import outbox
from services.reports.entrypoints import consumers, http
from services.reports.handlers import skm_index
from services.reports.metrics import Metrics
from services.reports.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
LIVE_TOPIC = "hall"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build("reports", settings, outbox, MIGRATIONS)
        if settings.otlp_endpoint:  # a statement's span costs even when nothing exports it
            trace_statements(runtime.engine)
        # The live hall's pages listen on one topic; replicas share it (the replica that applied a
        # batch is seldom the one a page is connected to).
        runtime.live.share(LIVE_TOPIC)
        deps = handlers.Deps(
            hall=runtime.hall,
            uow=runtime.uow,
            metrics=Metrics(runtime.registry),
            changed=lambda: runtime.live.publish(LIVE_TOPIC, "changed"),
        )
        consumers.install(runtime, deps, settings.record_linger_seconds)
        # The month's IKM for the boards (skm.index), when it changed.
        runtime.every(settings.skm_index_minutes * 60, lambda: skm_index.publish_month(deps))
        app.state.registry = runtime.registry
        app.state.trusted_proxies = networks(settings.trusted_proxies)
        app.state.ready_checks = runtime.ready_checks()
        app.state.ctx = http.Context(deps, settings, runtime.live)
        app.state.people = People(settings.counters_url)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            await app.state.people.close()

    # The staff pages sign in at the counters, from the browser: their origin may be fetched.
    app = make_app("Antre reports", http.DESCRIPTION, lifespan, connect_src=[settings.counters_for_pages()])
    app.state.counters_for_pages = settings.counters_for_pages()
    http.install(app)
    return app
