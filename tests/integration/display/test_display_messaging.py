"""The display's durable consumer on a real JetStream server: calls published by the counters
reach the zone's log once, however often they are delivered."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

import httpx
import nats
import pytest

from antre.bus import ensure_stream
from antre.events import EVENT_HEADER, MSG_ID_HEADER, Envelope, event_name
from tests.integration.display.display_live import LiveDisplay
from tests.unit.display import display_factories as f

pytestmark = pytest.mark.nats


async def publish(url: str, hall: str, envelopes: list[tuple[Envelope, str]]) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, hall)
        for envelope, msg_id in envelopes:
            headers = {MSG_ID_HEADER: msg_id, EVENT_HEADER: event_name(envelope.message)}
            await js.publish(envelope.subject, envelope.message.SerializeToString(), headers=headers)
    finally:
        await nc.drain()


def wait_for(client: httpx.Client, path: str, count: int, timeout: float = 20.0) -> list[dict]:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    found: list[dict] = []  # type: ignore[type-arg]
    while time.monotonic() < deadline:
        found = client.get(path).json()["announcements"]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    return found


def test_calls_from_jetstream_are_announced_once(tmp_path: Path, nats_url: str) -> None:
    display = LiveDisplay(tmp_path, nats_url).start()
    try:
        hall = display.deps.hall
        t = dt.datetime.now(dt.UTC)
        call = f.called(hall, "t1", "A-012", "ktp-el", 3, t)
        recall = f.recalled(hall, "t1", "A-012", "ktp-el", 3, t)
        other_zone = f.called(hall, "m1", "M-001", "pkb-tahunan", 13, t)
        # The same call twice under one message id (JetStream drops the copy) and once more under
        # another (a producer that republished after the dedup window: the inbox drops it).
        batch = [
            (call, call.event_id),
            (call, call.event_id),
            (call, "republished"),
            (recall, recall.event_id),
        ]
        asyncio.run(publish(nats_url, hall.id, [*batch, (other_zone, other_zone.event_id)]))
        with display.client() as c:
            wait_for(c, "/api/v1/zones/lantai-1-a/announcements", 2)
            assert wait_for(c, "/api/v1/zones/lantai-2/announcements", 1)[0]["number"] == "M-001"
            time.sleep(0.5)  # let any stray redelivery land before counting
            log = c.get("/api/v1/zones/lantai-1-a/announcements").json()["announcements"]
            assert [(a["number"], a["kind"]) for a in log] == [("A-012", "call"), ("A-012", "recall")]
            assert c.get("/readyz").status_code == 200
    finally:
        display.stop()
