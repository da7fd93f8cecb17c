"""Ticketing's whole app in the test process (its lifespan: migrations, hall file, NATS, relay)
on a store of the given backend, and a network printer to point its kiosks at."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from services.ticketing import handlers
from services.ticketing.bootstrap import create_app
from services.ticketing.handlers import kiosks
from services.ticketing.settings import Settings
from tests.support.infra import free_port, unique, write_hall
from tests.support.stores import drop_schema, pg_url

PUBLIC_URL = "https://antre.example.id"


@contextmanager
def ticketing_client(backend: str, folder: Path, nats_url: str, **hall: Any) -> Iterator[TestClient]:
    """``hall`` overrides top-level sections of the Kendari hall file (``kiosks=[...]``)."""
    schema = unique("t_") if backend == "postgresql" else ""
    settings = Settings(
        hall_file=write_hall(folder, unique("h"), **hall),
        state_dir=folder / "state",
        nats_url=nats_url,
        demo=True,
        database_url=(pg_url() or "") if schema else "",
        database_schema=schema,
        public_url=PUBLIC_URL,
        counters_url=f"http://127.0.0.1:{free_port()}",  # nobody: a position is simply unknown
        booking_phone_check=False,  # no notify here; the phone codes are tested with the whole hall
    )
    try:
        with TestClient(create_app(settings)) as client:
            as_kiosks(client)
            yield client
    finally:
        drop_schema(schema)


def as_kiosks(client: TestClient) -> None:
    """Every kiosk of the hall enrolled, and the client speaking as the kiosk a request names: an
    issue as its body's kiosk (the hall's first when none), a print's outcome as the kiosk that
    issued the ticket. A request with its own Authorization header is left as it is."""
    deps = deps_of(client)
    tokens = {k.id: kiosks.enrol(deps, None, k.id) for k in deps.hall.kiosks}
    issued_at: dict[str, str] = {}
    printing = re.compile(r"^/api/v1/tickets/([^/]+)/(printed|print-failed)$")

    def sign(request: httpx.Request) -> None:
        if "authorization" in request.headers or request.method != "POST":
            return
        kiosk = ""
        if request.url.path == "/api/v1/tickets":
            kiosk = json.loads(request.content or b"{}").get("kiosk") or deps.hall.kiosks[0].id
        elif (found := printing.match(request.url.path)) is not None:
            kiosk = issued_at.get(found.group(1), "")
        if kiosk in tokens:
            request.headers["Authorization"] = f"Bearer {tokens[kiosk]}"

    def note(response: httpx.Response) -> None:
        if response.request.url.path == "/api/v1/tickets" and response.status_code == 201:
            response.read()
            body = response.json()
            issued_at[body["id"]] = body["kiosk"]

    client.event_hooks = {"request": [sign], "response": [note]}
    client.kiosk_tokens = tokens  # type: ignore[attr-defined]


def deps_of(client: TestClient) -> handlers.Deps:
    return client.app.state.ctx.deps  # type: ignore[attr-defined]


class PrinterServer:
    """A network printer on 127.0.0.1 (a free port): each connection is one job, its bytes read
    until the sender closes."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port: int = self._socket.getsockname()[1]
        self.jobs: list[bytes] = []
        self._job_done = threading.Semaphore(0)
        self._taken = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> PrinterServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                job = bytearray()
                while chunk := conn.recv(65536):
                    job += chunk
                self.jobs.append(bytes(job))
                self._job_done.release()

    def next_job(self, timeout: float = 5.0) -> bytes:
        """The next job the printer finished receiving (in order)."""
        assert self._job_done.acquire(timeout=timeout), "the printer received nothing"
        self._taken += 1
        return self.jobs[self._taken - 1]
