"""Citizens' messages as notify runs: the app started by its lifespan against a real NATS
JetStream server and a real SMTP server. A booking published on the hall's stream is confirmed by
email once, even when published again under another message id."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import nats
import pytest
from fastapi.testclient import TestClient

from antre import bus
from antre.events import EVENT_HEADER, MSG_ID_HEADER, Envelope, event_name, subject_for
from services.notify.bootstrap import create_app
from services.notify.settings import Settings
from tests.support.infra import KENDARI, unique
from tests.support.people import KnownPeople, bearer

if TYPE_CHECKING:  # the fakes are this folder's fixtures; only type checkers import them
    from conftest import Events, Mailbox

pytestmark = pytest.mark.nats


@pytest.fixture
def hall_id() -> str:
    return unique("notify")  # its own stream: nothing shared with other tests on the server


@pytest.fixture
def app(tmp_path: Path, nats_url: str, mailbox: Mailbox, hall_id: str) -> Iterator[TestClient]:
    hall = tmp_path / "hall.yaml"
    text = KENDARI.read_text(encoding="utf-8").replace("\nid: kendari\n", f"\nid: {hall_id}\n")
    hall.write_text(text, encoding="utf-8")
    settings = Settings(
        hall_file=hall,
        state_dir=tmp_path,
        nats_url=nats_url,
        webhook_poll_seconds=0.1,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_from="MPP Kota Kendari <antrean@mpp.example>",
        smtp_security="none",
        optout_key="k" * 40,
        optout_url="https://mpp.example/berhenti",
    )
    with TestClient(create_app(settings), headers=bearer("token-manager")) as client:
        client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
        yield client


async def publish(nats_url: str, hall_id: str, envelope: Envelope, msg_ids: list[str]) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await bus.ensure_stream(js, hall_id)
        for msg_id in msg_ids:
            headers = {MSG_ID_HEADER: msg_id, EVENT_HEADER: event_name(envelope.message)}
            await js.publish(envelope.subject, envelope.message.SerializeToString(), headers=headers)
    finally:
        await nc.close()


def wait_until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_published_booking_is_confirmed_by_email_once(
    app: TestClient, mailbox: Mailbox, events: Events, nats_url: str, hall_id: str
) -> None:
    # A session the day after tomorrow (real time: the app runs on the wall clock).
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)  # 08:00 WITA
    envelope = events.created("bk-nats", phone="", day=day.isoformat(), start=start)
    envelope.message.meta.hall = hall_id  # type: ignore[attr-defined]
    envelope = Envelope(subject_for(envelope.message), envelope.message)

    asyncio.run(publish(nats_url, hall_id, envelope, [envelope.event_id, "republished"]))

    wait_until(lambda: len(mailbox.messages) == 1)
    time.sleep(1.0)  # room for a wrong second message to show up
    [(recipients, message)] = mailbox.messages
    assert recipients == ["warga@example.id"]
    assert "Kode reservasi: KDI-7Q4M" in message.get_content()
    found = app.get("/api/v1/deliveries", params={"state": "delivered"}).json()["deliveries"]
    assert [(d["channel"], d["booking_id"], d["url"]) for d in found] == [
        ("email", "bk-nats", "email:bk-nats")
    ]
