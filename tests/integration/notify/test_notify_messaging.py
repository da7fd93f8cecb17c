"""Notify as it runs: the app started by its lifespan against a real NATS JetStream server and a
real HTTP receiver. An event published on the hall's stream reaches the webhook once, even when it
is published again under another message id (as a relay that lost its mark would)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import nats
import pytest
from fastapi.testclient import TestClient

from antre import bus
from antre.events import EVENT_HEADER, MSG_ID_HEADER, Envelope, event_name
from services.notify.bootstrap import create_app
from services.notify.settings import Settings
from tests.support.infra import KENDARI, unique
from tests.support.people import KnownPeople, bearer

if TYPE_CHECKING:  # the fakes are this folder's fixtures; only type checkers import them
    from conftest import Receiver

pytestmark = pytest.mark.nats


@pytest.fixture
def hall_id() -> str:
    return unique("notify")  # its own stream: nothing shared with other tests on the server


@pytest.fixture
def app(tmp_path: Path, nats_url: str, receiver: Receiver, hall_id: str) -> Iterator[TestClient]:
    receiver.failures = 0
    hall = tmp_path / "hall.yaml"
    hall.write_text(
        # Edited as text: a YAML round trip would turn the file's unquoted 08:00 into 480.
        KENDARI.read_text(encoding="utf-8")
        .replace("\nid: kendari\n", f"\nid: {hall_id}\n")
        .replace(
            "\nwebhooks: []\n",
            f"\nwebhooks:\n  - {{url: '{receiver.url}/hook', events: [ticket.called], agency: dukcapil}}\n",
        ),
        encoding="utf-8",
    )
    settings = Settings(
        hall_file=hall,
        state_dir=tmp_path,
        nats_url=nats_url,
        webhook_poll_seconds=0.1,
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


def test_a_published_call_reaches_the_webhook_once(
    app: TestClient, receiver: Receiver, nats_url: str, hall_id: str, ticket_called: Callable[..., Envelope]
) -> None:
    envelope = ticket_called()
    message = envelope.message
    message.meta.hall = hall_id  # type: ignore[attr-defined]
    envelope = Envelope(f"antre.{hall_id}.dukcapil.ticket.called", message, envelope.traceparent)
    other_agency = ticket_called(agency="samsat")
    other_agency.message.meta.hall = hall_id  # type: ignore[attr-defined]
    other_agency = Envelope(f"antre.{hall_id}.samsat.ticket.called", other_agency.message)

    asyncio.run(publish(nats_url, hall_id, envelope, [envelope.event_id, envelope.event_id, "republished"]))
    asyncio.run(publish(nats_url, hall_id, other_agency, [other_agency.event_id]))

    def delivered() -> bool:
        found = app.get("/api/v1/deliveries", params={"state": "delivered"}).json()["deliveries"]
        return len(found) == 1

    wait_until(delivered)
    time.sleep(1.0)  # room for a wrong second delivery to show up
    assert [r.headers["Antre-Event-Id"] for r in receiver.requests] == [envelope.event_id]
    assert [d["event_id"] for d in app.get("/api/v1/deliveries").json()["deliveries"]] == [envelope.event_id]
    assert 'antre_deliveries_total{outcome="delivered"} 1.0' in app.get("/metrics").text
