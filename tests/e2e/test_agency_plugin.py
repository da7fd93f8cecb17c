"""An agency plugs in: the services run on a NATS server with the generated users, the example
plug-in follows Disdukcapil's events with Disdukcapil's own password and posts them to a loopback
receiver, and its commands pause Disdukcapil's counter while one naming Bapenda's is refused."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from antre.events import stream_name
from antre.hall.load import load_hall
from tests.support.hall import RunningHall, wait_for
from tests.support.infra import ROOT
from tests.support.secured_nats import SecuredNats

pytestmark = pytest.mark.e2e


class Receiver:
    """The agency's own system: records every JSON body posted to it."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                assert self.headers["Antre-Event-Id"] == body["event_id"]
                received.append(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/antre"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, name: str) -> list[dict[str, Any]]:
        return [b for b in self.received if b["event"] == name]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def secured_hall(tmp_path: Path, pg_url: str | None) -> Iterator[tuple[RunningHall, SecuredNats]]:
    hall = RunningHall(tmp_path, "", pg_url, ("ticketing", "counters"))
    (tmp_path / "nats").mkdir()
    server = SecuredNats(tmp_path / "nats", [load_hall(hall.hall_file)]).start()
    hall.nats_url = server.platform_url
    try:
        # What a deployment runs once NATS is up: each agency's consumer, made by the platform.
        consumers = ["consumers", str(hall.hall_file), "--nats", server.platform_url]
        made = subprocess.run(
            [sys.executable, "-m", "antre.nats_accounts", *consumers],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert "agency-dukcapil" in made.stdout
        hall.start()
        yield hall, server
    finally:
        hall.stop()
        server.stop()


def plugin(hall: RunningHall, server: SecuredNats, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "examples.plugin",
        "--nats",
        server.agency_url(hall.hall_id, "dukcapil"),
        "--hall",
        hall.hall_id,
        "--agency",
        "dukcapil",
        *args,
    ]


async def stored(server: SecuredNats, hall_id: str) -> dict[str, int]:
    nc = await nats.connect(server.platform_url)
    try:
        info = await nc.jetstream().stream_info(stream_name(hall_id), subjects_filter=">")
        return dict(info.state.subjects or {})
    finally:
        await nc.close()


def state(hall: RunningHall, number: int) -> str:
    return str(hall.counter(number)["state"])


def test_the_plugin_posts_its_agencys_calls_and_pauses_only_its_own_counters(
    secured_hall: tuple[RunningHall, SecuredNats], receiver: Receiver, tmp_path: Path
) -> None:
    hall, server = secured_hall
    log = (tmp_path / "plugin.log").open("wb")
    follower = subprocess.Popen(
        plugin(hall, server, "--post-to", receiver.url), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        hall.add_officer("ani", "dukcapil")
        hall.add_officer("dina", "bapenda")
        ani, dina = hall.sign_in("ani"), hall.sign_in("dina")
        with httpx.Client(base_url=hall.url("counters"), timeout=10) as c:
            assert c.post("/api/v1/counters/1/open", headers=ani).status_code == 200
            assert c.post("/api/v1/counters/10/open", headers=dina).status_code == 200
        with hall.client("ticketing") as c:
            for service in ("ktp-el", "pbb-p2"):
                assert c.post("/api/v1/tickets", json={"service": service}).status_code == 201
        with httpx.Client(base_url=hall.url("counters"), timeout=10) as c:
            wait_for(lambda: c.get("/api/v1/queues").json()["waiting"].get("ktp-el") == 1, what="queued")
            called = c.post("/api/v1/counters/1/call-next", headers=ani).json()["ticket"]
            assert called is not None
            assert c.post("/api/v1/counters/1/complete", headers=ani).status_code == 200
            wait_for(lambda: c.get("/api/v1/queues").json()["waiting"].get("pbb-p2") == 1, what="queued")
            assert c.post("/api/v1/counters/10/call-next", headers=dina).json()["ticket"] is not None

        wait_for(lambda: receiver.events("ticket.completed"), what="the completion posted")
        (call,) = receiver.events("ticket.called")
        assert call["agency"] == "dukcapil" and call["hall"] == hall.hall_id
        assert call["data"]["ticket"]["number"] == called["number"]
        assert call["data"]["counter"]["number"] == 1
        assert receiver.events("ticket.completed")[0]["data"]["ticket"]["number"] == called["number"]

        paused = subprocess.run(
            plugin(hall, server, "pause", "1", "--reason", "rapat"), cwd=ROOT, capture_output=True, text=True
        )
        assert paused.returncode == 0 and "accepted" in paused.stdout, paused.stdout + paused.stderr
        assert state(hall, 1) == "paused"

        refused = subprocess.run(
            plugin(hall, server, "pause", "10"), cwd=ROOT, capture_output=True, text=True
        )
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert "wrong_agency" in refused.stdout and "bukan loket instansi dukcapil" in refused.stdout
        assert state(hall, 10) == "open"

        wait_for(lambda: receiver.events("counter.command_refused"), what="the refusal posted")
        assert receiver.events("counter.paused")[0]["data"]["reason"] == "rapat"
        assert receiver.events("counter.command_refused")[0]["data"]["code"] == "wrong_agency"
        # Bapenda's call went by on the same stream; the plug-in never saw it.
        assert (
            asyncio.run(stored(server, hall.hall_id)).get(f"antre.{hall.hall_id}.bapenda.ticket.called") == 1
        )
        assert {b["agency"] for b in receiver.received} == {"dukcapil"}
        with hall.client("counters") as c:
            metrics = c.get("/metrics").text
        assert 'antre_agency_commands_refused_total{agency="dukcapil",code="wrong_agency"} 1.0' in metrics
    finally:
        follower.send_signal(signal.SIGTERM)
        assert follower.wait(timeout=15) == 0, (tmp_path / "plugin.log").read_text()[-2000:]
