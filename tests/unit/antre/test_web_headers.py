"""The security headers every service sends: on answers, refusals, 413s, 422s and 500s alike;
HSTS only over TLS; a looser policy on the API docs only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient

from antre.problems import NotFound
from antre.web import make_app

FIXED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",  # every page but the printed ticket, below
    "cross-origin-opener-policy": "same-origin",
}


def build(connect_src: Sequence[str] = ()) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield

    app = make_app("test", "test", lifespan, connect_src)

    @app.get("/page", response_class=HTMLResponse)
    async def page() -> str:
        return "<!doctype html><p>hi</p>"

    @app.get("/tickets/{ticket_id}/print", response_class=HTMLResponse)
    async def print_page(ticket_id: str) -> str:
        return "<!doctype html><p>ticket</p>"

    @app.get("/missing")
    async def missing() -> None:
        raise NotFound("x", "tidak ada", "not there")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/own", response_class=Response)
    async def own() -> Response:
        return Response("x", headers={"Content-Security-Policy": "default-src 'none'"})

    @app.post("/echo")
    async def echo(body: dict[str, str]) -> dict[str, str]:
        return body

    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build(), raise_server_exceptions=False) as test_client:
        yield test_client


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/page", None, 200),
        ("GET", "/missing", None, 404),
        ("GET", "/nowhere", None, 404),
        ("GET", "/boom", None, 500),
        ("POST", "/echo", {"a": "b\x00"}, 422),
        ("POST", "/echo", {"a": "b" * 70_000}, 413),
        ("GET", "/livez", None, 200),
    ],
)
def test_every_answer_carries_the_headers(
    client: TestClient, method: str, path: str, body: object, status: int
) -> None:
    answer = client.request(method, path, json=body)
    assert answer.status_code == status
    for name, value in FIXED.items():
        assert answer.headers[name] == value
    assert "camera=()" in answer.headers["permissions-policy"]
    policy = directives(answer.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "strict-transport-security" not in answer.headers  # plain HTTP


def test_hsts_only_over_tls() -> None:
    with TestClient(build(), base_url="https://hall.example") as tls:
        assert tls.get("/page").headers["strict-transport-security"].startswith("max-age=")


def test_the_docs_page_alone_runs_inline_script_and_loads_nothing_from_elsewhere(
    client: TestClient,
) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in docs.text
    assert "cdn.jsdelivr.net" not in docs.text and "fonts.googleapis" not in docs.text
    policy = directives(docs.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert all("http" not in source for sources in policy.values() for source in sources)
    assert policy["frame-ancestors"] == ["'none'"]
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    for path in ("/page", "/openapi.json", "/docs/assets/swagger-ui-bundle.js"):
        assert directives(client.get(path).headers["content-security-policy"])["script-src"] == ["'self'"]
    assert client.get("/redoc").status_code == 404  # it would load from a CDN: not served


def test_only_the_ticket_print_page_may_be_framed_and_only_by_its_own_origin(client: TestClient) -> None:
    # The kiosk prints it from a hidden frame of its own page.
    printed = client.get("/tickets/AbC-12_x/print")
    assert directives(printed.headers["content-security-policy"])["frame-ancestors"] == ["'self'"]
    assert printed.headers["x-frame-options"] == "SAMEORIGIN"
    for path in ("/page", "/tickets/AbC/print/more", "/x/tickets/AbC/print", "/tickets/AbC"):
        answer = client.get(path)
        assert directives(answer.headers["content-security-policy"])["frame-ancestors"] == ["'none'"]
        assert answer.headers["x-frame-options"] == "DENY"


def test_a_route_may_state_its_own_policy(client: TestClient) -> None:
    assert client.get("/own").headers["content-security-policy"] == "default-src 'none'"


def test_pages_may_be_allowed_further_origins() -> None:
    with TestClient(build(connect_src=["http://127.0.0.1:8102"])) as c:
        policy = directives(c.get("/page").headers["content-security-policy"])
    assert policy["connect-src"] == ["'self'", "http://127.0.0.1:8102"]
