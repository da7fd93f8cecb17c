"""A three-node NATS JetStream cluster on loopback, as production runs it (deploy/k8s/nats): each node
a nats-server from the wheel with its own client port, route port and store folder, every node
routing to all three. A node can be killed (-9) and started again with its store, and the cluster
says which node leads a stream."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import nats
from nats.js.errors import APIError, ServiceUnavailableError

from tools.hall import NatsServer, ServerExited, free_port

CLUSTER = "antre-test"


class NatsCluster:
    def __init__(self, folder: Path, size: int = 3) -> None:
        self.folder, self.size = folder, size
        self._plan()

    def _plan(self) -> None:
        folder, size = self.folder, self.size
        self.client_ports = [free_port() for _ in range(size)]
        self.route_ports = [free_port() for _ in range(size)]
        routes = ",".join(f"nats://127.0.0.1:{port}" for port in self.route_ports)
        self.nodes = {
            f"n{i}": NatsServer(
                folder / f"n{i}",
                self.client_ports[i],
                args=(
                    "--server_name",
                    f"n{i}",
                    "--cluster_name",
                    CLUSTER,
                    "--cluster",
                    f"nats://127.0.0.1:{self.route_ports[i]}",
                    "--routes",
                    routes,
                ),
            )
            for i in range(size)
        }

    @property
    def url(self) -> str:
        """Every node, comma-separated: what ANTRE_NATS_URL holds for a cluster."""
        return ",".join(node.url for node in self.nodes.values())

    def start(self, timeout: float = 30.0, tries: int = 3) -> NatsCluster:
        for attempt in range(tries):
            try:
                for node in self.nodes.values():
                    node.start()
                break
            except ServerExited:
                # Another process took one of the six ports between choosing and binding it:
                # the cluster starts afresh on new ones (nothing of it has run yet).
                self.stop()
                if attempt == tries - 1:
                    raise
                self._plan()
        asyncio.run(self._wait_for_jetstream(timeout))
        return self

    def kill(self, name: str) -> None:
        self.nodes[name].kill()

    def restart(self, name: str) -> None:
        self.nodes[name].start()

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()

    async def _wait_for_jetstream(self, timeout: float) -> None:
        """The cluster answers JetStream requests once its meta group has elected a leader."""
        nc = await nats.connect(servers=self.url.split(","), connect_timeout=2)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    await nc.jetstream().account_info()
                    return
                except (TimeoutError, nats.errors.TimeoutError, ServiceUnavailableError, APIError):
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.2)
        finally:
            await nc.close()


async def stream_leader(url: str, stream: str) -> tuple[str, int]:
    """The node that leads the stream now (JetStream's $JS.API.STREAM.INFO) and its replicas."""
    nc = await nats.connect(servers=url.split(","), connect_timeout=2)
    try:
        info = await nc.jetstream().stream_info(stream)
    finally:
        await nc.close()
    assert info.cluster is not None and info.cluster.leader, f"{stream} has no leader: {info.cluster}"
    return info.cluster.leader, info.config.num_replicas or 1


def leader_now(url: str, stream: str) -> str | None:
    """The stream's leader, or None while the cluster elects one (requests time out meanwhile)."""
    try:
        return asyncio.run(stream_leader(url, stream))[0]
    except Exception:
        return None
