"""``python -m bench.http_layer``: the CPU the HTTP layer alone costs per ticket request, with no
work behind it: the services' FastAPI app (``antre.web.make_app``: refusals, body limit, health,
an HTTP span per request under the services' tracer provider, no exporter) against bare FastAPI
and bare Starlette, each called in-process as ASGI (no socket, no server), 5,000 requests after
500 to warm up. Shows how much a lighter path for the kiosk's one hot endpoint could save."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from antre.telemetry import setup_tracing
from antre.web import make_app

PATH = "/api/v1/tickets"


class IssueRequest(BaseModel):  # the shape of ticketing's own request body
    service: str = Field(min_length=1, max_length=64)
    priority: str = Field(default="none", max_length=16)
    kiosk: str = Field(default="", max_length=64)


def fastapi_app(app: FastAPI) -> FastAPI:
    @app.post(PATH)
    async def issue(body: IssueRequest) -> JSONResponse:
        return JSONResponse({"id": "x", "service": body.service}, 201)

    return app


def starlette_app() -> Starlette:
    async def issue(request: Request) -> JSONResponse:
        body = IssueRequest.model_validate_json(await request.body())
        return JSONResponse({"id": "x", "service": body.service}, 201)

    return Starlette(routes=[Route(PATH, issue, methods=["POST"])])


async def post(app: Any, body: bytes) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    assert status == [201], status


async def cpu_per_request(app: Any, n: int = 5000) -> float:
    body = json.dumps({"service": "jkn"}).encode()
    for _ in range(500):
        await post(app, body)
    start = time.process_time()
    for _ in range(n):
        await post(app, body)
    return (time.process_time() - start) / n * 1e6


async def main() -> None:
    setup_tracing("bench")  # as a service's runtime does; without an OTLP endpoint nothing leaves
    apps = {
        "the services' app (antre.web.make_app)": fastapi_app(make_app("bench", "bench", None)),
        "bare FastAPI": fastapi_app(FastAPI()),
        "bare Starlette": starlette_app(),
    }
    print("| app | us CPU per request |\n|---|---|")
    for name, app in apps.items():
        print(f"| {name} | {await cpu_per_request(app):.0f} |")


if __name__ == "__main__":
    asyncio.run(main())
