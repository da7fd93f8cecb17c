"""What every service's HTTP side has in common: refusals as bilingual JSON, a body size limit,
``/livez``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from antre.problems import Conflict, Forbidden, Invalid, NotFound, Problem, Refused, Unauthorized, Unavailable

log = logging.getLogger(__name__)

STATUS: dict[type[Problem], int] = {
    NotFound: 404,
    Invalid: 422,
    Conflict: 409,
    Refused: 409,
    Forbidden: 403,
    Unauthorized: 401,
    Unavailable: 503,
}
MAX_BODY_BYTES = 64 * 1024


def problem_body(code: str, message: str, message_en: str, **details: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "message_en": message_en, **details}}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        return JSONResponse(problem_body(exc.code, exc.message, exc.message_en, **exc.details), status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        body = problem_body("invalid_request", "Permintaan tidak valid", "Invalid request", fields=fields)
        return JSONResponse(body, 422)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        body = problem_body("internal", "Terjadi kesalahan di server", "Internal server error")
        return JSONResponse(body, 500)


class BodyLimit:
    """Refuse request bodies over a limit with 413 before any handler reads them, whether or not
    the client sent a Content-Length."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        body = problem_body(
            "body_too_large",
            f"Isi permintaan terlalu besar (maksimal {self.limit} bita)",
            f"Request body too large (at most {self.limit} bytes)",
        )
        response = JSONResponse(body, 413)
        await response({"type": "http"}, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


ReadyCheck = Callable[[], Awaitable[bool]]


def install_health(app: FastAPI) -> None:
    """``/livez``: the process answers. ``/readyz``: its database and NATS answer too. The
    lifespan puts ``registry`` and ``ready_checks`` on ``app.state``."""

    @app.get("/livez", include_in_schema=False)
    async def livez() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, ReadyCheck] = getattr(request.app.state, "ready_checks", {})
        results: dict[str, bool] = {}
        for name, check in checks.items():
            try:
                results[name] = await check()
            except Exception:
                results[name] = False
        ready = bool(results) and all(results.values())
        return JSONResponse(results, 200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        registry: CollectorRegistry = request.app.state.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def make_app(title: str, description: str, lifespan: Any) -> FastAPI:
    app = FastAPI(title=title, description=description, version="1", lifespan=lifespan)
    install_problem_handlers(app)
    install_health(app)
    app.add_middleware(BodyLimit)
    return app
