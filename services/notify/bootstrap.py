"""Wires notify: settings -> runtime (database, NATS, outbox relay) -> handlers -> consumer,
delivery worker and routes.

Run with ``uvicorn services.notify.bootstrap:create_app --factory --port 8104``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from antre.runtime import Runtime
from antre.web import make_app
from services.notify import handlers
from services.notify.adapters.tables import outbox
from services.notify.adapters.webhook import WebhookClient
from services.notify.entrypoints import consumers, http
from services.notify.metrics import Metrics
from services.notify.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build("notify", settings, outbox, MIGRATIONS)
        sender = WebhookClient(timeout=settings.webhook_timeout_seconds, parallel=settings.webhook_batch)
        deps = handlers.Deps(
            hall=runtime.hall,
            uow=runtime.uow,
            metrics=Metrics(runtime.registry),
            sender=sender,
            max_attempts=settings.webhook_max_attempts,
            batch=settings.webhook_batch,
        )
        consumers.install(runtime, deps)
        runtime.every(settings.webhook_poll_seconds, lambda: handlers.deliver_due(deps))
        app.state.registry = runtime.registry
        app.state.ready_checks = runtime.ready_checks()
        app.state.ctx = http.Context(deps)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            await asyncio.to_thread(sender.close)

    app = make_app(
        "Antre notify",
        "Pesan untuk warga dan webhook instansi / Messages to citizens and agencies' webhooks",
        lifespan,
    )
    http.install(app)
    return app
