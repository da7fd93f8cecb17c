"""The dev overlay's own NATS configuration on a real nats-server: the nats.conf and accounts.conf
of the rendered ConfigMap nats-config, the passwords in the environment as the Secret would put
them, the platform's URL as the services' env builds it, and the consumers Job's own command.

On loopback only these lines change: `port: 4222` and `http_port: 8222` (free ports on
127.0.0.1), `pid_file` and JetStream's `store_dir` (into the test's folder); the server name is
$POD_NAME, set as the StatefulSet sets it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from antre import bus
from antre.events import (
    EVENT_HEADER,
    MSG_ID_HEADER,
    Envelope,
    event_name,
    new_meta,
    stream_name,
    subject_for,
)
from antre.hall.load import load_hall
from antre.hall.model import Hall
from antre.nats_accounts import (
    REPORTS_USER,
    agency_consumer,
    agency_user,
    grants,
    inbox_prefix,
    platform_grant,
    random_passwords,
)
from antre.runtime import Runtime
from antre.v1 import events_pb2 as pb
from services.reports.adapters.tables import outbox as reports_outbox
from services.reports.bootstrap import LIVE_TOPIC
from services.reports.bootstrap import MIGRATIONS as REPORTS_MIGRATIONS
from services.reports.entrypoints import consumers as reports_consumers
from services.reports.settings import Settings as ReportsSettings
from tests.deploy.pod_env import Obj, configmap, container, environment, expand, workload
from tests.support.infra import free_port
from tests.support.secured_nats import start_nats
from tools.hall import nats_binary

pytestmark = pytest.mark.nats
NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
SECRET = "antre-nats-users"


def loopback(conf: str, folder: Path, port: int, http_port: int, more: dict[str, str] | None = None) -> str:
    """The rewrites named in the module docstring (and ``more``), each of a line that must be there."""
    rewrites = {
        "port: 4222\n": f"listen: 127.0.0.1:{port}\n",
        "http_port: 8222\n": f"http: 127.0.0.1:{http_port}\n",
        "pid_file: /var/run/nats/nats.pid\n": f'pid_file: "{folder / "nats.pid"}"\n',
        "store_dir: /data\n": f'store_dir: "{folder / "js"}"\n',
        **(more or {}),
    }
    for line, new in rewrites.items():
        assert conf.count(line) == 1, f"nats.conf no longer has {line!r}: update this test"
        conf = conf.replace(line, new)
    return conf


class DevNats:
    """A nats-server started with the rendered dev overlay's configuration."""

    def __init__(self, objects: list[Obj], folder: Path) -> None:
        self.objects = objects
        self.folder = folder
        self.port = free_port()
        hall_text = configmap(objects, "antre-hall")["data"]["hall.yaml"]
        (folder / "hall.yaml").write_text(hall_text)
        self.hall = load_hall(folder / "hall.yaml")
        self.passwords = random_passwords([self.hall])
        data = configmap(objects, "nats-config")["data"]
        (folder / "accounts.conf").write_text(data["accounts.conf"])
        (folder / "nats.conf").write_text(loopback(data["nats.conf"], folder, self.port, free_port()))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> DevNats:
        command = [nats_binary(), "-c", str(self.folder / "nats.conf")]
        self.process = start_nats(command, {**self.passwords, "POD_NAME": "nats-0"}, self.folder, self.port)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def on_loopback(self, url: str) -> str:
        """A URL of the manifests, with the cluster's service name replaced by this server."""
        assert "@nats:4222" in url, url
        return url.replace("@nats:4222", f"@127.0.0.1:{self.port}")

    def secrets(self) -> dict[tuple[str, str], str]:
        return {(SECRET, key): value for key, value in self.passwords.items()}

    def service_url(self, service: str) -> str:
        env = environment(container(workload(self.objects, "Deployment", service)), self.secrets())
        return self.on_loopback(env["ANTRE_NATS_URL"])

    def consumers_job(self) -> list[str]:
        """The Job's command as its container would run it, against this server and hall file."""
        c = container(workload(self.objects, "Job", "agency-consumers"))
        args = expand(c["command"], environment(c, self.secrets()))
        assert args[0] == "python" and args[4] == "/etc/antre/hall.yaml", args
        at = args.index("--nats") + 1
        args[at] = self.on_loopback(args[at])
        return [sys.executable, *args[1:4], str(self.folder / "hall.yaml"), *args[5:]]

    def agency_url(self, agency: str) -> str:
        user = agency_user(self.hall.id, agency)
        (variable,) = [g.password_variable for g in grants([self.hall]) if g.user == user]
        return f"nats://{quote(user, safe='')}:{self.passwords[variable]}@127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def server(rendered: dict[str, list[Obj]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevNats]:
    dev = DevNats(rendered["dev"], tmp_path_factory.mktemp("dev-nats")).start()
    yield dev
    dev.stop()


@pytest.fixture
async def platform(server: DevNats) -> AsyncIterator[Client]:
    # The services' own connect, which retries for ever: a refused login must fail the test.
    nc = await asyncio.wait_for(bus.connect(server.service_url("counters"), "antre-test"), 10)
    yield nc
    await nc.close()


async def publish_event(platform: Client, hall: Hall, agency: str, number: int) -> pb.CounterPaused:
    """As the counters' outbox relay would."""
    event = pb.CounterPaused(meta=new_meta(hall.id, agency, NOW), counter=pb.CounterRef(number=number))
    headers = {EVENT_HEADER: event_name(event), MSG_ID_HEADER: event.meta.event_id}
    await bus.JetStreamPublisher(platform.jetstream()).publish(
        subject_for(event), event.SerializeToString(), headers
    )
    return event


def test_every_service_logs_in_with_the_platforms_password(server: DevNats) -> None:
    password = server.passwords[platform_grant().password_variable]
    for service in ("ticketing", "counters", "display", "notify"):
        assert f"//antre:{password}@" in server.service_url(service)
    (reports,) = [g.password_variable for g in grants([server.hall]) if g.user == REPORTS_USER]
    assert f"//{REPORTS_USER}:{server.passwords[reports]}@" in server.service_url("reports")


async def test_the_platform_makes_the_stream_and_publishes(server: DevNats, platform: Client) -> None:
    js = platform.jetstream()
    await bus.ensure_stream(js, server.hall.id)
    event = await publish_event(platform, server.hall, "dukcapil", 1)
    info = await js.stream_info(stream_name(server.hall.id), subjects_filter=">")
    assert (info.state.subjects or {}).get(subject_for(event), 0) >= 1


async def test_the_consumers_job_makes_each_agencys_consumer_once(server: DevNats, platform: Client) -> None:
    js, stream = platform.jetstream(), stream_name(server.hall.id)
    await bus.ensure_stream(js, server.hall.id)
    for agency in server.hall.agencies:  # whatever an earlier test made
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream, agency_consumer(agency.code))
    first = subprocess.run(server.consumers_job(), capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(server.consumers_job(), capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    made = {line.split(": ")[1] for line in first.stdout.splitlines()}
    assert made == {agency_consumer(a.code) for a in server.hall.agencies}
    assert again.stdout == "", "a second run leaves the consumers as they are"
    consumers = await js.consumers_info(stream)
    assert {c.name for c in consumers} == made


async def test_an_agency_pulls_its_own_events_and_cannot_listen_to_another(
    server: DevNats, platform: Client
) -> None:
    hall = server.hall
    subprocess.run(server.consumers_job(), check=True, capture_output=True, timeout=60)
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    nc = await nats.connect(
        server.agency_url("dukcapil"), inbox_prefix=inbox_prefix(hall.id, "dukcapil"), error_cb=on_error
    )
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe_bind(agency_consumer("dukcapil"), stream=stream_name(hall.id))
        own = await publish_event(platform, hall, "dukcapil", 2)
        await publish_event(platform, hall, "dpmptsp", 3)
        got: list[Msg] = []
        while True:
            try:
                batch = await sub.fetch(10, timeout=1.0)
            except (TimeoutError, NatsTimeout):
                break
            for msg in batch:
                await msg.ack()
            got += batch
        assert subject_for(own) in [m.subject for m in got]
        assert all(m.subject.startswith(f"antre.{hall.id}.dukcapil.") for m in got)

        other = f"antre.{hall.id}.dpmptsp.>"
        seen: list[str] = []

        async def record(msg: Msg) -> None:
            seen.append(msg.subject)

        await nc.subscribe(other, cb=record)
        await nc.flush()
        await asyncio.sleep(0.2)  # the server's -ERR arrives after the PING it answered
        assert any("permissions violation" in e and f'"{other}"' in e for e in errors), errors
        await publish_event(platform, hall, "dpmptsp", 4)
        await asyncio.sleep(0.3)
        assert seen == []
    finally:
        await nc.close()


async def test_no_one_connects_without_a_user_and_password(server: DevNats) -> None:
    bare = f"nats://127.0.0.1:{server.port}"
    wrong = f"nats://antre:wrong@127.0.0.1:{server.port}"
    for url in (bare, wrong):
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(url, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2)


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_reports_runs_on_its_own_user(server: DevNats, platform: Client, tmp_path: Path) -> None:
    """Reports' own runtime, logged in as the manifests log it in: it finds the stream the platform
    made, makes and reads its consumer, publishes its survey answers through its outbox and passes
    live notes between its replicas."""
    hall, js = server.hall, platform.jetstream()
    await bus.ensure_stream(js, hall.id)  # made by the platform's services; reports may not
    got: list[Envelope] = []
    replicas: list[Runtime] = []
    for name in ("a", "b"):
        settings = ReportsSettings(
            hall_file=server.folder / "hall.yaml",
            state_dir=tmp_path / name,
            nats_url=server.service_url("reports"),
        )
        (tmp_path / name).mkdir()
        runtime = Runtime.build("reports", settings, reports_outbox, REPORTS_MIGRATIONS)
        if name == "a":  # one replica reads the record's consumer (as one pod does)
            subjects = reports_consumers.subjects(hall)
            runtime.consume(reports_consumers.DURABLE, subjects, got.extend, batched=True)
        runtime.live.share(LIVE_TOPIC)
        replicas.append(runtime)
    try:
        for runtime in replicas:
            await runtime.start()

        async def connected() -> bool:
            return all([await r.nats_ready() for r in replicas])

        await eventually(connected, "reports to connect as its user")
        paused = await publish_event(platform, hall, "dukcapil", 7)

        async def recorded() -> bool:
            return paused.meta.event_id in {e.event_id for e in got}

        await eventually(recorded, "the record's consumer to receive the platform's event")

        answered = pb.SurveyAnswered(
            meta=new_meta(hall.id, "dukcapil", NOW), ticket=pb.TicketRef(ticket_id="t-1"), scores=[4] * 9
        )
        with replicas[0].uow.begin() as tx:
            tx.publish(answered)

        async def published() -> bool:
            info = await js.stream_info(stream_name(hall.id), subjects_filter=">")
            return (info.state.subjects or {}).get(subject_for(answered), 0) >= 1

        await eventually(published, "the survey answer in the stream")

        async with replicas[1].live.listen(LIVE_TOPIC) as notes:
            replicas[0].live.publish(LIVE_TOPIC, "changed")
            assert await asyncio.wait_for(notes.get(), 5) == "changed"
    finally:
        for runtime in replicas:
            await runtime.stop()


async def test_reports_may_do_nothing_else(server: DevNats, platform: Client) -> None:
    hall, stream = server.hall, stream_name(server.hall.id)
    await bus.ensure_stream(platform.jetstream(), hall.id)
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    nc = await nats.connect(server.service_url("reports"), error_cb=on_error, allow_reconnect=False)
    try:
        js = nc.jetstream(timeout=1.0)
        # Events of the queue: not its to publish, nor another hall's survey answers.
        for subject in (f"antre.{hall.id}.dukcapil.ticket.called", "antre.other.dukcapil.survey.answered"):
            await nc.publish(subject, b"{}")
        await nc.subscribe(f"antre.{hall.id}.>")
        await nc.flush()
        await asyncio.sleep(0.3)  # the server's -ERR arrives after the PING it answered
        text = " ".join(errors).lower()
        assert text.count("permissions violation") == 3, errors
        # JetStream: no consumer but its own, no other consumer's messages, no stream changes.
        with pytest.raises((NatsTimeout, TimeoutError)):
            await js.add_consumer(stream, durable_name="reports-other", deliver_policy=DeliverPolicy.ALL)
        with pytest.raises((NatsTimeout, TimeoutError)):
            await js.consumer_info(stream, agency_consumer("dukcapil"))
        with pytest.raises((NatsTimeout, TimeoutError)):
            await js.delete_stream(stream)
        with pytest.raises((NatsTimeout, TimeoutError)):
            await js.add_stream(name="REPORTS_OWN", subjects=["reports.>"])
    finally:
        await nc.close()
    assert (await platform.jetstream().stream_info(stream)).config.name == stream
