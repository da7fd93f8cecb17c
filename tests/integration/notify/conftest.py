"""Notify's factories for integration tests: a receiving HTTP server, a clock that only moves
when told, a migrated SQLite store and the handlers' dependencies on top of them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from antre.events import Envelope, new_meta, subject_for, timestamp
from antre.hall.model import Hall, Webhook
from antre.uow import UnitOfWork
from antre.v1 import events_pb2 as pb
from services.notify import handlers
from services.notify.adapters.tables import outbox
from services.notify.adapters.webhook import WebhookClient
from services.notify.bootstrap import MIGRATIONS
from services.notify.metrics import Metrics
from tests.support.stores import drop_schema, make_store

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)  # 09:15 WITA, a Monday
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Clock:
    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: dt.datetime  # the fake clock's time when the request arrived


@dataclass
class Receiver:
    """An agency's system: answers 500 to the first ``failures`` requests, then 200."""

    clock: Clock
    failures: int = 0
    requests: list[Received] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            status = 500 if len(self.requests) < self.failures else 200
            self.requests.append(Received(path, headers, body, status, self.clock()))
            return status


def serve(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.answer(self.path, dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def receiver(clock: Clock) -> Iterator[Receiver]:
    yield from serve(Receiver(clock, failures=2))


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty notify store on each backend the machine offers."""
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    yield engine
    engine.dispose()
    drop_schema(schema)


@pytest.fixture
def hall_with(kendari: Hall) -> Callable[..., Hall]:
    """The Kendari hall with the given webhooks."""

    def make(*hooks: Webhook) -> Hall:
        return dataclasses.replace(kendari, webhooks=hooks)

    return make


@pytest.fixture
def make_deps(engine: Engine, clock: Clock) -> Iterator[Callable[..., handlers.Deps]]:
    clients: list[WebhookClient] = []

    def make(hall: Hall, **options: object) -> handlers.Deps:
        client = WebhookClient(timeout=5.0)
        clients.append(client)
        uow = UnitOfWork(engine, outbox, clock)
        return handlers.Deps(hall, uow, Metrics(CollectorRegistry()), client, **options)  # type: ignore[arg-type]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def ticket_called() -> Callable[..., Envelope]:
    """Envelopes of B-012 called to counter 3, as the counters service would publish them."""

    def make(agency: str = "dukcapil", now: dt.datetime = T0, event_id: str | None = None) -> Envelope:
        message = pb.TicketCalled(
            meta=new_meta("kendari", agency, now, event_id=event_id),
            ticket=pb.TicketRef(
                ticket_id="tkt-1", service="kartu-keluarga", number="B-012", hall_day="2026-03-02"
            ),
            counter=pb.CounterRef(number=3, name="Loket 3 Disdukcapil", zone="lantai-1-a"),
            officer="Wa Ode",
            queued_at=timestamp(now - dt.timedelta(minutes=20)),
        )
        return Envelope(subject_for(message), message, TRACEPARENT)

    return make
