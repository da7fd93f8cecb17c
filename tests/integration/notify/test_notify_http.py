"""Notify's HTTP side, the whole app started by its lifespan (migrations, hall file, metrics) with
NATS out of reach: the operators' listing of deliveries, the index, health and metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from antre.events import Envelope
from services.notify import handlers
from services.notify.bootstrap import create_app
from services.notify.settings import Settings
from tests.support.people import KnownPeople, bearer

ROOT = Path(__file__).resolve().parents[3]
HOOKS = """webhooks:
  - url: http://127.0.0.1:9/hook?token=rahasia
    agency: dukcapil
    events: [ticket.called]
"""


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    hall = (ROOT / "examples" / "kendari.yaml").read_text(encoding="utf-8")
    assert "webhooks: []\n" in hall
    (tmp_path / "hall.yaml").write_text(hall.replace("webhooks: []\n", HOOKS), encoding="utf-8")
    settings = Settings(
        hall_file=tmp_path / "hall.yaml",
        state_dir=tmp_path,
        nats_url="nats://127.0.0.1:1",  # never a shared server's stream: NATS is simply down here
        webhook_poll_seconds=60,  # the worker stays out of the way; these tests read, not send
    )
    with TestClient(create_app(settings), headers=bearer("token-manager")) as test_client:
        test_client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
        yield test_client


def deps_of(client: TestClient) -> handlers.Deps:
    return client.app.state.ctx.deps  # type: ignore[attr-defined]


def test_index_names_the_hall_and_hides_webhook_tokens(client: TestClient) -> None:
    body = client.get("/").json()

    assert body["service"] == "notify"
    assert body["hall"] == "kendari"
    assert body["webhooks"] == [
        {"url": "http://127.0.0.1:9/hook", "events": ["ticket.called"], "agency": "dukcapil"}
    ]


def test_deliveries_are_listed_newest_first_and_filtered_by_state(
    client: TestClient, ticket_called: Callable[..., Envelope]
) -> None:
    deps = deps_of(client)
    older, newer = ticket_called(), ticket_called()
    handlers.on_events(deps, [older])
    handlers.on_events(deps, [newer])

    listed = client.get("/api/v1/deliveries").json()["deliveries"]

    assert [d["event_id"] for d in listed] == [newer.event_id, older.event_id]
    first = listed[0]
    assert first["state"] == "pending"
    assert first["attempts"] == 0
    assert first["event"] == "ticket.called"
    assert first["url"] == "http://127.0.0.1:9/hook"
    assert first["next_attempt_at"].endswith("Z")
    assert client.get("/api/v1/deliveries", params={"state": "pending", "limit": 1}).json()["deliveries"] == [
        first
    ]
    assert client.get("/api/v1/deliveries", params={"state": "delivered"}).json() == {"deliveries": []}

    detail = client.get(f"/api/v1/deliveries/{first['id']}").json()
    assert detail["payload"]["ticket"]["number"] == "B-012"
    assert detail["payload"]["event_id"] == newer.event_id


def test_unknown_state_and_delivery_are_refused_in_both_languages(client: TestClient) -> None:
    bad = client.get("/api/v1/deliveries", params={"state": "lost"})
    missing = client.get("/api/v1/deliveries/nope")

    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "unknown_state"
    assert bad.json()["error"]["message"].startswith("Status 'lost' tidak dikenal")
    assert missing.status_code == 404
    assert missing.json()["error"]["message_en"] == "Delivery not found"
    assert client.get("/api/v1/deliveries", params={"limit": 0}).status_code == 422


def test_deliveries_are_for_the_hall_manager_only(client: TestClient) -> None:
    """They hold what citizens were sent, booking codes among it."""
    for headers, status, code in (
        ({"Authorization": ""}, 401, "signed_out"),
        (bearer("forged"), 401, "signed_out"),
        (bearer("token-officer"), 403, "role_required"),
    ):
        for url in ("/api/v1/deliveries", "/api/v1/deliveries/nope"):
            refused = client.get(url, headers=headers)
            assert (refused.status_code, refused.json()["error"]["code"]) == (status, code), url


def test_health_and_metrics(client: TestClient) -> None:
    assert client.get("/livez").text == "ok"
    assert client.get("/readyz").json() == {"database": True, "nats": False}
    metrics = client.get("/metrics").text
    assert "antre_deliveries_pending" in metrics
    assert 'antre_deliveries_total{outcome="retry"} 0.0' in metrics
    assert "antre_delivery_seconds_bucket" in metrics
