"""The outside world notify talks to, on loopback: a real SMTP server (aiosmtpd) and HTTP servers
standing in for a WhatsApp Cloud API provider, an SMS gateway and an agency's webhook. Each keeps
what it accepted with the hall clock's time of arrival, so a test can tell when, in the hall's day,
a message reached its citizen."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.infra import free_port

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Arrival:
    at: dt.datetime  # hall clock
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Answers 200 to every POST and keeps it."""

    clock: Clock
    url: str = ""
    arrivals: list[Arrival] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, arrival: Arrival) -> None:
        with self._lock:
            self.arrivals.append(arrival)

    def seen(self) -> list[Arrival]:
        with self._lock:
            return list(self.arrivals)


Answer = Callable[[str, dict[str, str], bytes], tuple[int, bytes]]


@contextmanager
def post_server(answer: Answer) -> Iterator[str]:
    """An HTTP server on loopback handing each POST (path, headers, body) to ``answer``, which
    gives the status and the JSON body to send back; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, reply = answer(self.path, dict(self.headers.items()), body)
            self.send_response(status)
            if reply:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def http_receiver(clock: Clock) -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(clock)

    def answer(path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        receiver.keep(Arrival(receiver.clock(), path, headers, body))
        return 200, b"{}"

    with post_server(answer) as url:
        receiver.url = url
        yield receiver


@dataclass(frozen=True)
class Mail:
    at: dt.datetime  # hall clock
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return str(self.message.get_content())


@dataclass
class Mailbox:
    clock: Clock
    port: int = 0
    mails: list[Mail] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, mail: Mail) -> None:
        with self._lock:
            self.mails.append(mail)

    def seen(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)


@contextmanager
def smtp_server(clock: Clock) -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(clock, port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            wire = envelope.content.replace(b"\r\n", b"\n")  # SMTP's line ends, as Python reads mail
            parsed = message_from_bytes(wire, policy=email_policy)
            box.keep(Mail(box.clock(), list(envelope.rcpt_tos), parsed))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
