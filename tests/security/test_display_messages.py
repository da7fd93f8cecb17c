"""One officer cannot silence the hall: service messages are capped per officer and per zone
(429 too_many_messages, in both languages, nothing written)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from antre.roles import Person, Role
from services.display import handlers
from tests.integration.display.display_live import LiveDisplay
from tests.support.people import KnownPeople
from tests.unit.display import display_factories as f

ZONE = "lantai-1-a"


def officers(names: list[str]) -> KnownPeople:
    """The counters' answer to "who is this token": here the token is the officer's username."""
    return KnownPeople({name: Person(name, name, "dukcapil", Role.OFFICER) for name in names})


@pytest.fixture
def display(tmp_path: Path) -> Iterator[LiveDisplay]:
    live = LiveDisplay(tmp_path).start()
    zone_full = [f"petugas{k}" for k in range(live.deps.message_cap.per_zone)]
    live.app.state.people = officers(["rina", "budi", "baru", *zone_full])
    yield live
    live.stop()


def post(client: httpx.Client, officer: str, n: int) -> httpx.Response:
    body = {"zones": [ZONE], "text": f"Mohon perhatian {n}"}
    return client.post("/api/v1/announcements", json=body, headers={"Authorization": f"Bearer {officer}"})


def log(display: LiveDisplay) -> list[int]:
    return [a.seq for a in handlers.announcements_after(display.deps, ZONE, 0, 1000)]


def assert_too_many(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    problem = response.json()["error"]
    assert problem["code"] == "too_many_messages"
    assert problem["message"] and problem["message_en"] and problem["message"] != problem["message_en"]


def test_one_officer_gets_a_few_messages_then_429_and_nothing_changes(display: LiveDisplay) -> None:
    cap = display.deps.message_cap
    hall = display.deps.hall
    handlers.on_hall_events(
        display.deps, [f.called(hall, "t1", "A-001", "ktp-el", 3, dt.datetime.now(dt.UTC))]
    )
    with display.client() as c:
        for n in range(cap.per_officer):
            assert post(c, "rina", n).status_code == 201
        before = log(display)
        for n in range(30):  # the thirty messages that used to silence the hall
            assert_too_many(post(c, "rina", 100 + n))
        assert log(display) == before
        assert post(c, "budi", 0).status_code == 201  # the cap is per officer


def test_a_zone_takes_only_so_many_messages_from_all_officers(display: LiveDisplay) -> None:
    cap = display.deps.message_cap
    officers = [f"petugas{k}" for k in range(cap.per_zone)]
    with display.client() as c:
        posted = 0
        for officer in officers:
            for n in range(cap.per_officer):
                if posted < cap.per_zone:
                    assert post(c, officer, n).status_code == 201
                    posted += 1
        before = log(display)
        assert_too_many(post(c, "baru", 0))  # a fresh officer too: the zone is full
        assert log(display) == before
