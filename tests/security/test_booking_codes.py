"""A booking code is the key to a citizen's name and booking: looking codes up one after another
counts as guessing them (ten unknown codes an hour per client), and only an enrolled kiosk checks
a booking in, where its citizen stands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.ticketing_app import ticketing_client

UNKNOWN = [f"ZZZZZZ{a}{b}" for a in "23" for b in "456789"]  # well formed, never issued


@pytest.fixture
def client(backend: str, tmp_path: Path, nats_url: str) -> Iterator[TestClient]:
    with ticketing_client(backend, tmp_path, nats_url) as test_client:
        yield test_client


def book(client: TestClient) -> dict[str, str]:
    days = client.get("/api/v1/services/ktp-el/sessions").json()["days"]
    day = next(d for d in days if d["sessions"])
    body = {
        "service": "ktp-el",
        "day": day["day"],
        "session": day["sessions"][0]["start"],
        "nik": "7471010101900007",
        "name": "Wa Ode",
        "phone": "081200000007",
    }
    made = client.post("/api/v1/bookings", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_looking_codes_up_one_after_another_is_limited(client: TestClient) -> None:
    made = book(client)
    assert client.get(f"/api/v1/bookings/{made['code']}").json()["name"] == "Wa Ode"
    answers = [client.get(f"/api/v1/bookings/{code}").status_code for code in UNKNOWN]
    assert answers == [404] * 10 + [429] * 2
    blocked = client.get(f"/api/v1/bookings/{made['code']}")
    assert (blocked.status_code, blocked.json()["error"]["code"]) == (429, "too_many_wrong_niks")
    assert "Wa Ode" not in blocked.text


def test_only_an_enrolled_kiosk_checks_a_booking_in(client: TestClient) -> None:
    made = book(client)
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer forged"}):
        refused = client.post(f"/api/v1/bookings/{made['code']}/check-in", json={}, headers=headers)
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "device_required")
    assert client.get(f"/api/v1/bookings/{made['code']}").json()["state"] == "booked"
