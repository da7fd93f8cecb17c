"""The whole hall as processes for end-to-end and browser tests: five services, one NATS, one
database backend (PostgreSQL schemas when available, else SQLite files)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from antre.db import normalise_url
from tests.support.clock import CLOCK_FILE_ENV, ClockedProcess, FileClock
from tests.support.infra import ServiceProcess, free_port, unique, write_hall

SERVICES = ("ticketing", "counters", "display", "notify", "reports")
PASSWORD = "rahasia-123"


class RunningHall:
    def __init__(
        self,
        folder: Path,
        nats_url: str,
        database_url: str | None,
        services: tuple[str, ...] = SERVICES,
        extra_env: dict[str, str] | None = None,
        clock: FileClock | None = None,
        service_env: dict[str, dict[str, str]] | None = None,
        **hall_overrides: Any,
    ) -> None:
        self.extra_env = extra_env or {}
        self.service_env = service_env or {}  # more for one service, e.g. its uvicorn workers
        # With a clock, every service runs on that hall clock instead of the wall clock.
        self.clock = clock
        self.process_type: type[ServiceProcess] = ClockedProcess if clock else ServiceProcess
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
        env = {
            **os.environ,
            "ANTRE_HALL_FILE": str(self.hall_file),
            "ANTRE_STATE_DIR": str(self.folder / "state"),
            "ANTRE_NATS_URL": self.nats_url,
            "ANTRE_DEMO": "1",
            "ANTRE_PUBLIC_URL": f"http://127.0.0.1:{self.ports.get('ticketing', 0)}",
            "ANTRE_COUNTERS_URL": f"http://127.0.0.1:{self.ports.get('counters', 0)}",
            "ANTRE_NOTIFY_URL": f"http://127.0.0.1:{self.ports.get('notify', 0)}",
            "ANTRE_REPORTS_URL": f"http://127.0.0.1:{self.ports.get('reports', 0)}",
            # The reports' staff pages (the live hall) sign in at the counters from the browser.
            "ANTRE_STAFF_ORIGINS": f"http://127.0.0.1:{self.ports.get('reports', 0)}",
            # Online bookings' phone codes have their own tests (tests/security/test_booking_phone.py),
            # which turn the check on; the rest book as a hall without it would.
            "ANTRE_BOOKING_PHONE_CHECK": "0",
            # Tests issue hundreds of numbers through one kiosk; the kiosk limit has its own test.
            "ANTRE_KIOSK_TICKETS_PER_MINUTE": "100000",
        }
        env.update(self.extra_env)
        env.update(self.service_env.get(name, {}))
        if self.clock is not None:
            env[CLOCK_FILE_ENV] = str(self.clock.path)
        if self.database_url:
            env["ANTRE_DATABASE_URL"] = self.database_url
            env["ANTRE_DATABASE_SCHEMA"] = self.schemas[name]
        return env

    def start(self, *names: str) -> RunningHall:
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
        cmd = [
            sys.executable,
            "-m",
            "services.counters.entrypoints.cli",
            "add-officer",
            "--username",
            username,
            "--name",
            username,
            "--agency",
            agency,
            "--role",
            role,
        ]
        subprocess.run(
            cmd, env=self.env("counters"), check=True, capture_output=True, input=f"{PASSWORD}\n".encode()
        )

    def sign_in(self, username: str) -> dict[str, str]:
        with self.client("counters") as c:
            response = c.post("/api/v1/sessions", json={"username": username, "password": PASSWORD})
            response.raise_for_status()
            return {"Authorization": f"Bearer {response.json()['token']}"}

    def manager(self) -> dict[str, str]:
        """A signed-in hall manager's headers (the account is made on first use)."""
        if not getattr(self, "_manager", False):
            self.add_officer("pengelola", "", role="manager")
            self._manager = True
        return self.sign_in("pengelola")

    def supervisor(self, agency: str) -> dict[str, str]:
        """A signed-in supervisor of ``agency``'s headers (the account, ``spv-<agency>``, is made on
        first use; it signs in with ``PASSWORD`` like every account here)."""
        username = f"spv-{agency}"
        made: set[str] = self.__dict__.setdefault("_supervisors", set())
        if username not in made:
            self.add_officer(username, agency, role="supervisor")
            made.add(username)
        return self.sign_in(username)

    def counter(self, number: int) -> dict[str, Any]:
        """A counter as the counters see it, asked by the hall's manager."""
        with self.client("counters") as c:
            response = c.get(f"/api/v1/counters/{number}", headers=self.manager())
            response.raise_for_status()
            return dict(response.json())

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()
        if self.database_url:
            engine = create_engine(normalise_url(self.database_url))
            with engine.begin() as conn:
                for schema in self.schemas.values():
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def waiting_total(hall: RunningHall) -> int:
    with hall.client("counters") as c:
        return sum(c.get("/api/v1/queues").json()["waiting"].values())


def announced(display_url: str, zones: set[str]) -> dict[str, list[str]]:
    """The calls each zone's board says, in order: an announcement may say a group of calls, and
    one that stands for earlier entries (``replaces``) is said instead of them. Recalls and
    service messages are left out."""
    out = {}
    with httpx.Client(base_url=display_url, timeout=10) as c:
        for zone in zones:
            log = c.get(f"/api/v1/zones/{zone}/announcements", params={"after": 0, "limit": 1000}).json()
            entries = log["announcements"]
            replaced = {seq for entry in entries for seq in entry["replaces"]}
            out[zone] = [
                call["number"]
                for entry in entries
                if entry["seq"] not in replaced and entry["kind"] not in ("recall", "message")
                for call in entry["calls"]
            ]
    return out


def called_numbers(entry: dict[str, Any]) -> list[str]:
    """The ticket numbers an announcement (as a board receives it) calls: a grouped announcement
    says several."""
    return [call["number"] for call in entry.get("calls") or [entry]]
