"""A whole hall on free ports, for the tests and the benchmarks: a copy of the Kendari hall with an
id of its own (so its own JetStream stream), the services as processes (tools/hall.py) on one
NATS, on PostgreSQL schemas of their own when a database is given, else SQLite files; with the
officers, devices and clients a test or a benchmark acts through."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Self

import httpx
import yaml
from sqlalchemy import create_engine, text

from antre.db import normalise_url
from antre.hall.load import read_document
from tools.hall import KENDARI, SERVICES, ServiceProcess, free_port, hall_env, stop_all, unique

PASSWORD = "rahasia-123"


def write_hall(folder: Path, hall_id: str, **overrides: Any) -> Path:
    """A copy of the Kendari hall with its own id (its own JetStream stream) and changes."""
    data = read_document(KENDARI.read_text())
    assert isinstance(data, dict)
    data["id"] = hall_id
    data.update(overrides)
    path = folder / f"{hall_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


class LocalHall:
    # What runs each service: a subclass may run them otherwise (on a test's clock).
    process_type: type[ServiceProcess] = ServiceProcess

    def __init__(
        self,
        folder: Path,
        nats_url: str,
        database_url: str | None,
        services: tuple[str, ...] = SERVICES,
        extra_env: dict[str, str] | None = None,
        service_env: dict[str, dict[str, str]] | None = None,
        **hall_overrides: Any,
    ) -> None:
        self.extra_env = extra_env or {}
        self.service_env = service_env or {}  # more for one service, e.g. its uvicorn workers
        self.folder = folder
        self.hall_id = unique("h")
        self.hall_file = write_hall(folder, self.hall_id, **hall_overrides)
        self.nats_url = nats_url
        self.database_url = database_url
        self.names = services
        self.ports = {name: free_port() for name in services}
        self.processes: dict[str, ServiceProcess] = {}
        self.schemas = {name: f"{self.hall_id}_{name}" for name in services}
        self._devices: dict[tuple[str, str], str] = {}
        self._enrolling = threading.Lock()

    def env(self, name: str) -> dict[str, str]:
        # A service left out answers nowhere (port 0): the others are told so, as they would be.
        urls = {service: f"http://127.0.0.1:{self.ports.get(service, 0)}" for service in SERVICES}
        env = {
            **os.environ,
            **hall_env(self.hall_file, self.folder / "state", self.nats_url, urls),
            "ANTRE_NOTIFY_URL": urls["notify"],
            # The reports' staff pages (the live hall) sign in at the counters from the browser.
            "ANTRE_STAFF_ORIGINS": urls["reports"],
            # Online bookings' phone codes have their own tests (tests/security/test_booking_phone.py),
            # which turn the check on; the rest book as a hall without it would.
            "ANTRE_BOOKING_PHONE_CHECK": "0",
            # Tests issue hundreds of numbers through one kiosk; the kiosk limit has its own test.
            "ANTRE_KIOSK_TICKETS_PER_MINUTE": "100000",
        }
        env.update(self.extra_env)
        env.update(self.service_env.get(name, {}))
        if self.database_url:
            env["ANTRE_DATABASE_URL"] = self.database_url
            env["ANTRE_DATABASE_SCHEMA"] = self.schemas[name]
        return env

    def start(self, *names: str) -> Self:
        for name in names or self.names:
            log = self.folder / f"{name}.log"
            self.processes[name] = self.process_type(name, self.ports[name], self.env(name), log).start()
        for name in names or self.names:
            self.processes[name].wait_ready()
        return self

    def start_replica(self, name: str) -> str:
        """Another process of a running service (same database, same NATS, its own port), as a
        second pod would be; returns its base URL."""
        port = free_port()
        key = f"{name}#{sum(1 for k in self.processes if k.split('#')[0] == name)}"
        process = self.process_type(name, port, self.env(name), self.folder / f"{key}.log").start()
        self.processes[key] = process
        process.wait_ready()
        return process.url

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def client(self, name: str) -> httpx.Client:
        """A client of one service; ticketing's speaks as the hall's first kiosk, enrolled."""
        headers = {"Authorization": f"Bearer {self.kiosk_token()}"} if name == "ticketing" else {}
        return httpx.Client(base_url=self.url(name), timeout=10.0, headers=headers)

    def kiosk_token(self, kiosk: str = "kiosk-1") -> str:
        """The kiosk's device token, enrolled through ticketing's command line on first use."""
        return self._device("ticketing", "enrol-kiosk", "--kiosk", kiosk)

    def board_token(self, board: str = "papan-1") -> str:
        """The board's device token, enrolled through the display's command line on first use."""
        return self._device("display", "enrol-board", "--board", board)

    def _device(self, service: str, command: str, flag: str, device: str) -> str:
        # Once per device, however many threads ask at once: enrolling again ends the token before.
        with self._enrolling:
            if (service, device) not in self._devices:
                cmd = [sys.executable, "-m", f"services.{service}.entrypoints.cli", command, flag, device]
                done = subprocess.run(cmd, env=self.env(service), check=True, capture_output=True, text=True)
                self._devices[service, device] = done.stdout.strip()
            return self._devices[service, device]

    def add_officer(self, username: str, agency: str, role: str = "officer") -> None:
        """An account that signs in with ``PASSWORD``."""
        cmd = [sys.executable, "-m", "services.counters.entrypoints.cli", "add-officer"]
        cmd += ["--username", username, "--name", username, "--agency", agency, "--role", role]
        subprocess.run(
            cmd, env=self.env("counters"), check=True, capture_output=True, input=f"{PASSWORD}\n".encode()
        )

    def sign_in(self, username: str) -> dict[str, str]:
        with self.client("counters") as c:
            response = c.post("/api/v1/sessions", json={"username": username, "password": PASSWORD})
            response.raise_for_status()
            return {"Authorization": f"Bearer {response.json()['token']}"}

    def stop(self) -> None:
        stop_all([process.process for process in self.processes.values()], timeout=15)
        if self.database_url:
            engine = create_engine(normalise_url(self.database_url))
            with engine.begin() as conn:
                for schema in self.schemas.values():
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()


def waiting_total(hall: LocalHall) -> int:
    with hall.client("counters") as c:
        return sum(c.get("/api/v1/queues").json()["waiting"].values())


def called_numbers(entry: dict[str, Any]) -> list[str]:
    """The ticket numbers an announcement (as a board receives it) calls: a grouped announcement
    says several."""
    return [call["number"] for call in entry.get("calls") or [entry]]
