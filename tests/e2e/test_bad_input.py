"""Bad input gets a clear 4xx in Bahasa Indonesia and English, never a 500, and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.hall import RunningHall

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def hall(
    tmp_path_factory: pytest.TempPathFactory, nats_url: str, pg_url: str | None
) -> Iterator[RunningHall]:
    running = RunningHall(Path(tmp_path_factory.mktemp("bad")), nats_url, pg_url, ("ticketing", "counters"))
    running.start()
    running.add_officer("capil", "dukcapil")
    running.add_officer("samsat", "samsat")
    yield running
    running.stop()


def assert_refused(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and error["message_en"]
    if code:
        assert error["code"] == code


def issued_count(hall: RunningHall) -> int:
    with hall.client("counters") as c:
        return sum(c.get("/api/v1/queues").json()["waiting"].values())


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"service": "paspor"}, 404, "unknown_service"),
        ({"service": "ktp-el", "priority": "vip"}, 422, "unknown_priority"),
        ({"service": "ktp-el", "kiosk": "kiosk-99"}, 403, "other_kiosk"),  # the token names kiosk-1
        ({}, 422, "invalid_request"),
        ({"service": ""}, 422, "invalid_request"),
        ({"service": "x" * 500}, 422, "invalid_request"),
        ({"service": 12}, 422, "invalid_request"),
        ([1, 2, 3], 422, "invalid_request"),
    ],
)
def test_bad_ticket_requests(hall: RunningHall, body: object, status: int, code: str) -> None:
    with hall.client("ticketing") as c:
        assert_refused(c.post("/api/v1/tickets", json=body), status, code)


def test_malformed_and_oversized_bodies(hall: RunningHall) -> None:
    with hall.client("ticketing") as c:
        malformed = c.post(
            "/api/v1/tickets", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert_refused(malformed, 422, "invalid_request")
        huge = c.post(
            "/api/v1/tickets",
            content=b'{"service": "' + b"a" * 200_000 + b'"}',
            headers={"content-type": "application/json"},
        )
        assert_refused(huge, 413, "body_too_large")

        def chunks():  # no Content-Length: the limit must hold while reading
            for _ in range(100):
                yield b"a" * 4096

        streamed = c.post("/api/v1/tickets", content=chunks(), headers={"content-type": "application/json"})
        assert_refused(streamed, 413, "body_too_large")
        assert_refused(c.get("/api/v1/tickets/no-such-ticket"), 404, "unknown_ticket")
        assert_refused(c.post("/api/v1/tickets/no-such-ticket/printed"), 404, "unknown_ticket")


def test_officers_wrong_counter_wrong_password(hall: RunningHall) -> None:
    with hall.client("counters") as c:
        assert_refused(
            c.post("/api/v1/sessions", json={"username": "capil", "password": "salah-sekali"}),
            401,
            "bad_credentials",
        )
        assert_refused(c.post("/api/v1/counters/1/call-next"), 401, "signed_out")
        assert_refused(
            c.post("/api/v1/counters/1/call-next", headers={"Authorization": "Bearer forged"}), 401
        )
        samsat = hall.sign_in("samsat")
        capil = hall.sign_in("capil")
        assert_refused(c.post("/api/v1/counters/1/open", headers=samsat), 403, "wrong_agency")
        assert_refused(c.post("/api/v1/counters/99/open", headers=capil), 404, "unknown_counter")
        assert_refused(c.post("/api/v1/counters/abc/open", headers=capil), 422, "invalid_request")
        assert_refused(c.post("/api/v1/counters/2/call-next", headers=capil), 409, "counter_closed")
        assert c.post("/api/v1/counters/2/open", headers=capil).status_code == 200
        hall.add_officer("capil2", "dukcapil")
        other = hall.sign_in("capil2")
        assert_refused(c.post("/api/v1/counters/2/call-next", headers=other), 403, "counter_taken")
        assert_refused(c.post("/api/v1/counters/2/complete", headers=capil), 409, "no_current_ticket")
        assert_refused(c.post("/api/v1/counters/2/transfer", headers=capil, json={"service": "nope"}), 404)
        assert_refused(c.post("/api/v1/counters/2/transfer", headers=capil, json={}), 422, "invalid_request")
        assert c.post("/api/v1/counters/2/close", headers=capil).status_code == 200


def test_refusals_change_nothing(hall: RunningHall) -> None:
    before = issued_count(hall)
    with hall.client("ticketing") as c:
        for body in ({"service": "paspor"}, {"service": "ktp-el", "priority": "vip"}, {}):
            assert c.post("/api/v1/tickets", json=body).status_code in (404, 422)
        first = c.post("/api/v1/tickets", json={"service": "jkn"}).json()
    assert first["number"].endswith("-001")  # the refusals used up no number
    assert issued_count(hall) in (before, before + 1)  # the new ticket may not be queued yet
