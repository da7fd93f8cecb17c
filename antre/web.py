"""What every service's HTTP side has in common: refusals as bilingual JSON, a body size limit,
a guard on the characters and numbers a request may carry, the security headers, request metrics,
``/livez``, ``/readyz`` and ``/metrics``, and the process's logging."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from antre.headers import SecurityHeaders
from antre.inputs import address_problems, body_problems
from antre.logs import LogSettings, configure_logging
from antre.problems import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Problem,
    Refused,
    TooMany,
    Unauthorized,
    Unavailable,
)
from antre.refusals import declare_common

log = logging.getLogger(__name__)

STATUS: dict[type[Problem], int] = {
    NotFound: 404,
    Invalid: 422,
    Conflict: 409,
    Refused: 409,
    Forbidden: 403,
    Unauthorized: 401,
    Unavailable: 503,
    TooMany: 429,
}
MAX_BODY_BYTES = 64 * 1024
HTTP_MESSAGES = {
    400: ("Permintaan tidak dapat dibaca", "The request cannot be read"),
    404: ("Alamat tidak ditemukan", "Not found"),
    405: ("Metode tidak diizinkan untuk alamat ini", "Method not allowed here"),
}


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

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = HTTP_MESSAGES.get(exc.status_code, ("Permintaan ditolak", "Request refused"))
        body = problem_body(f"http_{exc.status_code}", *messages)
        return JSONResponse(body, exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        body = problem_body("internal", "Terjadi kesalahan di server", "Internal server error")
        return JSONResponse(body, 500)


class BodyLimit:
    """Refuse request bodies over a limit with 413 before any handler sees them, whether or not
    the client sent a Content-Length. Bodies here are small, so the body is read whole first."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._too_large(scope, send)
                return
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body]), send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        body = problem_body(
            "body_too_large",
            f"Isi permintaan terlalu besar (maksimal {self.limit} bita)",
            f"Request body too large (at most {self.limit} bytes)",
        )
        await JSONResponse(body, 413)(scope, _replay([]), send)


class InputGuard:
    """Refuse with 422 a request whose path, query or body (JSON or a form) holds a control or
    bidi character or an integer outside int64 (:mod:`antre.inputs`), before any handler or
    database sees it. Inside :class:`BodyLimit`, so a body arrives whole and bounded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = address_problems(scope)
        if problems or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await (_refusal(problems) if problems else self.app)(scope, receive, send)
            return
        messages: list[Message] = []
        while not messages or (messages[-1]["type"] == "http.request" and messages[-1].get("more_body")):
            messages.append(await receive())
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        problems = body_problems(body, content_type.decode("latin-1").lower())
        await (_refusal(problems) if problems else self.app)(scope, _replay(messages), send)


def _refusal(problems: list[tuple[str, str]]) -> JSONResponse:
    names = ", ".join(dict.fromkeys(field for field, _ in problems))
    body = problem_body(
        "invalid_request",
        f"Permintaan tidak valid: isian tidak diterima ({names})",
        f"Invalid request: value not accepted ({names})",
        fields=[{"field": field, "problem": problem} for field, problem in problems],
    )
    return JSONResponse(body, 422)


def _replay(messages: list[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    return receive


# Label values of a request no route took, and of a method no route answers: a scanner's paths
# and verbs must not each become a series.
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A board's live stream lasts as long as the board is on: it falls in the last bucket.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
access_log = logging.getLogger("antre.http")


class HttpMetrics:
    """``antre_http_requests_total{method,route,status}`` and
    ``antre_http_request_seconds{method,route}``: every request a service answered, by the
    template of the route that took it (``/api/v1/bookings/{code}``, never the code itself).

    No ``service`` label: the scrape adds ``app`` (ticketing, counters, ...), and ``service``
    is the hall's service in every other series (see deploy/prometheus/rules.yaml)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "antre_http_requests",
            "HTTP requests answered, by route template and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self.seconds = Histogram(
            "antre_http_request_seconds",
            "Time from a request's arrival to the end of its response",
            ["method", "route"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.seconds.labels(method, route).observe(seconds)


def route_template(scope: Scope) -> str:
    """The template of the route that took a request (after the router put it in the scope), or
    :data:`UNMATCHED`. A mounted app (static files) is its prefix and ``{path}``."""
    route = scope.get("route")
    if route is None:  # FastAPI's router does not name a mount in the scope: its app, though
        endpoint = scope.get("endpoint")
        routes = getattr(scope.get("app"), "routes", ())
        route = next((r for r in routes if isinstance(r, Mount) and r.app is endpoint), None)
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    return f"{path}/{{path}}" if isinstance(route, Mount) else path


class RequestMetrics:
    """Counts and times every HTTP request into the metrics of the app's runtime (``app.state
    .runtime.http``, set by the lifespan; requests before it are not counted), and logs it at
    DEBUG by its route's template: no path, query or client address, which carry codes, tokens
    and a citizen's address. Outermost, so that a 500 from an unexpected error, which Starlette's
    error middleware answers and then re-raises, is seen with its status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            metrics = _http_metrics(scope)
            if metrics is not None:
                metrics.observe(scope["method"], route, status, elapsed)
            access_log.debug("%s %s %d %.1f ms", scope["method"], route, status, elapsed * 1000)


def _http_metrics(scope: Scope) -> HttpMetrics | None:
    app = scope.get("app")
    metrics = getattr(getattr(getattr(app, "state", None), "runtime", None), "http", None)
    return metrics if isinstance(metrics, HttpMetrics) else None


ReadyCheck = Callable[[], Awaitable[bool]]


def install_health(app: FastAPI) -> None:
    """``/livez``: the process answers. ``/readyz``: its database and NATS answer too. The
    lifespan puts ``registry`` and ``ready_checks`` on ``app.state``."""

    @app.get("/livez", include_in_schema=False)
    async def livez() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        """Ready when the database answers. NATS is reported but does not decide: a service
        keeps serving without it (events wait in the outbox), and taking every replica out of
        its Service while NATS restarts would close the hall."""
        checks: dict[str, ReadyCheck] = getattr(request.app.state, "ready_checks", {})
        results: dict[str, bool] = {}
        for name, check in checks.items():
            try:
                results[name] = await check()
            except Exception:
                results[name] = False
        ready = results.get("database", False)
        return JSONResponse(results, 200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        registry: CollectorRegistry = request.app.state.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


DOCS = "/docs"
DOCS_ASSETS = "/docs/assets"  # under /docs: an ingress that routes /docs routes them too


def install_docs(app: FastAPI) -> None:
    """The API's documentation page, Swagger UI served by the service itself from the
    swagger-ui-bundle package: a hall's LAN is often offline, and FastAPI's page loads it from a
    CDN (a blank page then)."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get(DOCS, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} · API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from swagger.io
        )


class _App(FastAPI):
    connect_src: tuple[str, ...] = ()

    def openapi(self) -> dict[str, Any]:
        # The refusals the middleware below gives every route are declared where it is installed.
        fresh = self.openapi_schema is None
        document = super().openapi()
        return declare_common(document) if fresh else document

    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's error middleware, so that a 500 carries the headers too, and is
        # counted with its status.
        stack = super().build_middleware_stack()
        return RequestMetrics(SecurityHeaders(stack, [DOCS], self.connect_src))


def make_app(title: str, description: str, lifespan: Any, connect_src: Sequence[str] = ()) -> FastAPI:
    """``connect_src``: origins beyond the service's own that its pages fetch from (none today).

    Configures the process's logging from ``ANTRE_LOG_LEVEL`` and ``ANTRE_LOG_FORMAT`` first
    (an invalid value refuses to start, naming the variable): uvicorn calls the service's
    factory before it logs that it started, so its lines come in the same format."""
    configure_logging(LogSettings())
    # HTTP spans join the ticket's trace; metrics are Prometheus' (each service's metrics.py), so
    # FastAPI's own OpenTelemetry metrics, logs and per-operation spans stay off. The body limit
    # is ours rather than FastAPI's: its 413 is plain text before the app, not a bilingual refusal.
    telemetry: TelemetryConfig = {"tracing": True, "metrics": False, "logs": False, "operation_spans": False}
    app = _App(
        title=title,
        description=description,
        version="1",
        lifespan=lifespan,
        telemetry=telemetry,
        docs_url=None,  # ours, offline: install_docs
        redoc_url=None,
    )
    app.connect_src = tuple(connect_src)
    install_problem_handlers(app)
    install_health(app)
    install_docs(app)
    app.add_middleware(InputGuard)
    app.add_middleware(BodyLimit)  # added last: outermost, so the guard reads a bounded body
    return app
