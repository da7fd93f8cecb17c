"""The SKM survey's routes on the whole reports app (SQLite and PostgreSQL): what a citizen's
phone, a counter's tablet and a supervisor are answered, the refusals as bilingual JSON, and the
limit on unknown ticket ids per client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.reports import handlers
from services.reports.bootstrap import create_app
from services.reports.entrypoints.survey_http import WrongIds
from services.reports.settings import Settings
from tests.integration.display.display_live import UNREACHABLE_NATS
from tests.support.infra import unique, write_hall
from tests.support.people import KnownPeople, bearer
from tests.support.stores import drop_schema, pg_url
from tests.support.survey_visits import record_visit

FOURS = {f"u{i}": 4 for i in range(1, 10)}
WRONG_IDS = 3


@pytest.fixture
def client(backend: str, tmp_path: Path) -> Iterator[TestClient]:
    schema = unique("t_") if backend == "postgresql" else ""
    settings = Settings(
        hall_file=write_hall(tmp_path, unique("h")),
        state_dir=tmp_path / "state",
        nats_url=UNREACHABLE_NATS,  # events wait in the outbox
        database_url=(pg_url() or "") if schema else "",
        database_schema=schema,
        survey_wrong_ids_per_hour=WRONG_IDS,
    )
    try:
        with TestClient(create_app(settings)) as client:
            client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
            yield client
    finally:
        drop_schema(schema)


def deps_of(client: TestClient) -> handlers.Deps:
    return client.app.state.ctx.deps  # type: ignore[attr-defined,no-any-return]


def visit(client: TestClient, counter: int = 1, fate: str = "served", ago: float = 2) -> tuple[str, str]:
    deps = deps_of(client)
    service = "jkn" if counter == 17 else "ktp-el"
    return record_visit(deps, service, counter, deps.uow.clock() - dt.timedelta(minutes=ago), fate)


def refusal(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and error["message_en"]
    return error  # type: ignore[no-any-return]


# ---- the citizen ----


def test_a_citizen_answers_a_completed_visit(client: TestClient) -> None:
    ticket_id, number = visit(client)

    shown = client.get(f"/api/v1/surveys/{ticket_id}").json()
    assert (shown["answerable"], shown["answered"], shown["scores"]) == (True, False, None)
    assert shown["ticket"]["number"] == number and shown["ticket"]["agency_name"]
    assert [u["code"] for u in shown["form"]["unsur"]] == [f"u{i}" for i in range(1, 10)]
    first = shown["form"]["unsur"][0]
    assert first["question"].endswith("?") and first["question_en"].endswith("?")
    assert [a["score"] for a in first["answers"]] == [1, 2, 3, 4]

    body = {"scores": FOURS, "age": 34, "sex": "P", "suggestion": "Nomor telepon saya 0812"}
    answered = client.put(f"/api/v1/surveys/{ticket_id}", json=body)

    assert answered.status_code == 200
    again = client.get(f"/api/v1/surveys/{ticket_id}")
    assert again.json()["scores"] == FOURS and again.json()["changeable_until"]
    # What the respondent told about themselves never comes back to whoever holds the ticket.
    for text in (answered.text, again.text):
        assert "0812" not in text and '"age":34' not in text.replace(" ", "")


def test_the_citizens_refusals(client: TestClient) -> None:
    ticket_id, _ = visit(client)
    missed, _ = visit(client, fate="no_show")
    url = f"/api/v1/surveys/{ticket_id}"

    assert refusal(client.put(url, json={"scores": {**FOURS, "u2": 5}}), 422)["code"] == "skm_score_invalid"
    without_u9 = {k: v for k, v in FOURS.items() if k != "u9"}
    assert refusal(client.put(url, json={"scores": without_u9}), 422)["unsur"] == "u9"
    assert refusal(client.put(url, json={"scores": FOURS, "sex": "X"}), 422)["code"] == "skm_sex_unknown"
    assert client.get(url).json()["answered"] is False  # nothing was written
    not_done = client.put(f"/api/v1/surveys/{missed}", json={"scores": FOURS})
    assert refusal(not_done, 409)["code"] == "survey_visit_not_completed"
    assert client.get(f"/api/v1/surveys/{missed}").json()["answerable"] is False

    assert client.put(url, json={"scores": FOURS}).status_code == 200
    deps = deps_of(client)
    later = deps.uow.clock() + dt.timedelta(minutes=31)
    deps.uow.clock = lambda: later
    final = client.put(url, json={"scores": {**FOURS, "u1": 1}})
    assert refusal(final, 409)["code"] == "survey_final"
    assert client.get(url).json()["scores"] == FOURS


def test_unknown_ids_are_limited_and_then_every_id_looks_alike(client: TestClient) -> None:
    known, _ = visit(client)
    for n in range(WRONG_IDS - 1):
        assert refusal(client.get(f"/api/v1/surveys/unknown-{n}"), 404)["code"] == "survey_ticket_unknown"
    assert client.get(f"/api/v1/surveys/{known}").status_code == 200  # a known id does not count
    assert refusal(client.put("/api/v1/surveys/unknown-x", json={"scores": FOURS}), 404)

    for url in (f"/api/v1/surveys/{known}", "/api/v1/surveys/unknown-y"):
        for answer in (client.get(url), client.put(url, json={"scores": FOURS})):
            error = refusal(answer, 429)
            assert error["code"] == "too_many_unknown_tickets" and 0 < error["retry_after"] <= 3600
    bad_fields = client.put(f"/api/v1/surveys/{known}", json={"scores": FOURS, "sex": "X"})
    assert refusal(bad_fields, 429)["code"] == "too_many_unknown_tickets"  # refused before anything else
    assert client.get(f"/api/v1/surveys/{known}").json() == client.get("/api/v1/surveys/unknown-z").json()


def test_the_limit_is_per_client_and_per_hour() -> None:
    clock = [7200.0]
    guard = WrongIds(2, clock=lambda: clock[0])
    guard.count("a")
    guard.count("a")
    with pytest.raises(Exception, match="too_many_unknown_tickets"):
        guard.check("a")
    guard.check("b")
    clock[0] += 3600
    guard.check("a")  # a new hour


def test_the_pages(client: TestClient) -> None:
    phone = client.get("/survey/some-ticket")
    tablet = client.get("/survey/tablet")

    assert phone.status_code == tablet.status_code == 200
    assert "script-src 'self'" in phone.headers["content-security-policy"]
    assert 'src="/static/survey.js"' in phone.text and 'src="/static/tablet.js"' in tablet.text
    assert '<meta name="antre-counters" content="http' in tablet.text
    assert client.get("/survey?ticket=some-ticket").text == phone.text  # as a message may link it


# ---- the tablet ----


def test_the_tablet_offers_the_counters_last_visit_and_hides_the_answers(client: TestClient) -> None:
    ticket_id, number = visit(client, counter=1)
    officer = bearer("token-officer")
    url = "/api/v1/surveys/counters/1/pending"

    assert refusal(client.get(url), 401)["code"] == "signed_out"
    pending = client.get(url, headers=officer).json()
    assert pending["pending"]["number"] == number and len(pending["form"]["unsur"]) == 9
    done = client.put(url, json={"scores": FOURS, "number": number}, headers=officer)

    assert done.json() == {"answered": True, "number": number}
    assert client.get(url, headers=officer).json()["pending"] is None
    assert client.get(f"/api/v1/surveys/{ticket_id}").json()["scores"] == FOURS


def test_the_tablet_of_another_agencys_counter_is_refused(client: TestClient) -> None:
    _, number = visit(client, counter=17)
    url = "/api/v1/surveys/counters/17/pending"
    officer = bearer("token-officer")  # Dukcapil's

    assert refusal(client.get(url, headers=officer), 403)["code"] == "other_agency"
    put = client.put(url, json={"scores": FOURS, "number": number}, headers=officer)
    assert refusal(put, 403)["code"] == "other_agency"
    assert client.get(url, headers=bearer("token-supervisor-bpjs")).json()["pending"]["number"] == number
    assert refusal(client.get("/api/v1/surveys/counters/99/pending", headers=officer), 404)


def test_the_tablet_refuses_an_answer_for_a_visit_no_longer_pending(client: TestClient) -> None:
    _, shown = visit(client, counter=1, ago=3)
    visit(client, counter=1, ago=1)
    put = client.put(
        "/api/v1/surveys/counters/1/pending",
        json={"scores": FOURS, "number": shown},
        headers=bearer("token-officer"),
    )
    assert refusal(put, 409)["code"] == "survey_pending_moved"


# ---- the index ----


def test_the_ikm_by_role(client: TestClient) -> None:
    for counter in (1, 17):
        ticket_id, _ = visit(client, counter=counter)
        client.put(f"/api/v1/surveys/{ticket_id}", json={"scores": FOURS})
    today = deps_of(client).hall.day_of(deps_of(client).uow.clock()).isoformat()
    query = f"/api/v1/skm?from={today}&to={today}"

    hall = client.get(f"{query}&by=agency", headers=bearer("token-manager")).json()
    assert hall["agency"] is None and [g["key"] for g in hall["groups"]] == ["dukcapil", "bpjs"]
    assert hall["total"]["ikm"] == 100.0 and hall["total"]["grade"]["label"] == "Sangat Baik"
    assert hall["total"]["served"] == 2 and hall["total"]["sample"]["enough"] is True
    own = client.get(f"{query}&by=service", headers=bearer("token-supervisor")).json()
    assert own["agency"] == "dukcapil" and [g["key"] for g in own["groups"]] == ["ktp-el"]
    assert own["total"]["name"] == "Disdukcapil" or own["total"]["name"]
    other = client.get(f"{query}&agency=bpjs", headers=bearer("token-supervisor"))
    assert refusal(other, 403)["code"] == "other_agency"
    assert refusal(client.get(query, headers=bearer("token-officer")), 403)["code"] == "role_required"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ("from=2026-13-01&to=2026-12-31", "skm_date_invalid"),
        ("from=20260101&to=2026-12-31", "skm_date_invalid"),
        ("to=2026-12-31", "skm_date_invalid"),
        ("from=2026-03-10&to=2026-03-09", "skm_period_reversed"),
        ("from=2025-01-01&to=2026-01-02", "skm_period_too_long"),
        ("from=2026-03-10&to=2026-03-10&by=officer", "skm_by_unknown"),
        ("from=2026-03-10&to=2026-03-10&agency=kemenag", "agency_unknown"),
    ],
)
def test_reports_that_cannot_be_made_are_refused(client: TestClient, params: str, code: str) -> None:
    answer = client.get(f"/api/v1/skm?{params}", headers=bearer("token-manager"))
    assert refusal(answer, 404 if code == "agency_unknown" else 422)["code"] == code
