"""What leaves the services as traces, caught by an OTLP/HTTP receiver on loopback: a ticket's trace
holds the SQL ticketing ran to issue it and the SQL the counters ran to call it; the status page's
question to the counters is an HTTP client span; and no span carries a citizen's NIK, phone or name.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.support.hall import RunningHall, wait_for

NIK = "7471012512870042"
PHONE = "081299887766"
NAME = "Warga Rahasia Jejak"
CLIENT_SPAN = 3  # Span.SpanKind.SPAN_KIND_CLIENT


@dataclass(frozen=True)
class Seen:
    service: str
    trace_id: str
    name: str
    kind: int
    attributes: dict[str, str]


class Receiver:
    """A collector's OTLP/HTTP endpoint, only as far as the exporter needs: POST /v1/traces with
    an ExportTraceServiceRequest, answered with an empty response."""

    def __init__(self) -> None:
        self.spans: list[Seen] = []
        self.raw = bytearray()  # every body received, decompressed: nothing may hide in it either
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                with lock:
                    receiver.raw += body
                    receiver.spans += list(_spans(request))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200 if self.path == "/v1/traces" else 404)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/traces"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def of_trace(self, trace_id: str) -> list[Seen]:
        return [s for s in list(self.spans) if s.trace_id == trace_id]


def _spans(request: ExportTraceServiceRequest) -> Iterator[Seen]:
    for resource_spans in request.resource_spans:
        resource = {a.key: _text(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield Seen(
                    resource.get("service.name", ""),
                    span.trace_id.hex(),
                    span.name,
                    span.kind,
                    {a.key: _text(a.value) for a in span.attributes},
                )


def _text(value: AnyValue) -> str:
    return str(getattr(value, value.WhichOneof("value") or "string_value"))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()


@pytest.fixture
def hall(tmp_path: Path, nats_url: str, pg_url: str | None, receiver: Receiver) -> Iterator[RunningHall]:
    if pg_url is None:
        pytest.skip("needs PostgreSQL (ANTRE_TEST_DATABASE_URL)")
    # Spans leave every 200 ms instead of every 5 s, so the test waits less.
    env = {"ANTRE_OTLP_ENDPOINT": receiver.url, "OTEL_BSP_SCHEDULE_DELAY": "200"}
    running = RunningHall(tmp_path, nats_url, pg_url, ("ticketing", "counters"), extra_env=env)
    try:
        yield running.start()
    finally:
        running.stop()


def test_a_tickets_trace_holds_both_services_sql_and_no_citizens_data(
    hall: RunningHall, receiver: Receiver
) -> None:
    with hall.client("ticketing") as c:
        days = c.get("/api/v1/services/ktp-el/sessions").json()["days"]
        day = next(d for d in days if any(s["left"] > 0 for s in d["sessions"]))
        session = next(s["start"] for s in day["sessions"] if s["left"] > 0)
        booking = {"service": "ktp-el", "day": day["day"], "session": session}
        made = c.post("/api/v1/bookings", json={**booking, "nik": NIK, "name": NAME, "phone": PHONE})
        assert made.status_code == 201, made.text
        issued = c.post("/api/v1/tickets", json={"service": "pbb-p2"})
        assert issued.status_code == 201, issued.text
    ticket = issued.json()
    wait_for(lambda: _waiting(hall, ticket["id"]), what="the counters to queue the ticket")

    hall.add_officer("jejak", "bapenda")
    with hall.client("counters") as c:
        headers = hall.sign_in("jejak")
        assert c.post("/api/v1/counters/10/open", headers=headers).status_code == 200
        called = c.post("/api/v1/counters/10/call-next", headers=headers)
        assert called.status_code == 200 and called.json()["ticket"]["id"] == ticket["id"]

    [root] = _eventually(receiver, lambda: [s for s in receiver.spans if s.name == "ticket"])
    statements = _eventually(receiver, lambda: _sql(receiver.of_trace(root.trace_id), "antre-counters"))
    in_trace = receiver.of_trace(root.trace_id)
    ticketing_sql = _sql(in_trace, "antre-ticketing")
    assert any(s.attributes["db.statement"].startswith("INSERT INTO tickets") for s in ticketing_sql)
    assert all(s.attributes["db.system"] == "postgresql" for s in ticketing_sql + statements)
    assert any("ticket.called" in s.name for s in in_trace if s.service == "antre-counters")
    # Statements as sent, their values left out: placeholders only.
    assert all("%(" in s.attributes["db.statement"] for s in statements if "INSERT" in s.name)

    with hall.client("ticketing") as c:
        waiting = c.post("/api/v1/tickets", json={"service": "pbb-p2"}).json()
    # The status page asks the counters (once they have queued it, its position is 1).
    wait_for(lambda: _waiting(hall, waiting["id"]), what="the status page's position")
    asked = _eventually(receiver, lambda: _calls_to(receiver, hall.url("counters")))
    assert {s.service for s in asked} == {"antre-ticketing"}
    assert any(s.attributes.get("http.status_code") == "200" for s in asked)

    held = [value for span in receiver.spans for value in span.attributes.values()]
    for private in (NIK, PHONE, NAME, PHONE[1:]):
        assert not [v for v in held if private in v], private
        assert private.encode() not in receiver.raw, private


def _waiting(hall: RunningHall, ticket_id: str) -> bool:
    with hall.client("ticketing") as c:
        return c.get(f"/api/v1/tickets/{ticket_id}").json().get("position") is not None


def _sql(spans: list[Seen], service: str) -> list[Seen]:
    return [
        s for s in spans if s.service == service and s.kind == CLIENT_SPAN and "db.statement" in s.attributes
    ]


def _calls_to(receiver: Receiver, base: str) -> list[Seen]:
    return [
        s
        for s in list(receiver.spans)
        if s.kind == CLIENT_SPAN and s.attributes.get("http.url", "").startswith(f"{base}/api/v1/services/")
    ]


def _eventually(receiver: Receiver, found: Any, timeout: float = 15.0) -> list[Seen]:
    results: list[Seen] = []

    def some() -> bool:
        results[:] = found()
        return bool(results)

    wait_for(some, timeout=timeout, what="spans at the receiver")
    return results
