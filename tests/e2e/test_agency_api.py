"""docs/agency-api.md against the running ticketing service: every documented request names a path,
method and query parameter of the published OpenAPI document and its body validates against the
request schema; every documented answer validates against the schema of its status; every booking
route is documented; every documented error code is one the code raises. Then the example client
(examples/agency_client) books, reads, moves and cancels with an agency's key, as a library and as
a command."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from examples.agency_client import AgencyClient, AntreError
from tests.support.hall import RunningHall
from tests.support.infra import ROOT

pytestmark = pytest.mark.e2e

DOC = ROOT / "docs" / "agency-api.md"
KEYS = {"kunci-dukcapil-uji-0123456789abcdef": "dukcapil", "kunci-polresta-uji-0123456789abcdef": "polresta"}
DUKCAPIL, POLRESTA = list(KEYS)


@dataclass
class Example:
    method: str
    path: str
    query: str
    body: Any
    status: int | None = None  # a documented answer: its status and body
    answer: Any = None


def examples(text: str) -> list[Example]:
    """The ```http blocks in order; an answer block belongs to the request before it."""
    found: list[Example] = []
    for block in re.findall(r"```http\n(.*?)```", text, re.DOTALL):
        head, _, body = block.partition("\n\n")
        first = head.splitlines()[0]
        parsed = json.loads(body) if body.strip() else None
        if first.startswith("HTTP/1.1"):
            last = found[-1]
            status = int(first.split()[1])
            if last.status is not None:  # a second answer to the same request
                last = Example(last.method, last.path, last.query, last.body)
                found.append(last)
            last.status, last.answer = status, parsed
        else:
            method, target, _version = first.split()
            path, _, query = target.partition("?")
            found.append(Example(method, path, query, parsed))
    return found


def operation(openapi: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    for template, operations in openapi["paths"].items():
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), path) and method.lower() in operations:
            return dict(operations[method.lower()])
    raise AssertionError(f"{method} {path} is documented but not in the OpenAPI document")


def validator(openapi: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    root = {**schema, "components": openapi["components"]}  # so "#/components/..." resolves
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def json_schema(part: dict[str, Any]) -> dict[str, Any]:
    return dict(part["content"]["application/json"]["schema"])


@pytest.fixture
def ticketing(tmp_path: Path, nats_url: str, pg_url: str | None) -> Iterator[RunningHall]:
    hall = RunningHall(tmp_path, nats_url, pg_url, ("ticketing",), {"ANTRE_API_KEYS": json.dumps(KEYS)})
    try:
        yield hall.start()
    finally:
        hall.stop()


@pytest.fixture
def openapi(ticketing: RunningHall) -> dict[str, Any]:
    with ticketing.client("ticketing") as c:
        return dict(c.get("/openapi.json").json())


def test_every_documented_example_fits_the_published_schema(openapi: dict[str, Any]) -> None:
    documented = examples(DOC.read_text())
    assert len(documented) >= 10
    for ex in documented:
        op = operation(openapi, ex.method, ex.path)
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        for name in re.findall(r"([^&=]+)=", ex.query):
            assert name in names, f"{ex.method} {ex.path}: no query parameter {name}"
        if ex.body is not None:
            assert "requestBody" in op, f"{ex.method} {ex.path} takes no body"
            validator(openapi, json_schema(op["requestBody"])).validate(ex.body)
        if ex.status is not None:
            answers = op["responses"]
            assert str(ex.status) in answers, f"{ex.method} {ex.path} never answers {ex.status}"
            validator(openapi, json_schema(answers[str(ex.status)])).validate(ex.answer)


def test_every_booking_route_is_documented_and_refusals_have_one_shape(openapi: dict[str, Any]) -> None:
    text = DOC.read_text()
    booking_routes = {
        (method.upper(), path)
        for path, operations in openapi["paths"].items()
        for method, op in operations.items()
        if "bookings" in op.get("tags", [])
    }
    assert len(booking_routes) == 9  # the phone-code step of the booking page among them
    for method, path in booking_routes:
        assert f"`{method} {path}" in text, f"{method} {path} is not in the table of endpoints"
        refusals = {s: r for s, r in openapi["paths"][path][method.lower()]["responses"].items() if s >= "4"}
        assert refusals, f"{method} {path} declares no refusal"
        for status, answer in refusals.items():
            assert json_schema(answer) == {"$ref": "#/components/schemas/Problem"}, (method, path, status)
    assert "APIKeyHeader" in openapi["components"]["securitySchemes"]


def test_every_documented_error_code_is_one_the_code_raises() -> None:
    errors = DOC.read_text().split("## Errors", 1)[1].split("## Rate limits", 1)[0]
    rows = re.findall(r"^\| \d{3} \|(.*)$", errors, re.MULTILINE)
    codes = {code for row in rows for code in re.findall(r"`([a-z_]+)`", row)}
    source = "\n".join(p.read_text() for root in ("antre", "services") for p in (ROOT / root).rglob("*.py"))
    missing = sorted(c for c in codes if f'"{c}"' not in source)
    assert len(codes) > 30 and not missing, missing


def test_the_example_client_books_reads_moves_and_cancels(ticketing: RunningHall) -> None:
    url = ticketing.url("ticketing")
    with AgencyClient(url, DUKCAPIL, "dukcapil") as client:
        assert {s["code"] for s in client.services()} == {"ktp-el"}  # Dukcapil's bookable ones
        free = client.first_free("ktp-el")
        assert free is not None
        day, session = free
        made = client.book(
            "ktp-el", day, session, nik="7471014508900003", name="Wa Ode", phone="081234567890"
        )
        assert made["state"] == "booked" and made["nik"] == "************0003"
        assert client.booking(made["code"]) == made
        later = _another_session(client, day, session)
        moved = client.reschedule(made["code"], nik="7471014508900003", day=later[0], session=later[1])
        assert (moved["code"], moved["day"], moved["session_start"]) == (made["code"], *_text(later))
        with pytest.raises(AntreError) as not_yours:
            client.cancel(made["code"], nik="7471014508900011")
        assert not_yours.value.status == 403 and not_yours.value.code == "booking_not_yours"
        assert client.cancel(made["code"], nik="7471014508900003")["state"] == "cancelled"
        with pytest.raises(AntreError) as again:
            client.cancel(made["code"], nik="7471014508900003")
        assert again.value.code == "booking_not_active" and again.value.message and again.value.message_en

    with AgencyClient(url, POLRESTA, "polresta") as other:
        with pytest.raises(AntreError) as foreign:
            other.book("ktp-el", day, session, nik="7471014508900027", name="Andi", phone="081234567891")
        assert (foreign.value.status, foreign.value.code) == (403, "other_agency")
    with AgencyClient(url, "kunci-yang-salah", "dukcapil") as stranger:
        with pytest.raises(AntreError) as unknown:
            stranger.book("ktp-el", day, session, nik="7471014508900035", name="Budi", phone="081234567892")
        assert (unknown.value.status, unknown.value.code) == (401, "bad_api_key")
    for booked_day in {day, later[0]}:  # booked, moved and cancelled: every place is back
        pool = httpx.get(f"{url}/api/v1/services/ktp-el/pool", params={"day": booked_day.isoformat()}).json()
        assert pool["online_left"] == pool["online_quota"], pool


def test_the_example_client_as_a_command(ticketing: RunningHall) -> None:
    command = [sys.executable, "-m", "examples.agency_client", "--url", ticketing.url("ticketing")]
    command += ["--key", DUKCAPIL, "--agency", "dukcapil", "--service", "ktp-el"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    steps = [json.loads(line) for line in done.stdout.splitlines()]
    assert [next(iter(s)) for s in steps] == ["booked", "read", "cancelled"]
    assert steps[2]["cancelled"]["state"] == "cancelled"


def _another_session(client: AgencyClient, day: dt.date, session: str) -> tuple[dt.date, str]:
    for d in client.sessions("ktp-el"):
        for s in d["sessions"]:
            if s["left"] > 0 and (d["day"], s["start"]) != (day.isoformat(), session):
                return dt.date.fromisoformat(d["day"]), s["start"]
    raise AssertionError("no second free session")


def _text(slot: tuple[dt.date, str]) -> tuple[str, str]:
    return slot[0].isoformat(), slot[1]
