"""The input guard of every service: control and bidi characters anywhere in a request, and
integers outside int64, get one bilingual 422 naming the field before any handler runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, ValidationError

from antre.inputs import FORBIDDEN, PATTERN, Text
from antre.web import make_app

BAD = {
    "NUL": "\x00",
    "tab": "\t",
    "newline": "\n",
    "DEL": "\x7f",
    "C1 NEL": "\x85",
    "C1 CSI": "\x9b",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "arabic letter mark": "\u061c",
    "line separator": "\u2028",
}
GOOD = ["Siti Rahma", "Nur'aini binti H. Abd. Rahman", "Wayan Sudarsana", "Ñoño", "محمد", "李", ""]


class Person(BaseModel):
    name: Annotated[Text, Field(max_length=128)]
    tags: list[str] = []
    age: int = 0


def app_with_routes() -> tuple[FastAPI, list[Any]]:
    seen: list[Any] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield

    app = make_app("test", "test", lifespan)

    @app.post("/people/{number}")
    async def add(number: int, person: Person, note: str = "") -> dict[str, str]:
        seen.append((number, person, note))
        return {"name": person.name}

    @app.get("/people/{code}")
    async def look(code: str, after: int = 0) -> dict[str, Any]:
        seen.append((code, after))
        return {"code": code}

    return app, seen


@pytest.fixture
def client() -> Iterator[tuple[TestClient, list[Any]]]:
    app, seen = app_with_routes()
    with TestClient(app) as test_client:
        yield test_client, seen


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["message"] and field in error["message_en"]
    assert [f["field"] for f in error["fields"]] == [field]


@pytest.mark.parametrize("char", BAD.values(), ids=BAD.keys())
def test_a_bad_character_anywhere_is_refused_before_the_handler(
    client: tuple[TestClient, list[Any]], char: str
) -> None:
    c, seen = client
    refused(c.post("/people/1", json={"name": f"Siti{char}"}), "body.name")
    refused(c.post("/people/1", json={"name": "Siti", "tags": ["a", f"b{char}"]}), "body.tags.1")
    refused(c.post("/people/1", json={"name": "Siti", f"x{char}": 1}), f"body.{f'x{char}'!r}")
    refused(c.post(f"/people/1?note={quote(char)}", json={"name": "Siti"}), "query.note")
    refused(c.get(f"/people/{quote('A' + char)}"), "path")
    refused(c.get(f"/people/A?after=1&{quote(char)}=1"), f"query.{char}")
    form = {"content-type": "application/x-www-form-urlencoded"}
    refused(c.post("/people/1", content=f"name={quote(char)}", headers=form), "body.name")
    assert seen == []


@pytest.mark.parametrize("name", GOOD)
def test_names_of_the_hall_pass(client: tuple[TestClient, list[Any]], name: str) -> None:
    c, seen = client
    answer = c.post(f"/people/9223372036854775807?note={quote(name)}", json={"name": name, "age": -(2**63)})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"name": name}
    assert c.get(f"/people/{quote(name or 'x')}?after=-9223372036854775808").status_code == 200
    assert len(seen) == 2


@pytest.mark.parametrize(
    "number", ["9223372036854775808", "-9223372036854775809", "99999999999999999999", "1" * 5000]
)
def test_integers_outside_int64_are_refused(client: tuple[TestClient, list[Any]], number: str) -> None:
    c, seen = client
    refused(c.post(f"/people/{number}", json={"name": "Siti"}), "path")
    refused(c.get(f"/people/A?after={number}"), "query.after")
    if len(number) < 100:  # CPython's json refuses longer integers itself: FastAPI's own 422
        body = '{"name": "Siti", "age": ' + number + "}"
        refused(c.post("/people/1", content=body, headers={"content-type": "application/json"}), "body.age")
    assert seen == []


def test_a_body_that_does_not_parse_is_left_to_the_route(client: tuple[TestClient, list[Any]]) -> None:
    c, _ = client
    answer = c.post("/people/1", content=b"{not json", headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == "Permintaan tidak valid"  # FastAPI's, not the guard's
    deep = b"[" * 10_000 + b"]" * 10_000  # past json's recursion limit: the route's 400, no crash
    assert c.post("/people/1", content=deep, headers={"content-type": "application/json"}).status_code == 400


def test_the_text_type_refuses_and_shows_its_pattern() -> None:
    with pytest.raises(ValidationError, match="bidirectional"):
        Person(name="Siti\u202e")
    schema = Person.model_json_schema()["properties"]["name"]
    assert schema["pattern"] == PATTERN and schema["maxLength"] == 128


@pytest.mark.parametrize("char", [*BAD.values(), "a", "é", "\u200d", "\ufeff"])
def test_the_published_pattern_says_what_the_guard_does(char: str) -> None:
    # The pattern others validate with (pydantic-core's Rust regex here) agrees with the guard.
    checked = TypeAdapter(Annotated[str, StringConstraints(pattern=PATTERN)])
    try:
        checked.validate_python(f"x{char}y")
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (FORBIDDEN.search(char) is None)
