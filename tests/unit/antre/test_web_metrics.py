"""Request metrics of the shared web layer on a bare app: mounted files are counted under their
mount, and a request before the lifespan gave the app its runtime is simply not counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from antre.web import HttpMetrics, make_app


def app_with_files(folder: Path, registry: CollectorRegistry | None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.registry = registry or CollectorRegistry()
        if registry is not None:
            app.state.runtime = SimpleNamespace(http=HttpMetrics(registry))
        yield

    (folder / "board.css").write_text("body {}")
    app = make_app("test", "test", lifespan)
    app.mount("/static", StaticFiles(directory=folder), name="static")
    return app


def count(registry: CollectorRegistry, route: str, status: str) -> float:
    labels = {"method": "GET", "route": route, "status": status}
    return registry.get_sample_value("antre_http_requests_total", labels) or 0.0


def test_mounted_files_are_counted_under_the_mount(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    with TestClient(app_with_files(tmp_path, registry)) as client:
        assert client.get("/static/board.css").status_code == 200
        assert client.get("/static/secret-token-123.css").status_code == 404

    assert count(registry, "/static/{path}", "200") == 1
    assert count(registry, "/static/{path}", "404") == 1
    names = {s.labels.get("route") for f in registry.collect() for s in f.samples}
    assert not [n for n in names if n and "secret" in n]


def test_an_app_without_a_runtime_answers_uncounted(tmp_path: Path) -> None:
    with TestClient(app_with_files(tmp_path, None)) as client:
        assert client.get("/livez").text == "ok"
