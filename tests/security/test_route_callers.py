"""Every route of every service says who may call it: a citizen (public), a device (a kiosk, a
board), a person signed in, a person in a role, or another of the hall's services. The table
below is that list; a route missing from it fails here, so a new route must name its caller.
Each route that is not public is tried without credentials (refused), and a role's route with a
person of a lower role (refused), a device's route with a person (refused)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from antre.roles import Role
from services.counters.bootstrap import create_app as counters_app
from services.counters.domain.stations import Officer
from services.counters.handlers import accounts
from services.counters.settings import Settings as CountersSettings
from services.notify.bootstrap import create_app as notify_app
from services.notify.settings import Settings as NotifySettings
from services.reports.bootstrap import create_app as reports_app
from services.reports.settings import Settings as ReportsSettings
from tests.integration.display.display_live import UNREACHABLE_NATS
from tests.support.infra import unique, write_hall
from tests.support.people import KnownPeople, bearer
from tests.support.ticketing_app import ticketing_client

PUBLIC, PERSON, SUPERVISOR, MANAGER = "public", "person", "supervisor", "manager"
KIOSK, BOARD, API_KEY, SERVICE = "kiosk", "board", "api-key", "service"

CALLERS: dict[str, dict[str, str]] = {
    "ticketing": {
        "GET /api/v1/hall": PUBLIC,
        "GET /api/v1/queues": PUBLIC,  # counts and forecast times per service, no one's data; cached
        "POST /api/v1/tickets": KIOSK,
        "GET /api/v1/tickets/{ticket_id}": PUBLIC,  # the ticket's id is the citizen's key
        "POST /api/v1/tickets/{ticket_id}/printed": KIOSK,
        "POST /api/v1/tickets/{ticket_id}/print-failed": KIOSK,
        "GET /api/v1/tickets/{ticket_id}/escpos": PUBLIC,
        "GET /api/v1/tickets/{ticket_id}/qr.svg": PUBLIC,
        "GET /api/v1/tickets/{ticket_id}/events": PUBLIC,
        "GET /api/v1/services/{service}/sessions": PUBLIC,
        "GET /api/v1/services/{service}/pool": PUBLIC,
        "POST /api/v1/phone-codes": PUBLIC,  # limited per phone and per client
        "POST /api/v1/bookings": PUBLIC,  # limited; a phone proved by its code
        "GET /api/v1/bookings/{code}": PUBLIC,  # unknown codes count as wrong guesses
        "POST /api/v1/bookings/{code}/cancel": PUBLIC,  # with the NIK; wrong NIKs lock the code
        "POST /api/v1/bookings/{code}/reschedule": PUBLIC,
        "POST /api/v1/bookings/{code}/unlock": API_KEY,  # the help desk's
        "POST /api/v1/bookings/{code}/check-in": KIOSK,
        "GET /api/v1/kiosks": MANAGER,
        "POST /api/v1/kiosks/{device_id}/token": MANAGER,
        "DELETE /api/v1/kiosks/{device_id}/token": MANAGER,
        "POST /api/v1/kiosks/me/heartbeat": KIOSK,
    },
    "counters": {
        "POST /api/v1/sessions": PUBLIC,  # slowed down after failures
        "DELETE /api/v1/sessions/current": PERSON,
        "GET /api/v1/me": PERSON,
        "PUT /api/v1/me/password": PERSON,
        "GET /api/v1/officers": SUPERVISOR,
        "PUT /api/v1/officers/{username}": SUPERVISOR,  # whose account: the rules in the handler
        "POST /api/v1/officers/{username}/disable": SUPERVISOR,
        "POST /api/v1/officers/{username}/enable": SUPERVISOR,
        "GET /api/v1/counters": PERSON,
        "GET /api/v1/counters/{number}": PERSON,
        "GET /api/v1/counters/{number}/events": PERSON,
        **{
            f"POST /api/v1/counters/{{number}}/{action}": PERSON
            for action in (
                "open",
                "pause",
                "resume",
                "close",
                "call-next",
                "recall",
                "start",
                "complete",
                "skip",
                "transfer",
                "call-number",
                "hold",
                "call-held",
                "return",
            )
        },
        "GET /api/v1/queues": PUBLIC,  # counts only
        "GET /api/v1/tickets/{ticket_id}/position": PUBLIC,
        "GET /api/v1/services/{service}/positions": PUBLIC,  # keyed by a hash of each ticket's id
        "GET /api/v1/tickets/{ticket_id}/forecast": PUBLIC,
        "GET /api/v1/services/{service}/forecasts": PUBLIC,
    },
    "display": {
        "GET /api/v1/zones": PUBLIC,
        "GET /api/v1/zones/{zone}/board": PUBLIC,  # what the hall's screens show anyway
        "GET /api/v1/zones/{zone}/announcements": PUBLIC,
        "GET /api/v1/zones/{zone}/events": PUBLIC,
        "GET /voice/manifest.json": PUBLIC,
        "GET /voice/{file}": PUBLIC,
        "POST /api/v1/announcements": PERSON,
        "POST /api/v1/zones/{zone}/announcements/{seq}/outcome": BOARD,
        "GET /api/v1/boards": MANAGER,
        "POST /api/v1/boards/{device_id}/token": MANAGER,
        "DELETE /api/v1/boards/{device_id}/token": MANAGER,
        "POST /api/v1/boards/me/heartbeat": BOARD,
    },
    "notify": {
        "GET /api/v1/deliveries": MANAGER,
        "GET /api/v1/deliveries/{delivery_id}": MANAGER,
        "POST /api/v1/opt-out": PUBLIC,  # with the proof the address is the caller's
        "POST /api/v1/phone-codes": SERVICE,
        "POST /api/v1/phone-codes/{code_id}/check": SERVICE,
    },
    "reports": {
        # reports and exports
        "GET /reports": PUBLIC,  # the page's shell: it holds no data
        "GET /api/v1/reports": SUPERVISOR,  # a supervisor's own agency
        "GET /api/v1/reports.csv": SUPERVISOR,
        "GET /api/v1/reports.xlsx": SUPERVISOR,
        "GET /api/v1/reports/monthly.pdf": SUPERVISOR,
        # the live hall
        "GET /hall": PUBLIC,  # the page's shell: it holds no data
        "GET /api/v1/hall/live": SUPERVISOR,  # a supervisor's own agency
        "GET /api/v1/hall/live/events": SUPERVISOR,
        # the SKM survey
        "GET /api/v1/surveys/{ticket_id}": PUBLIC,  # the ticket's id is the key; unknown ids limited
        "PUT /api/v1/surveys/{ticket_id}": PUBLIC,
        "GET /api/v1/surveys/counters/{number}/pending": PERSON,  # of the counter's agency
        "PUT /api/v1/surveys/counters/{number}/pending": PERSON,
        "GET /api/v1/skm": SUPERVISOR,  # a supervisor's own agency
    },
}
PARAMS = {
    "ticket_id": "t-unknown",
    "service": "ktp-el",
    "code": "ABCDEFGH",
    "device_id": "kiosk-1",
    "number": "1",
    "username": "siti",
    "zone": "lantai-1-a",
    "seq": "1",
    "file": "id/manifest.json",
    "delivery_id": "d-unknown",
    "code_id": "c-unknown",
}
BODIES = {  # valid enough that a refusal is about the caller, not the body
    "POST /api/v1/tickets": {"service": "ktp-el"},
    "POST /api/v1/bookings/{code}/check-in": {},
    "POST /api/v1/zones/{zone}/announcements/{seq}/outcome": {"outcome": "spoken", "via": "clips"},
    "POST /api/v1/boards/me/heartbeat": {"sound": True},
    "POST /api/v1/announcements": {"text": "Mohon perhatian"},
    "PUT /api/v1/me/password": {"current": "rahasia-siti", "new": "rahasia-baru-siti"},
    **{
        f"POST /api/v1/counters/{{number}}/{act}": {"number": "A-001"}
        for act in ("call-number", "call-held", "return")
    },
    "PUT /api/v1/officers/{username}": {"name": "Siti", "agency": "dukcapil"},
}
# The counters' own accounts (the other services ask the counters, played here by KnownPeople,
# whose tokens are these same words).
PEOPLE = {
    "token-officer": Officer("siti", "Siti", "dukcapil"),
    "token-manager": Officer("rina", "Rina", "", Role.MANAGER),
}


@contextmanager
def running(name: str, backend: str, folder: Path, nats_url: str) -> Iterator[TestClient]:
    if name == "ticketing":
        with ticketing_client(backend, folder, nats_url) as client:
            client.event_hooks = {"request": [], "response": []}  # no kiosk's token of its own
            client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
            yield client
        return
    hall = write_hall(folder, unique("h"))
    common: dict[str, Any] = {"hall_file": hall, "state_dir": folder / name, "nats_url": UNREACHABLE_NATS}
    if name == "counters":
        with TestClient(counters_app(CountersSettings(**common, demo=True))) as client:
            deps = client.app.state.ctx.deps  # type: ignore[attr-defined]
            for token, officer in PEOPLE.items():
                accounts.save_officer(deps, None, officer, f"rahasia-{officer.username}")
                signed = client.post(
                    "/api/v1/sessions",
                    json={"username": officer.username, "password": f"rahasia-{officer.username}"},
                )
                client.headers_for = getattr(client, "headers_for", {})  # type: ignore[attr-defined]
                client.headers_for[token] = signed.json()["token"]  # type: ignore[attr-defined]
            yield client
        return
    if name == "display":
        from services.display.bootstrap import create_app as display_app
        from services.display.settings import Settings as DisplaySettings

        with TestClient(display_app(DisplaySettings(**common, demo=True, voice_build=False))) as client:
            client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
            yield client
        return
    if name == "reports":
        with TestClient(reports_app(ReportsSettings(**common, demo=True))) as client:
            client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
            yield client
        return
    with TestClient(notify_app(NotifySettings(**common))) as client:
        client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def apps(backend: str, tmp_path: Path, nats_url: str) -> Iterator[dict[str, TestClient]]:
    for name in CALLERS:
        (tmp_path / name).mkdir()
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(running(name, backend, tmp_path / name, nats_url)) for name in CALLERS
        }


def call(client: TestClient, route: str, token: str = "") -> Any:
    method, template = route.split(" ", 1)
    url = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], template)
    if token and hasattr(client, "headers_for"):
        token = client.headers_for[token]  # the counters' own session for that person
    headers = bearer(token) if token else {}
    body = BODIES.get(route)
    return client.request(method, url, headers=headers, json=body if method in ("POST", "PUT") else None)


def test_every_route_names_its_caller(apps: dict[str, TestClient]) -> None:
    for name, client in apps.items():
        documented = {
            f"{method.upper()} {path}"
            for path, ops in client.get("/openapi.json").json()["paths"].items()
            for method in ops
        }
        assert documented == set(CALLERS[name]), f"{name}: name the caller of each route in CALLERS"


def test_no_route_answers_a_caller_it_is_not_for(apps: dict[str, TestClient]) -> None:
    tried = 0
    for name, client in apps.items():
        for route, caller in CALLERS[name].items():
            if caller in (PUBLIC, API_KEY, SERVICE):
                continue
            answer = call(client, route)
            assert answer.status_code == 401, f"{name} {route} without credentials: {answer.status_code}"
            if caller in (SUPERVISOR, MANAGER):
                answer = call(client, route, "token-officer")
                assert answer.status_code == 403, f"{name} {route} as an officer: {answer.status_code}"
            if caller in (KIOSK, BOARD):
                answer = call(client, route, "token-manager")
                assert answer.json()["error"]["code"] == "device_required", f"{name} {route} as a person"
            tried += 1
    assert tried >= 30  # the table is not quietly emptied
