"""Walk-in numbers come only from enrolled kiosks: without a kiosk's token nothing is issued (the
quota flood of one anonymous client), a kiosk is held to its pace, a revoked or replaced token
stops at once, a kiosk acts on its own tickets only, and a retried issue gets the same ticket."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.ticketing.domain.kiosks import IssueRate
from services.ticketing.handlers import kiosks
from tests.support.people import KnownPeople
from tests.support.ticketing_app import deps_of, ticketing_client

SERVICE = "ktp-el"


@pytest.fixture
def client(backend: str, tmp_path: Path, nats_url: str) -> Iterator[TestClient]:
    with ticketing_client(backend, tmp_path, nats_url) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def walk_in_left(client: TestClient) -> int:
    return int(
        client.get(f"/api/v1/services/{SERVICE}/pool", params={"day": today(client)}).json()["walk_in_left"]
    )


def today(client: TestClient) -> str:
    deps = deps_of(client)
    return deps.hall.day_of(deps.uow.clock()).isoformat()


def test_no_number_without_an_enrolled_kiosks_token(client: TestClient) -> None:
    left = walk_in_left(client)
    for headers in ({"Authorization": ""}, bearer("forged"), {"Authorization": "Basic a2lvc2s="}):
        for _ in range(5):
            refused = client.post("/api/v1/tickets", json={"service": SERVICE}, headers=headers)
            assert refused.status_code == 401 and refused.json()["error"]["code"] == "device_required"
    assert walk_in_left(client) == left  # the flood took nothing


def test_a_kiosk_is_held_to_a_persons_pace(client: TestClient) -> None:
    deps = deps_of(client)
    deps.issue_rate = IssueRate(5)
    answers = [client.post("/api/v1/tickets", json={"service": SERVICE}).status_code for _ in range(8)]
    assert answers == [201] * 5 + [429] * 3
    other = client.post("/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-2"})
    assert other.status_code == 201  # another kiosk has its own pace


def test_a_replaced_or_revoked_token_stops_at_once(client: TestClient) -> None:
    deps = deps_of(client)
    old = client.kiosk_tokens["kiosk-1"]  # type: ignore[attr-defined]
    new = kiosks.enrol(deps, None, "kiosk-1")
    assert client.post("/api/v1/tickets", json={"service": SERVICE}, headers=bearer(old)).status_code == 401
    assert client.post("/api/v1/tickets", json={"service": SERVICE}, headers=bearer(new)).status_code == 201
    assert kiosks.revoke(deps, None, "kiosk-1")
    assert client.post("/api/v1/tickets", json={"service": SERVICE}, headers=bearer(new)).status_code == 401
    assert [k.enrolled for k in kiosks.listed(deps)] == [False, True]


def test_a_kiosk_acts_on_its_own_tickets_and_speaks_for_no_other(client: TestClient) -> None:
    tokens = client.kiosk_tokens  # type: ignore[attr-defined]
    printing = client.post("/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-2"}).json()
    for outcome in ("printed", "print-failed"):
        refused = client.post(
            f"/api/v1/tickets/{printing['id']}/{outcome}", headers=bearer(tokens["kiosk-1"])
        )
        assert refused.status_code == 404  # as an unknown ticket: nothing learnt of another kiosk
    assert client.get(f"/api/v1/tickets/{printing['id']}").json()["state"] == "printing"
    posing = client.post(
        "/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-2"}, headers=bearer(tokens["kiosk-1"])
    )
    assert posing.status_code == 403 and posing.json()["error"]["code"] == "other_kiosk"


def test_a_retried_issue_gets_the_ticket_its_first_try_made(client: TestClient) -> None:
    left = walk_in_left(client)
    key = {"Idempotency-Key": "press-0001"}
    first = client.post("/api/v1/tickets", json={"service": SERVICE}, headers=key).json()

    def retry(_: int) -> str:
        return str(client.post("/api/v1/tickets", json={"service": SERVICE}, headers=key).json()["id"])

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(retry, range(16))) == {first["id"]}
    assert walk_in_left(client) == left - 1
    other = client.post(
        "/api/v1/tickets", json={"service": SERVICE}, headers={"Idempotency-Key": "press-0002"}
    )
    assert other.json()["number"] != first["number"]
    bad = client.post("/api/v1/tickets", json={"service": SERVICE}, headers={"Idempotency-Key": "a b"})
    assert bad.status_code == 422


def test_a_manager_enrols_and_revokes_kiosks_of_the_hall_file_only(client: TestClient) -> None:
    client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
    manager = bearer("token-manager")
    assert client.post("/api/v1/kiosks/kiosk-1/token").status_code == 401
    assert client.post("/api/v1/kiosks/kiosk-1/token", headers=bearer("token-officer")).status_code == 403
    assert client.post("/api/v1/kiosks/kiosk-99/token", headers=manager).status_code == 404
    enrolled = client.post("/api/v1/kiosks/kiosk-1/token", headers=manager)
    assert enrolled.status_code == 201
    token = enrolled.json()["token"]
    assert client.post("/api/v1/tickets", json={"service": SERVICE}, headers=bearer(token)).status_code == 201
    listed = client.get("/api/v1/kiosks", headers=manager).json()["kiosks"]
    assert {k["id"]: k["revoked_at"] for k in listed} == {"kiosk-1": None, "kiosk-2": None}
    assert client.delete("/api/v1/kiosks/kiosk-1/token", headers=manager).status_code == 204
    assert client.post("/api/v1/tickets", json={"service": SERVICE}, headers=bearer(token)).status_code == 401
