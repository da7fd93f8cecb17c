"""Every service refuses a NUL, a bidi override or a C1 control in a JSON string, a query parameter
or a path segment, and an integer past int64, with the bilingual 422 naming the field; and stores
nothing. The four services run as processes on the test database (PostgreSQL in CI), where a NUL
used to reach the database and come back as a 500, and a right-to-left override was stored in a
booking's name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import create_engine, func, inspect, select, table

from antre.db import normalise_url
from tests.support.hall import RunningHall

pytestmark = pytest.mark.e2e

CHARS = {"NUL": "\x00", "bidi override": "\u202e", "C1 control": "\x85"}
BIG = ["9223372036854775808", "-9223372036854775809", "99999999999999999999"]


@pytest.fixture(scope="module")
def hall(
    tmp_path_factory: pytest.TempPathFactory, nats_url: str, pg_url: str | None
) -> Iterator[RunningHall]:
    running = RunningHall(Path(tmp_path_factory.mktemp("inputs")), nats_url, pg_url)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def bookable(hall: RunningHall) -> dict[str, str]:
    with hall.client("ticketing") as c:
        days = c.get("/api/v1/services/ktp-el/sessions").json()["days"]
    day = next(d for d in days if any(s["left"] > 0 for s in d["sessions"]))
    session = next(s["start"] for s in day["sessions"] if s["left"] > 0)
    return {"service": "ktp-el", "day": day["day"], "session": session, "phone": "081234567890"}


def rows(hall: RunningHall, service: str) -> dict[str, int]:
    """Rows in every table the service owns (its outbox too): what a request could have stored."""
    if hall.database_url:
        engine = create_engine(normalise_url(hall.database_url))
        schema: str | None = hall.schemas[service]
    else:
        engine = create_engine(f"sqlite:///{hall.folder / 'state' / (service + '.db')}")
        schema = None
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names(schema=schema)
            return {
                name: conn.execute(select(func.count()).select_from(table(name, schema=schema))).scalar_one()
                for name in names
            }
    finally:
        engine.dispose()


def booking(bookable: dict[str, str], name: str) -> dict[str, str]:
    return {**bookable, "nik": "7471010101900001", "name": name}


def cases(x: str, bookable: dict[str, str]) -> list[tuple[str, str, str, Any, str]]:
    """(service, method, path, JSON body, the field the refusal names) for the character ``x``."""
    q = quote(x)
    return [
        ("ticketing", "POST", "/api/v1/bookings", booking(bookable, f"Warga{x}"), "body.name"),
        ("ticketing", "POST", "/api/v1/tickets", {"service": "ktp-el", "kiosk": f"kiosk-1{x}"}, "body.kiosk"),
        ("ticketing", "GET", f"/api/v1/tickets/abc{q}", None, "path"),
        ("ticketing", "GET", f"/api/v1/services/ktp-el/pool?day={q}", None, "query.day"),
        ("counters", "POST", "/api/v1/sessions", {"username": f"capil{x}", "password": "p"}, "body.username"),
        ("counters", "GET", f"/api/v1/tickets/abc{q}/position", None, "path"),
        ("counters", "GET", f"/api/v1/queues?service={q}", None, "query.service"),
        (
            "display",
            "POST",
            "/api/v1/zones/lantai-1-a/announcements/1/outcome",
            {"outcome": "spoken", "via": x},
            "body.via",
        ),
        ("display", "GET", f"/api/v1/zones/lantai-1-a{q}/board", None, "path"),
        ("display", "GET", f"/api/v1/zones/lantai-1-a/announcements?after=1&zone={q}", None, "query.zone"),
        ("notify", "POST", "/api/v1/opt-out", {"email": f"warga{x}@example.id"}, "body.email"),
        ("notify", "GET", f"/api/v1/deliveries/abc{q}", None, "path"),
        ("notify", "GET", f"/api/v1/deliveries?state={q}", None, "query.state"),
    ]


def refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["message"] and field in error["message_en"]
    assert [f["field"] for f in error["fields"]] == [field]


@pytest.mark.parametrize("char", CHARS.values(), ids=CHARS.keys())
def test_a_bad_character_is_refused_everywhere_and_stores_nothing(
    hall: RunningHall, bookable: dict[str, str], char: str
) -> None:
    before = {name: rows(hall, name) for name in hall.names}
    for service, method, path, body, field in cases(char, bookable):
        with hall.client(service) as c:
            refused(c.request(method, path, json=body), field)
    assert {name: rows(hall, name) for name in hall.names} == before


@pytest.mark.parametrize("number", BIG)
def test_integers_past_int64_are_refused_not_a_500(hall: RunningHall, number: str) -> None:
    for service, method, path, field in [
        ("counters", "GET", f"/api/v1/counters/{number}", "path"),
        ("counters", "POST", f"/api/v1/counters/{number}/open", "path"),
        ("display", "GET", f"/api/v1/zones/lantai-1-a/announcements?after={number}", "query.after"),
        ("display", "POST", f"/api/v1/zones/lantai-1-a/announcements/{number}/outcome", "path"),
        ("notify", "GET", f"/api/v1/deliveries?limit={number}", "query.limit"),
    ]:
        with hall.client(service) as c:
            refused(c.request(method, path, json={"outcome": "spoken", "via": "clips"}), field)
    with hall.client("display") as c:
        body = '{"zones": [], "counter": ' + number + "}"
        answer = c.post("/api/v1/announcements", content=body, headers={"content-type": "application/json"})
        refused(answer, "body.counter")


def test_the_same_booking_with_a_plain_name_is_stored(hall: RunningHall, bookable: dict[str, str]) -> None:
    # The counting above sees a stored booking: a clean name goes through and adds rows.
    before = rows(hall, "ticketing")
    with hall.client("ticketing") as c:
        answer = c.post("/api/v1/bookings", json=booking(bookable, "Warga Biasa"))
    assert answer.status_code == 201, answer.text
    assert sum(rows(hall, "ticketing").values()) > sum(before.values())
