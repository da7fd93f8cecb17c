"""Wires ticketing: settings -> runtime (database, NATS, outbox relay) -> handlers -> routes.

Run with ``uvicorn services.ticketing.bootstrap:create_app --factory``.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from antre import build
from antre.client_address import networks
from antre.hall.model import Hall
from antre.heartbeats import Timing
from antre.people import People
from antre.runtime import Runtime
from antre.telemetry import trace_calls, trace_statements
from antre.web import make_app
from services.ticketing import handlers
from services.ticketing.adapters.phone_codes import PhoneCodes
from services.ticketing.adapters.positions import Positions
from services.ticketing.adapters.tables import outbox
from services.ticketing.domain.kiosks import IssueRate
from services.ticketing.entrypoints import bookings_http, consumers, http, kiosks_http
from services.ticketing.handlers import check_ins, kiosks, limits
from services.ticketing.metrics import Metrics
from services.ticketing.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build("ticketing", settings, outbox, MIGRATIONS)
        if settings.otlp_endpoint:  # a statement's span costs even when nothing exports it
            trace_statements(runtime.engine)
        build.log_current()  # compiled or pure rules: said once the logs are set up
        deps = handlers.Deps(
            hall=runtime.hall,
            uow=runtime.uow,
            metrics=Metrics(runtime.registry, _bookable(runtime.hall)),
            live=runtime.live,
            always_open=settings.demo,
            issue_rate=IssueRate(settings.kiosk_tickets_per_minute),
            device_timing=Timing(settings.device_silent_seconds),
        )
        consumers.install(runtime, deps)
        runtime.live.share("ticket:", "service:")  # status pages on every replica follow
        runtime.every(10.0, lambda: handlers.expire_prints(deps))
        runtime.every(10.0, lambda: handlers.end_past_days(deps))  # indexed: few tickets wait
        runtime.every(30.0, lambda: check_ins.mark_no_shows(deps))
        runtime.every(limits.FORGET_EVERY_SECONDS, lambda: limits.forget_old_windows(deps))
        runtime.every(deps.device_timing.watch_every, lambda: kiosks.watch(deps))
        nik_secret = nik_secret_of(settings)
        app.state.registry = runtime.registry
        app.state.ready_checks = runtime.ready_checks()
        async with httpx.AsyncClient(base_url=settings.counters_url) as counters:
            trace_calls(counters)
            positions = Positions(counters)
            deps.queue_changed = positions.changed
            app.state.ctx = http.Context(
                deps,
                settings.public_url,
                positions,
                settings.demo,
                nik_secret,
                settings.api_keys,
                survey_url=settings.survey_url,
                voice_url=settings.voice_url,
            )
            app.state.runtime = runtime
            app.state.trusted_proxies = networks(settings.trusted_proxies)
            app.state.people = People(settings.counters_url)
            app.state.phone_codes = PhoneCodes(settings.notify_url) if settings.booking_phone_check else None
            app.state.notify_url = settings.notify_url
            await runtime.start()
            try:
                yield
            finally:
                await runtime.stop()
                await app.state.people.close()
                if app.state.phone_codes is not None:
                    app.state.phone_codes.close()

    app = make_app(
        "Antre ticketing",
        "Nomor antrean di kios, tiket cetak dan halaman status / Kiosk numbers, printed tickets and status",
        lifespan,
        connect_src=[o for o in (settings.voice_origin(),) if o],
    )
    http.install(app)
    app.include_router(bookings_http.router)
    app.include_router(kiosks_http.router)
    return app


def _bookable(hall: Hall) -> list[tuple[str, str]]:
    return [(s.agency, s.code) for s in hall.services if s.booking is not None]


def nik_secret_of(settings: Settings) -> bytes:
    """The key of NIK hashes. A demo hall makes one in its state folder; a real hall must be
    given one, since a key kept beside the data would protect nothing."""
    given = settings.nik_secret.get_secret_value()
    if given:
        if len(given) < 16:
            raise RuntimeError("ANTRE_NIK_SECRET minimal 16 karakter / needs at least 16 characters")
        return given.encode()
    if not settings.demo:
        raise RuntimeError("ANTRE_NIK_SECRET wajib di luar mode demo / is required outside demo mode")
    path = settings.state_dir / "nik-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()
