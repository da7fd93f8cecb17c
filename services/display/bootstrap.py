"""Wires the display: settings -> runtime (database, NATS, outbox relay) -> handlers -> routes.

Run with ``uvicorn services.display.bootstrap:create_app --factory``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from antre.client_address import networks
from antre.heartbeats import Timing
from antre.people import People
from antre.runtime import Runtime
from antre.telemetry import trace_statements
from antre.web import make_app
from services.display import handlers
from services.display.adapters import espeak, voicepack
from services.display.adapters.tables import outbox
from services.display.domain.wording import hall_vocabulary
from services.display.entrypoints import boards_http, consumers, http
from services.display.metrics import Metrics
from services.display.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build("display", settings, outbox, MIGRATIONS)
        if settings.otlp_endpoint:  # a statement's span costs even when nothing exports it
            trace_statements(runtime.engine)
        deps = handlers.Deps(
            hall=runtime.hall,
            uow=runtime.uow,
            metrics=Metrics(runtime.registry),
            live=runtime.live,
            recent_calls=settings.board_recent_calls,
            voice=load_voice(settings),
            stale_after=dt.timedelta(seconds=settings.announcement_stale_seconds),
            message_cap=handlers.MessageCap(
                dt.timedelta(seconds=settings.message_window_seconds),
                settings.messages_per_officer,
                settings.messages_per_zone,
            ),
            device_timing=Timing(settings.device_silent_seconds),
        )
        count_clips(deps)
        consumers.install(runtime, deps)
        runtime.live.share("zone:")  # boards on every replica hear every call
        runtime.every(3600.0, lambda: handlers.prune(deps))
        runtime.every(deps.device_timing.watch_every, lambda: handlers.watch(deps))
        app.state.registry = runtime.registry
        app.state.trusted_proxies = networks(settings.trusted_proxies)  # X-Forwarded-Proto for HSTS
        app.state.ready_checks = runtime.ready_checks()
        ctx = http.Context(
            deps,
            settings.demo,
            settings.announcement_stale_seconds,
            settings.board_resync_limit,
        )
        app.state.ctx = ctx
        app.state.people = People(settings.counters_url)
        app.state.runtime = runtime
        building = start_voice_build(settings, deps)
        await runtime.start()
        try:
            yield
        finally:
            await ctx.stop()  # the zones' live feeds
            if building is not None:
                await asyncio.gather(building, return_exceptions=True)
            await runtime.stop()
            await app.state.people.close()

    app = make_app(
        "Antre display",
        "Papan antrean per zona dan suara panggilan aula / Zone boards and the hall's voice",
        lifespan,
    )
    http.install(app)
    app.include_router(boards_http.router)
    return app


def load_voice(settings: Settings) -> voicepack.VoicePack | None:
    """The hall's voice pack, or None (boards then speak with their speech engine): a broken
    pack is logged, never a reason for the hall's boards to stay dark."""
    folder = settings.voice_path()
    try:
        pack = voicepack.load(folder)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.error("display: the voice pack in %s cannot be read (%s); boards use speech", folder, exc)
        return None
    if pack is None:
        log.info("display: no voice pack in %s; boards use the browser's speech", folder)
    else:
        log.info("display: voice pack %s (%s) from %s", pack.voice, ", ".join(pack.langs), folder)
    return pack


def start_voice_build(settings: Settings, deps: handlers.Deps) -> asyncio.Task[None] | None:
    """Build espeak-ng's default pack in the background when the default folder has none (a
    developer's machine, ``make run``); never into a hall's own folder (``ANTRE_VOICE_DIR``)."""
    if deps.voice is not None or settings.voice_dir.strip() or not settings.voice_build:
        return None
    if not espeak.available():
        return None

    async def build() -> None:
        try:
            words = {lang: hall_vocabulary(deps.hall, lang) for lang in espeak.VOICES}
            deps.voice = await asyncio.to_thread(espeak.build, settings.voice_path(), words=words)
            count_clips(deps)
            log.info("display: built the default voice pack in %s", settings.voice_path())
        except Exception:
            log.exception("display: could not build the default voice pack")
            deps.voice = load_voice(settings)  # another display sharing the folder may have
            count_clips(deps)

    return asyncio.create_task(build(), name="display-voice-build")


def count_clips(deps: handlers.Deps) -> None:
    langs = deps.voice.langs if deps.voice is not None else {handlers.VOICE_LANG: {}}
    for lang, clips in langs.items():
        deps.metrics.voice_clips.labels(lang).set(len(clips))
