"""Wires notify: settings -> runtime (database, NATS, outbox relay) -> channels -> handlers ->
consumers, the delivery worker, the citizens' jobs and routes.

Run with ``uvicorn services.notify.bootstrap:create_app --factory --port 8104``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from antre.client_address import networks
from antre.people import People
from antre.runtime import Runtime
from antre.telemetry import trace_statements
from antre.web import make_app
from services.notify import handlers
from services.notify.adapters.channels.base import Channel
from services.notify.adapters.channels.demo import DemoChannel
from services.notify.adapters.channels.email import SmtpChannel, SmtpConfig
from services.notify.adapters.channels.outbound import Outbound
from services.notify.adapters.channels.sms import SmsChannel, SmsConfig
from services.notify.adapters.channels.whatsapp import WhatsAppChannel, WhatsAppConfig
from services.notify.adapters.positions import CountersPositions
from services.notify.adapters.tables import outbox
from services.notify.adapters.webhook import WebhookClient
from services.notify.domain.citizens import EMAIL, SMS, WHATSAPP
from services.notify.entrypoints import codes_http, consumers, http
from services.notify.metrics import Metrics
from services.notify.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def channels(settings: Settings) -> list[Channel]:
    """The webhook channel always; each citizen channel only when configured."""
    made: list[Channel] = [
        WebhookClient(timeout=settings.webhook_timeout_seconds, parallel=settings.webhook_batch)
    ]
    configured, timeout = settings.citizen_channels, settings.citizen_timeout_seconds
    if EMAIL in configured:
        smtp = SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value(),
            security=settings.smtp_security,
            timeout=timeout,
        )
        made.append(SmtpChannel(smtp))
    if WHATSAPP in configured:
        whatsapp = WhatsAppConfig(
            base_url=settings.whatsapp_base_url,
            token=settings.whatsapp_token.get_secret_value(),
            phone_number_id=settings.whatsapp_phone_number_id,
            timeout=timeout,
        )
        made.append(WhatsAppChannel(whatsapp))
    if SMS in configured:
        sms = SmsConfig(
            url=settings.sms_url,
            api_key=settings.sms_api_key.get_secret_value(),
            format=settings.sms_format,
            timeout=timeout,
        )
        made.append(SmsChannel(sms))
    return made


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build("notify", settings, outbox, MIGRATIONS)
        if settings.otlp_endpoint:  # a statement's span costs even when nothing exports it
            trace_statements(runtime.engine)
        made = channels(settings)
        if settings.demo:
            made.append(DemoChannel())
        sender = Outbound(made, parallel=settings.webhook_batch)
        positions = CountersPositions(settings.counters_url) if settings.citizen_channels else None
        citizens = handlers.Citizens(
            channels=settings.citizen_channels,
            optout_key=settings.optout_key.get_secret_value().encode(),
            optout_url=settings.optout_url,
            survey_url=settings.survey_url,
            retention_days=settings.contact_retention_days,
            positions=positions,
            demo=settings.demo,
        )
        deps = handlers.Deps(
            hall=runtime.hall,
            uow=runtime.uow,
            metrics=Metrics(runtime.registry),
            sender=sender,
            max_attempts=settings.webhook_max_attempts,
            batch=settings.webhook_batch,
            citizens=citizens,
        )
        consumers.install(runtime, deps)
        runtime.every(settings.webhook_poll_seconds, lambda: handlers.deliver_due(deps))
        if citizens.enabled:
            runtime.every(settings.positions_poll_seconds, lambda: handlers.check_positions(deps))
            runtime.every(settings.jobs_poll_seconds, lambda: handlers.remind(deps))
            runtime.every(settings.jobs_poll_seconds, lambda: handlers.recheck_positions(deps))
        # The purge runs even with every channel switched off: contacts kept before still expire.
        runtime.every(settings.jobs_poll_seconds, lambda: handlers.purge(deps))
        runtime.every(settings.jobs_poll_seconds, lambda: handlers.purge_codes(deps))
        app.state.registry = runtime.registry
        app.state.trusted_proxies = networks(settings.trusted_proxies)  # X-Forwarded-Proto for HSTS
        app.state.ready_checks = runtime.ready_checks()
        app.state.ctx = http.Context(deps)
        app.state.people = People(settings.counters_url)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            await app.state.people.close()
            await asyncio.to_thread(sender.close)
            if positions is not None:
                positions.close()

    app = make_app(
        "Antre notify",
        "Pesan untuk warga dan webhook instansi / Messages to citizens and agencies' webhooks",
        lifespan,
    )
    http.install(app)
    codes_http.install(app, settings.demo)
    return app
