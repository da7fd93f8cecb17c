"""Prod's three-node NATS with the hall's users, from the rendered prod overlay's nats-config:
routes between the nodes are not clients, so the users leave the cluster working. Besides the
single node's loopback rewrites (see test_nats_users_live.py), each node's route port
(`port: 6222` in `cluster {}`) and the three routes (`nats-N.nats-headless:6222`) move to
free ports on 127.0.0.1; each node's name is its $POD_NAME, nats-0 to nats-2."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import nats
import pytest
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import APIError

from antre import bus
from antre.events import stream_name, subject_for
from antre.hall.load import load_hall
from antre.hall.model import Hall
from antre.nats_accounts import (
    agency_consumer,
    agency_user,
    grants,
    inbox_prefix,
    make_consumers,
    random_passwords,
)
from tests.deploy.pod_env import Obj, configmap, container, environment, workload
from tests.deploy.test_nats_users_live import SECRET, loopback, publish_event
from tests.support.infra import free_port, wait_for_port
from tools.hall import nats_binary

pytestmark = pytest.mark.nats
NODES = 3


class Cluster:
    def __init__(self, objects: list[Obj], folder: Path) -> None:
        (folder / "hall.yaml").write_text(configmap(objects, "antre-hall")["data"]["hall.yaml"])
        self.hall = load_hall(folder / "hall.yaml")
        self.passwords = random_passwords([self.hall])
        self.ports = [free_port() for _ in range(NODES)]
        routes = [free_port() for _ in range(NODES)]
        data = configmap(objects, "nats-config")["data"]
        self.processes: list[subprocess.Popen[bytes]] = []
        self.folders = [folder / f"nats-{i}" for i in range(NODES)]
        for i, node in enumerate(self.folders):
            node.mkdir()
            (node / "accounts.conf").write_text(data["accounts.conf"])
            more = {"  port: 6222\n": f"  listen: 127.0.0.1:{routes[i]}\n"} | {
                f"nats://nats-{j}.nats-headless:6222\n": f"nats://127.0.0.1:{routes[j]}\n"
                for j in range(NODES)
            }
            (node / "nats.conf").write_text(
                loopback(data["nats.conf"], node, self.ports[i], free_port(), more)
            )
        env = environment(container(workload(objects, "Deployment", "counters")), self.secrets())
        self.platform_url = env["ANTRE_NATS_URL"]

    def secrets(self) -> dict[tuple[str, str], str]:
        return {(SECRET, key): value for key, value in self.passwords.items()}

    def start(self) -> Cluster:
        for i, node in enumerate(self.folders):
            self.processes.append(
                subprocess.Popen(
                    [nats_binary(), "-c", str(node / "nats.conf")],
                    env={**self.passwords, "POD_NAME": f"nats-{i}"},
                    stdout=(node / "nats.log").open("ab"),
                    stderr=subprocess.STDOUT,
                )
            )
        for port in self.ports:
            wait_for_port(port)
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)

    def platform(self, node: int) -> str:
        return self.platform_url.replace("@nats:4222", f"@127.0.0.1:{self.ports[node]}")

    def agency(self, agency: str, node: int) -> str:
        user = agency_user(self.hall.id, agency)
        (variable,) = [g.password_variable for g in grants([self.hall]) if g.user == user]
        return f"nats://{quote(user, safe='')}:{self.passwords[variable]}@127.0.0.1:{self.ports[node]}"


@pytest.fixture
def cluster(rendered: dict[str, list[Obj]], tmp_path: Path) -> Iterator[Cluster]:
    started = Cluster(rendered["prod"], tmp_path).start()
    yield started
    started.stop()


async def three_replica_stream(url: str, hall: Hall, timeout: float = 90.0) -> None:
    """Made (by the agency consumers' command) as soon as the nodes have found each other over
    their routes and chose a leader (seconds on a quiet machine; more while other work runs)."""
    nc = await asyncio.wait_for(bus.connect(url, "antre-test"), 10)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                # The agency consumers' Job may be the first to make the stream: with the replicas
                # ANTRE_NATS_REPLICAS gives it, as a service would.
                await make_consumers([hall], url, from_start=False, replicas=NODES)
                info = await nc.jetstream().stream_info(stream_name(hall.id))
                assert info.cluster is not None and len(info.cluster.replicas or []) == NODES - 1
                return
            except (APIError, NatsTimeout, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
    finally:
        await nc.close()


async def test_the_cluster_forms_with_the_users_and_an_agency_reads_on_another_node(cluster: Cluster) -> None:
    hall = cluster.hall
    await three_replica_stream(cluster.platform(0), hall)
    platform = await asyncio.wait_for(bus.connect(cluster.platform(1), "antre-test"), 10)
    agency = await nats.connect(cluster.agency("dukcapil", 2), inbox_prefix=inbox_prefix(hall.id, "dukcapil"))
    try:
        sub = await agency.jetstream().pull_subscribe_bind(
            agency_consumer("dukcapil"), stream=stream_name(hall.id)
        )
        own = await publish_event(platform, hall, "dukcapil", 1)
        (msg,) = await sub.fetch(1, timeout=5.0)
        assert msg.subject == subject_for(own)
        await msg.ack()
    finally:
        await agency.close()
        await platform.close()
    with pytest.raises(NatsError, match="Authorization Violation"):
        await nats.connect(
            f"nats://127.0.0.1:{cluster.ports[2]}",
            allow_reconnect=False,
            max_reconnect_attempts=0,
            connect_timeout=2,
        )
