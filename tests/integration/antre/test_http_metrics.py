"""Request metrics on a real service's app (notify, started by its lifespan, NATS out of reach):
a request is counted under its route's template and status, never under its raw path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from services.notify.bootstrap import create_app
from services.notify.settings import Settings
from tests.support.people import KnownPeople, bearer

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        hall_file=ROOT / "examples" / "kendari.yaml",
        state_dir=tmp_path,
        nats_url="nats://127.0.0.1:1",
        webhook_poll_seconds=60,
    )
    app = create_app(settings)

    @app.get("/test-only/broken/{part}")
    async def broken(part: str) -> None:
        raise RuntimeError(f"broken {part}")

    # An unexpected error is answered (500), then re-raised by Starlette: not into the test.
    with TestClient(app, headers=bearer("token-manager"), raise_server_exceptions=False) as test_client:
        test_client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
        yield test_client


def requests(client: TestClient) -> dict[tuple[str, str, str], float]:
    """``antre_http_requests_total`` as ``/metrics`` shows it: (method, route, status) -> count."""
    text = client.get("/metrics").text
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(text)
        if family.name == "antre_http_requests"
        for s in family.samples
        if s.name == "antre_http_requests_total"
    }


def seconds_count(client: TestClient, method: str, route: str) -> float:
    registry: CollectorRegistry = client.app.state.registry  # type: ignore[attr-defined]
    value = registry.get_sample_value("antre_http_request_seconds_count", {"method": method, "route": route})
    return value or 0.0


def test_a_request_is_counted_under_its_routes_template(client: TestClient) -> None:
    assert client.get("/api/v1/deliveries/4242").status_code == 404
    assert client.get("/api/v1/deliveries/4343").status_code == 404
    assert client.get("/api/v1/deliveries").status_code == 200

    counted = requests(client)

    assert counted[("GET", "/api/v1/deliveries/{delivery_id}", "404")] == 2
    assert counted[("GET", "/api/v1/deliveries", "200")] == 1
    assert not [key for key in counted if "4242" in key[1] or "4343" in key[1]]
    assert seconds_count(client, "GET", "/api/v1/deliveries/{delivery_id}") == 2


def test_unknown_paths_share_one_label(client: TestClient) -> None:
    for n in range(5):
        assert client.get(f"/wp-admin/setup-{n}.php").status_code == 404
    assert client.request("BREW", "/api/v1/deliveries").status_code == 405

    counted = requests(client)

    assert counted[("GET", "unmatched", "404")] == 5
    assert counted[("other", "/api/v1/deliveries", "405")] == 1
    assert not [key for key in counted if "setup" in key[1] or "wp-admin" in key[1]]


def test_an_unexpected_error_is_counted_as_a_500(client: TestClient) -> None:
    response = client.get("/test-only/broken/x1")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal"
    assert requests(client)[("GET", "/test-only/broken/{part}", "500")] == 1
