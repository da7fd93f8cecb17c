"""Notify's factories for integration tests: a receiving HTTP server, a clock that only moves
when told, a migrated SQLite store and the handlers' dependencies on top of them; for citizens'
messages also a real SMTP server (aiosmtpd), a stand-in for counters' position API, booking and
ticket events, and the worker's rounds on the fake clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from antre.events import Envelope, new_meta, subject_for, timestamp
from antre.hall.model import Hall, Webhook
from antre.privacy import ticket_key
from antre.uow import UnitOfWork
from antre.v1 import events_pb2 as pb
from services.notify import handlers
from services.notify.adapters.channels.email import SmtpChannel, SmtpConfig
from services.notify.adapters.channels.outbound import Outbound
from services.notify.adapters.channels.sms import SmsChannel, SmsConfig
from services.notify.adapters.channels.whatsapp import WhatsAppChannel, WhatsAppConfig
from services.notify.adapters.positions import CountersPositions
from services.notify.adapters.tables import outbox
from services.notify.adapters.webhook import WebhookClient
from services.notify.bootstrap import MIGRATIONS
from services.notify.metrics import Metrics
from tests.support.infra import free_port
from tests.support.receivers import post_server
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
    """An agency's system (or a WhatsApp or SMS provider): answers ``failure_status`` (500) to the
    first ``failures`` requests, then 200."""

    clock: Clock
    failures: int = 0
    failure_status: int = 500
    requests: list[Received] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            status = self.failure_status if len(self.requests) < self.failures else 200
            self.requests.append(Received(path, headers, body, status, self.clock()))
            return status


def serve(receiver: Receiver) -> Iterator[Receiver]:
    with post_server(lambda path, headers, body: (receiver.answer(path, headers, body), b"")) as url:
        receiver.url = url
        yield receiver


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


# ---- citizens ----

OPTOUT_KEY = b"k" * 32
OPTOUT_URL = "https://mpp.example/berhenti"
SURVEY_URL = "https://skm.example/isi?tiket={ticket}"
BOOKING_DAY = "2026-03-03"  # the Tuesday after T0
SESSION_START = dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC)  # 08:00 WITA
SESSION_END = SESSION_START + dt.timedelta(hours=1)


class Events:
    """Booking and ticket events of the Kendari hall at the clock's time, each a new event id."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def _envelope(self, message: Any) -> Envelope:
        return Envelope(subject_for(message), message, TRACEPARENT)

    def _meta(self, agency: str) -> pb.EventMeta:
        return new_meta("kendari", agency, self.clock())

    @staticmethod
    def slot(service: str, day: str, start: dt.datetime) -> pb.BookingSlot:
        return pb.BookingSlot(
            service=service,
            day=day,
            session_start=timestamp(start),
            session_end=timestamp(start + dt.timedelta(hours=1)),
        )

    def created(
        self,
        booking: str = "bk-1",
        *,
        phone: str = "0812-3456-7890",
        email: str = "warga@example.id",
        language: str = "id",
        code: str = "KDI-7Q4M",
        service: str = "ktp-el",
        day: str = BOOKING_DAY,
        start: dt.datetime = SESSION_START,
    ) -> Envelope:
        return self._envelope(
            pb.BookingCreated(
                meta=self._meta("dukcapil"),
                booking_id=booking,
                code=code,
                slot=self.slot(service, day, start),
                contact=pb.Contact(name="Wa Ode Sitti", phone=phone, email=email, language=language),
                channel=pb.CHANNEL_ONLINE,
            )
        )

    def rescheduled(self, booking: str, day: str, start: dt.datetime, service: str = "ktp-el") -> Envelope:
        return self._envelope(
            pb.BookingRescheduled(
                meta=self._meta("dukcapil"),
                booking_id=booking,
                previous=self.slot(service, BOOKING_DAY, SESSION_START),
                slot=self.slot(service, day, start),
            )
        )

    def cancelled(self, booking: str) -> Envelope:
        return self._envelope(
            pb.BookingCancelled(
                meta=self._meta("dukcapil"),
                booking_id=booking,
                slot=self.slot("ktp-el", BOOKING_DAY, SESSION_START),
                reason="citizen",
            )
        )

    def checked_in(self, booking: str, ticket: str, number: str, service: str = "ktp-el") -> Envelope:
        return self._envelope(
            pb.BookingCheckedIn(
                meta=self._meta("dukcapil"),
                booking_id=booking,
                ticket=pb.TicketRef(ticket_id=ticket, service=service, number=number, hall_day=BOOKING_DAY),
            )
        )

    def no_show(self, booking: str) -> Envelope:
        return self._envelope(
            pb.BookingNoShow(
                meta=self._meta("dukcapil"),
                booking_id=booking,
                slot=self.slot("ktp-el", BOOKING_DAY, SESSION_START),
            )
        )

    @staticmethod
    def ref(ticket: str, number: str, service: str) -> pb.TicketRef:
        return pb.TicketRef(ticket_id=ticket, service=service, number=number, hall_day=BOOKING_DAY)

    def called(self, ticket: str, number: str, counter: int = 1, service: str = "ktp-el") -> Envelope:
        return self._envelope(
            pb.TicketCalled(
                meta=self._meta("dukcapil"),
                ticket=self.ref(ticket, number, service),
                counter=pb.CounterRef(number=counter, name=f"Loket {counter} Disdukcapil", zone="lantai-1-a"),
                officer="Wa Ode",
            )
        )

    def completed(self, ticket: str, number: str, service: str = "ktp-el") -> Envelope:
        return self._envelope(
            pb.TicketCompleted(
                meta=self._meta("dukcapil"),
                ticket=self.ref(ticket, number, service),
                counter=pb.CounterRef(number=1, name="Loket 1 Disdukcapil", zone="lantai-1-a"),
            )
        )

    def ticket_cancelled(self, ticket: str, number: str, service: str = "ktp-el") -> Envelope:
        return self._envelope(
            pb.TicketCancelled(meta=self._meta("dukcapil"), ticket=self.ref(ticket, number, service))
        )


@pytest.fixture
def events(clock: Clock) -> Events:
    return Events(clock)


@dataclass
class Mailbox:
    """A real SMTP server on loopback (aiosmtpd): what it accepted, and whom it refuses (550)."""

    port: int = 0
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    def texts(self) -> list[str]:
        return [str(message.get_content()) for _rcpt, message in self.messages]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(port=free_port())

    class Handler:
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address in box.refuse:
                return "550 5.1.1 Mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            wire = envelope.content.replace(b"\r\n", b"\n")  # SMTP's line ends, as Python reads mail
            parsed = message_from_bytes(wire, policy=email_policy)
            box.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def whatsapp(clock: Clock) -> Iterator[Receiver]:
    """A WhatsApp Cloud API stand-in that fails twice, then accepts."""
    yield from serve(Receiver(clock, failures=2))


@pytest.fixture
def sms(clock: Clock) -> Iterator[Receiver]:
    """An SMS gateway stand-in that fails twice, then accepts."""
    yield from serve(Receiver(clock, failures=2))


@dataclass
class Counters:
    """Counters' ``GET /api/v1/services/{service}/positions``: every ticket in ``positions`` with a
    position waits (keyed by its hashed id, as counters answers), or 503 while ``up`` is False;
    ``asked`` lists the services asked about."""

    positions: dict[str, int | None] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    up: bool = True
    url: str = ""


@pytest.fixture
def counters() -> Iterator[Counters]:
    state = Counters()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")  # api v1 services <service> positions
            service = parts[3] if len(parts) == 5 and parts[2] == "services" else ""
            state.asked.append(service)
            if not state.up:
                status, answer = 503, {}
            else:
                waiting = {ticket_key(t): p for t, p in state.positions.items() if p is not None}
                status, answer = 200, {"service": service, "positions": waiting}
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def citizen_deps(engine: Engine, clock: Clock, kendari: Hall) -> Iterator[Callable[..., handlers.Deps]]:
    """Deps with real citizen channels pointed at loopback servers: pass ``mailbox``,
    ``whatsapp`` (a Receiver), ``sms`` (a Receiver) and ``counters`` for the ones wanted."""
    closers: list[Callable[[], None]] = []

    def make(
        *,
        mailbox: Mailbox | None = None,
        whatsapp: Receiver | None = None,
        sms: Receiver | None = None,
        counters: Counters | None = None,
        hall: Hall | None = None,
        survey_url: str = SURVEY_URL,
        retention_days: int = 3,
        **options: Any,
    ) -> handlers.Deps:
        chosen: list[Any] = [WebhookClient(timeout=5.0)]
        if mailbox is not None:
            config = SmtpConfig(
                "127.0.0.1", mailbox.port, "MPP Kota Kendari <antrean@mpp.example>", security="none"
            )
            chosen.append(SmtpChannel(config))
        if whatsapp is not None:
            chosen.append(WhatsAppChannel(WhatsAppConfig(f"{whatsapp.url}/v21.0", "wa-token", "1098765")))
        if sms is not None:
            chosen.append(SmsChannel(SmsConfig(f"{sms.url}/sms/send", "sms-key")))
        outbound = Outbound(chosen, parallel=8)
        closers.append(outbound.close)
        positions = CountersPositions(counters.url) if counters is not None else None
        if positions is not None:
            closers.append(positions.close)
        citizens = handlers.Citizens(
            channels=frozenset(c.name for c in chosen) - {"webhook"},
            optout_key=OPTOUT_KEY,
            optout_url=OPTOUT_URL,
            survey_url=survey_url,
            retention_days=retention_days,
            positions=positions,
        )
        uow = UnitOfWork(engine, outbox, clock)
        metrics = Metrics(CollectorRegistry())
        return handlers.Deps(hall or kendari, uow, metrics, outbound, citizens=citizens, **options)

    yield make
    for close in closers:
        close()


@pytest.fixture
def work(clock: Clock) -> Callable[..., int]:
    """The delivery worker's rounds over ``seconds`` of fake time; returns attempts made."""

    def run(deps: handlers.Deps, seconds: float, step: float = 0.5) -> int:
        attempts = 0
        for _ in range(int(seconds / step)):
            attempts += handlers.deliver_due(deps)
            clock.advance(step)
        return attempts

    return run
