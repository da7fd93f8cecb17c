"""Only an enrolled board tells the display what became of an announcement: a report without a
board's live token (none, forged, revoked, replaced, or a person's sign-in token) is refused with a
bilingual 401 ``device_required`` and records nothing, so a live board's later report still counts
as the first. Service messages need a person signed in at the counters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from antre import devices
from services.display import handlers
from services.display.adapters import repository as repo
from services.display.adapters import tables
from tests.integration.display.display_live import LiveDisplay
from tests.support.infra import unique
from tests.support.people import KnownPeople, bearer
from tests.support.stores import BACKENDS, drop_schema, pg_url
from tests.unit.display import display_factories as f

ZONE = "lantai-1-a"
REPORT = {"outcome": "spoken", "via": "clips"}
OUTCOME = f"/api/v1/zones/{ZONE}/announcements/1/outcome"


@pytest.fixture(params=BACKENDS)
def display(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveDisplay]:
    schema = unique("t_") if request.param == "postgresql" else ""
    store = {"database_url": pg_url() or "", "database_schema": schema} if schema else {}
    live = LiveDisplay(tmp_path, **store).start()
    live.app.state.people = KnownPeople()
    handlers.on_hall_events(
        live.deps, [f.called(live.deps.hall, "t1", "A-001", "ktp-el", 3, dt.datetime.now(dt.UTC))]
    )
    try:
        yield live
    finally:
        live.stop()
        drop_schema(schema)


def outcomes(display: LiveDisplay) -> dict[int, str]:
    with display.deps.uow.read() as conn:
        return repo.outcomes(conn, ZONE)


def counted(display: LiveDisplay) -> float:
    return f.sample(
        display.deps.metrics.outcomes, "antre_announcement_outcomes_total", zone=ZONE, outcome="spoken"
    )


def refused(response: httpx.Response, code: str) -> None:
    assert response.status_code == 401, response.text
    problem = response.json()["error"]
    assert problem["code"] == code
    assert problem["message"] and problem["message_en"] and problem["message"] != problem["message_en"]


def test_a_report_from_anything_but_a_live_board_is_refused_and_records_nothing(display: LiveDisplay) -> None:
    revoked = display.board_token("papan-lama")
    devices.revoke_audited(display.deps.uow, tables.devices, display.hall_id, None, "papan-lama", "board")
    replaced = devices.enrol_audited(
        display.deps.uow, tables.devices, display.hall_id, None, "papan-1", "board"
    )
    live = display.board_token("papan-1")  # enrolled again: the first token stops working
    assert live != replaced
    strangers = [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Basic {live}"},  # the right secret, not as a bearer token
        bearer("forged-" + live[7:]),
        bearer(revoked),
        bearer(replaced),
        bearer("token-officer"),  # an officer signed in at the counters is not a board
        bearer("token-manager"),
    ]
    with display.client() as c:
        for headers in strangers:
            refused(c.post(OUTCOME, json=REPORT, headers=headers), "device_required")
            refused(c.post(OUTCOME, json={"outcome": "stale", "via": ""}, headers=headers), "device_required")
        assert outcomes(display) == {} and counted(display) == 0

        first = c.post(OUTCOME, json=REPORT, headers=bearer(live))
        assert first.status_code == 200 and first.json()["counted"] is True
        assert c.post(OUTCOME, json=REPORT, headers=bearer(live)).status_code == 202
    assert outcomes(display) == {1: "spoken"} and counted(display) == 1


def test_a_service_message_needs_a_person_signed_in(display: LiveDisplay) -> None:
    body = {"zones": [ZONE], "text": "Mohon perhatian"}
    before = handlers.announcements_after(display.deps, ZONE, 0, 100)
    with display.client() as c:
        refused(c.post("/api/v1/announcements", json=body), "signed_out")
        refused(c.post("/api/v1/announcements", json=body, headers=bearer("tidak-dikenal")), "signed_out")
        refused(
            c.post("/api/v1/announcements", json=body, headers=bearer(display.board_token())), "signed_out"
        )
        assert handlers.announcements_after(display.deps, ZONE, 0, 100) == before
        assert c.post("/api/v1/announcements", json=body, headers=bearer("token-officer")).status_code == 201


def test_a_manager_enrols_and_revokes_a_board_over_http(display: LiveDisplay) -> None:
    with display.client() as c:
        refused(c.post("/api/v1/boards/papan-2/token"), "signed_out")
        assert c.post("/api/v1/boards/papan-2/token", headers=bearer("token-officer")).status_code == 403
        enrolled = c.post("/api/v1/boards/papan-2/token", headers=bearer("token-manager"))
        assert enrolled.status_code == 201, enrolled.text
        token = enrolled.json()["token"]
        listed = c.get("/api/v1/boards", headers=bearer("token-manager")).json()["boards"]
        assert [(b["id"], b["revoked_at"]) for b in listed] == [("papan-2", None)]

        gone = c.delete("/api/v1/boards/papan-2/token", headers=bearer("token-manager"))
        assert gone.status_code == 204
        refused(c.post(OUTCOME, json=REPORT, headers=bearer(token)), "device_required")
        assert outcomes(display) == {}
