"""The hall's voice as it runs: the counters and display services as processes on real NATS
JetStream (and PostgreSQL where the environment has one). A burst of calls is grouped, a signed-in
officer's service message goes ahead of the waiting calls, bad requests are refused in both
languages, and every decision of the arbiter is read back from the hall's stream."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from google.protobuf.message import Message

from antre.audit import HALL_WIDE
from antre.bus import ensure_stream
from antre.events import EVENT_HEADER, decode, stream_name
from antre.hall.load import load_hall
from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from tests.integration.display.test_board_voice import A_COUNTERS, publish_burst
from tests.support.hall import RunningHall

pytestmark = pytest.mark.nats
ZONE = "lantai-1-a"


@pytest.fixture
def hall(tmp_path: Path, nats_url: str, pg_url: str | None) -> Iterator[RunningHall]:
    running = RunningHall(tmp_path, nats_url, pg_url, ("counters", "display"), {"ANTRE_VOICE_BUILD": "0"})
    running.start()
    running.add_officer("rina", "dukcapil")
    running.add_officer("kepala", "")
    try:
        yield running
    finally:
        running.stop()


async def announcement_events(
    url: str, hall: str, want: int, timeout: float = 20.0
) -> list[tuple[str, Message]]:
    """Every announcement.* event on the hall's stream, from the start, read by an ephemeral
    consumer as any measuring tool would."""
    nc = await nats.connect(url)
    found: list[tuple[str, Message]] = []
    try:
        js = nc.jetstream()
        await ensure_stream(js, hall)
        sub = await js.subscribe(
            f"antre.{hall}.*.announcement.>", stream=stream_name(hall), ordered_consumer=True
        )
        deadline = time.monotonic() + timeout
        while len(found) < want and time.monotonic() < deadline:
            try:
                msg = await sub.next_msg(timeout=1.0)
            except nats.errors.TimeoutError:
                continue
            found.append((msg.subject, decode(msg.headers[EVENT_HEADER], msg.data)))
        await sub.unsubscribe()
    finally:
        await nc.drain()
    return found


def log(client: httpx.Client) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/zones/{ZONE}/announcements", params={"limit": 1000}).json()["announcements"]


def wait(predicate: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return found


def test_a_burst_a_message_and_every_decision_on_the_stream(hall: RunningHall, nats_url: str) -> None:
    model: Hall = load_hall(hall.hall_file)
    calls = [(f"A-{n:03d}", A_COUNTERS[n % len(A_COUNTERS)]) for n in range(1, 9)]
    asyncio.run(publish_burst(nats_url, model, calls, 0.5))
    with hall.client("display") as display:
        entries = wait(lambda: (found := log(display)) and sum(len(a["calls"]) for a in found) == 8 and found)
        said = [c["number"] for a in entries for c in a["calls"]]
        assert said == [n for n, _ in calls]  # each call once, in call order
        assert any(a["kind"] == "group" for a in entries)

        officer = hall.sign_in("rina")
        body = {"zones": [ZONE], "template": "break", "counter": 3}
        posted = display.post("/api/v1/announcements", json=body, headers=officer)
        assert posted.status_code == 201, posted.text
        [message] = posted.json()["announcements"]
        assert message["kind"] == "message" and message["text"] == "Loket tiga istirahat sebentar"
        after = log(display)
        kinds = [a["kind"] for a in after]
        at = kinds.index("message")
        # Nothing waiting is said before it; what it moved back still says every call once.
        assert all(
            dt.datetime.fromisoformat(a["starts_at"]) > dt.datetime.fromisoformat(message["starts_at"])
            for a in after[at + 1 :]
        )
        assert [c["number"] for a in after for c in a["calls"]] == said

        refusals = [
            (display.post("/api/v1/announcements", json=body), 401),
            (display.post("/api/v1/announcements", json=body, headers={"Authorization": "Bearer nope"}), 401),
            (
                display.post("/api/v1/announcements", json={**body, "zones": ["lantai-2"]}, headers=officer),
                403,
            ),
            (display.post("/api/v1/announcements", json={**body, "template": "tidur"}, headers=officer), 422),
            (
                display.post(
                    "/api/v1/announcements", json={"zones": [ZONE], "text": "x" * 400}, headers=officer
                ),
                422,
            ),
            (display.post("/api/v1/announcements", json={**body, "zones": ["atap"]}, headers=officer), 404),
        ]
        for response, status in refusals:
            assert response.status_code == status, response.text
            problem = response.json()["error"]
            assert (
                problem["message"] and problem["message_en"] and problem["message"] != problem["message_en"]
            )
        assert len(log(display)) == len(after)  # refused: nothing changed

        # The hall's admin may speak to every zone, free text included.
        admin = hall.sign_in("kepala")
        everywhere = display.post("/api/v1/announcements", json={"text": "Mohon perhatian"}, headers=admin)
        assert everywhere.status_code == 201 and len(everywhere.json()["announcements"]) == len(model.zones)

        # An enrolled board's report becomes an event; a second report counts for nothing, and
        # one from anything but an enrolled board is refused.
        seq = after[0]["seq"]
        report = {"outcome": "spoken", "via": "clips", "started_at": after[0]["starts_at"]}
        outcome = f"/api/v1/zones/{ZONE}/announcements/{seq}/outcome"
        board = {"Authorization": f"Bearer {hall.board_token()}"}
        assert display.post(outcome, json=report).status_code == 401
        assert display.post(outcome, json=report, headers=officer).status_code == 401
        assert display.post(outcome, json=report, headers=board).status_code == 200
        assert display.post(outcome, json=report, headers=board).status_code == 202

    found = asyncio.run(announcement_events(nats_url, model.id, want=1000, timeout=8.0))
    by_kind: dict[type[Message], list[tuple[str, Message]]] = {}
    for subject, message in found:
        by_kind.setdefault(type(message), []).append((subject, message))
    grouped = by_kind[pb.AnnouncementGrouped]
    scheduled = by_kind[pb.AnnouncementScheduled]
    spoken = by_kind[pb.AnnouncementSpoken]
    assert grouped and all(m.lag_seconds > model.announcements.group_lag_seconds for _, m in grouped)  # type: ignore[attr-defined]
    assert {s for s, _ in grouped} == {f"antre.{model.id}.dukcapil.announcement.grouped"}
    # Every entry the log shows was told; the message went out under the hall-wide token.
    told = {m.announcement.seq for _, m in scheduled}  # type: ignore[attr-defined]
    assert {a["seq"] for a in after} <= told
    messages = [s for s, m in scheduled if m.announcement.kind == pb.ANNOUNCEMENT_KIND_MESSAGE]  # type: ignore[attr-defined]
    assert len(messages) == 1 + len(model.zones)
    assert all(s == f"antre.{model.id}.{HALL_WIDE}.announcement.scheduled" for s in messages)
    assert [(m.announcement.seq, m.via) for _, m in spoken] == [(seq, "clips")]  # type: ignore[attr-defined]
    # Each decision once on the stream (JetStream de-duplicates by event id).
    ids = [m.meta.event_id for _, m in found]  # type: ignore[attr-defined]
    assert len(ids) == len(set(ids))
