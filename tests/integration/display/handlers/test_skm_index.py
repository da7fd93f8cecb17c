"""The hall's IKM on the boards, on SQLite and PostgreSQL: skm.index from reports is kept, the
board snapshot says this month's line where the hall file shows it (boards.show_ikm) and nothing
where it does not, a late older index changes nothing, and connected boards get the line at once.
The consumer takes it from a real JetStream server."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from antre.events import Envelope, new_meta, subject_for
from antre.v1 import events_pb2 as pb
from services.display import handlers
from tests.integration.display.display_live import LiveDisplay, SseReader
from tests.integration.display.test_display_messaging import publish
from tests.support.infra import unique
from tests.support.stores import BACKENDS, drop_schema, pg_url

ZONE = "lantai-1-a"
SHOWN = {"boards": {"show_ikm": True}}


def index(hall: str, ikm: float, grade: str, responses: int, month: str = "", ago: float = 0) -> Envelope:
    now = dt.datetime.now(dt.UTC)
    event = pb.SkmIndexComputed(
        meta=new_meta(hall, "_hall", now - dt.timedelta(seconds=ago)),
        month=month or f"{now + dt.timedelta(hours=8):%Y-%m}",  # Kendari's month (WITA)
        responses=responses,
        ikm=ikm,
        grade=grade,
    )
    return Envelope(subject_for(event), event)


@pytest.fixture(params=BACKENDS)
def shown(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveDisplay]:
    schema = unique("t_") if request.param == "postgresql" else ""
    store = {"database_url": pg_url() or "", "database_schema": schema} if schema else {}
    live = LiveDisplay(tmp_path, hall=SHOWN, **store).start()
    try:
        yield live
    finally:
        live.stop()
        drop_schema(schema)


def board(display: LiveDisplay) -> dict[str, Any]:
    with display.client() as c:
        return c.get(f"/api/v1/zones/{ZONE}/board").json()  # type: ignore[no-any-return]


def test_the_board_says_this_months_index(shown: LiveDisplay) -> None:
    assert board(shown)["ikm"] is None  # nothing heard from reports yet
    handlers.on_index(shown.deps, [index(shown.hall_id, 87.4, "B", 120)])
    assert board(shown)["ikm"] == {
        "line": "IKM bulan ini: 87,40 · Baik",
        "line_en": "Satisfaction index this month: 87.40 · Good",
    }
    handlers.on_index(shown.deps, [index(shown.hall_id, 60.0, "D", 100, ago=600)])  # late and older
    assert board(shown)["ikm"]["line"] == "IKM bulan ini: 87,40 · Baik"
    handlers.on_index(shown.deps, [index(shown.hall_id, 88.5, "A", 130)])
    assert board(shown)["ikm"]["line"] == "IKM bulan ini: 88,50 · Sangat Baik"
    handlers.on_index(shown.deps, [index(shown.hall_id, 70.0, "C", 9, month="2020-01")])  # not this month
    assert board(shown)["ikm"]["line"] == "IKM bulan ini: 88,50 · Sangat Baik"


def test_a_hall_that_does_not_show_it(display: LiveDisplay) -> None:
    handlers.on_index(display.deps, [index(display.hall_id, 87.4, "B", 120)])
    assert board(display)["ikm"] is None


def test_connected_boards_get_the_line_at_once(shown: LiveDisplay) -> None:
    with shown.client() as c, c.stream("GET", f"/api/v1/zones/{ZONE}/events") as stream:
        events = SseReader(stream.iter_lines())
        assert events.next().data["ikm"] is None
        handlers.on_index(shown.deps, [index(shown.hall_id, 87.4, "B", 120)])
        update = events.next()
        assert update.event == "board" and update.data["ikm"]["line"] == "IKM bulan ini: 87,40 · Baik"


def test_the_index_comes_from_jetstream(tmp_path: Path, nats_url: str) -> None:
    display = LiveDisplay(tmp_path, nats_url, hall=SHOWN).start()
    try:
        computed = index(display.hall_id, 91.25, "A", 42)
        asyncio.run(publish(nats_url, display.hall_id, [(computed, computed.event_id)]))
        deadline = time.monotonic() + 20
        while board(display)["ikm"] is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert board(display)["ikm"]["line"] == "IKM bulan ini: 91,25 · Sangat Baik"
    finally:
        display.stop()
