"""The webhook wire: the JSON body an agency's system receives, its headers, and the HTTP client
that POSTs it.

Body (every event)::

    {"event": "ticket.called", "event_id": "<uuid>", "hall": "kendari", "agency": "dukcapil",
     "occurred_at": "2026-03-02T01:15:00Z", ...}

``ticket.called`` has a fixed, explicit shape (receivers build citizen notifications on it)::

    "ticket": {"id": "...", "number": "A-012", "service": "ktp-el"},
    "counter": {"number": 3, "name": "Loket 3 Disdukcapil", "zone": "lantai-1-a"},  # when present
    "message": {"id": "Nomor antrean A-012, silakan menuju Loket 3 (...)", "en": "..."}

Other events carry ``ticket`` and ``counter`` in the same shape when they have them, and the rest
of the protobuf message under ``data`` (protobuf's JSON mapping, field names as in the .proto),
except a booking's ``contact``: citizens' phones and emails stay in notify, which purges them.

Headers: ``Content-Type: application/json``, ``Antre-Event-Id`` (the event id: delivery is at
least once, receivers de-duplicate on it), ``Antre-Event`` (the event suffix, e.g.
``ticket.called``: what the webhook subscribed to, not the protobuf name used on NATS) and W3C
``traceparent``, so the receiver's work can join the ticket's trace.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from google.protobuf import json_format
from google.protobuf.message import Message

from antre.events import EVENT_HEADER, SUFFIXES, TRACE_HEADER, meta_of
from antre.hall.model import Hall
from antre.telemetry import current_traceparent, span_under
from antre.v1 import events_pb2 as pb
from services.notify.adapters.channels.base import Result, describe, since
from services.notify.domain import messages
from services.notify.domain.deliveries import Delivery

EVENT_ID_HEADER = "Antre-Event-Id"
USER_AGENT = "antre-notify/1"


# ---- body ----


def body(hall: Hall, message: Message) -> dict[str, Any]:
    meta = meta_of(message)
    shaped: dict[str, Any] = {
        "event": SUFFIXES[type(message)],
        "event_id": meta.event_id,
        "hall": meta.hall,
        "agency": meta.agency,
        "occurred_at": meta.occurred_at.ToJsonString(),
    }
    if isinstance(message, pb.TicketCalled):
        shaped["ticket"] = _ticket(message.ticket)
        if message.HasField("counter"):
            shaped["counter"] = _counter(message.counter)
        shaped["message"] = asdict(called_text(hall, message))
        return shaped
    rest = type(message)()
    rest.CopyFrom(message)
    rest.ClearField("meta")
    if "contact" in rest.DESCRIPTOR.fields_by_name:
        # A booking's phone and email are personal data that only notify keeps (and purges); an
        # agency's system gets the booking, not how to reach the citizen.
        rest.ClearField("contact")
    fields = rest.DESCRIPTOR.fields_by_name
    if "ticket" in fields and rest.HasField("ticket"):
        shaped["ticket"] = _ticket(rest.ticket)  # type: ignore[attr-defined]  # present: checked above
        rest.ClearField("ticket")
    if "counter" in fields and rest.HasField("counter"):
        shaped["counter"] = _counter(rest.counter)  # type: ignore[attr-defined]  # present: checked above
        rest.ClearField("counter")
    shaped["data"] = json_format.MessageToDict(rest, preserving_proto_field_name=True)
    return shaped


def encode(shaped: dict[str, Any]) -> str:
    """Compact UTF-8 JSON: Indonesian text stays readable, not ``\\u`` escaped."""
    return json.dumps(shaped, ensure_ascii=False, separators=(",", ":"))


def called_text(hall: Hall, message: pb.TicketCalled) -> messages.Text:
    agency = hall.agency(message.meta.agency)
    name = agency.name if agency else message.meta.agency
    name_en = (agency.name_en or agency.name) if agency else message.meta.agency
    counter = message.counter.number if message.HasField("counter") else 0
    return messages.called(message.ticket.number, counter, name, name_en)


def _ticket(ref: pb.TicketRef) -> dict[str, Any]:
    return {"id": ref.ticket_id, "number": ref.number, "service": ref.service}


def _counter(ref: pb.CounterRef) -> dict[str, Any]:
    return {"number": ref.number, "name": ref.name, "zone": ref.zone}


def headers(delivery: Delivery, traceparent: str = "") -> dict[str, str]:
    sent = {
        "Content-Type": "application/json",
        EVENT_ID_HEADER: delivery.event_id,
        EVENT_HEADER: delivery.event,
        "User-Agent": USER_AGENT,
    }
    if traceparent or delivery.traceparent:
        sent[TRACE_HEADER] = traceparent or delivery.traceparent
    return sent


def redact(url: str) -> str:
    """A URL fit to show or log: webhook URLs often carry a token in the query or user info."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


# ---- sending ----


class WebhookClient:
    """POSTs deliveries, a batch in parallel, so that one receiver that times out does not hold
    up every other receiver's deliveries behind it.

    Redirects are not followed: the hall file names the receiver, and a redirect is a moved or
    misconfigured endpoint an operator should see, not a reason to post elsewhere.
    It is also the ``webhook`` channel (see :mod:`services.notify.adapters.channels`): the address
    of a webhook delivery is its URL.
    """

    name = "webhook"

    def __init__(self, timeout: float = 5.0, parallel: int = 50) -> None:
        self._http = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel),
        )
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="webhook")

    def post_all(self, deliveries: Sequence[Delivery]) -> list[Result]:
        return list(self._pool.map(self.post, deliveries))

    def send_all(self, items: Sequence[tuple[Delivery, str]]) -> list[Result]:
        return self.post_all([delivery for delivery, _address in items])

    def send(self, delivery: Delivery, address: str) -> Result:
        return self.post(delivery)

    def post(self, delivery: Delivery) -> Result:
        started = time.perf_counter()
        with span_under(
            "webhook.deliver",
            delivery.traceparent,
            "antre.notify",
            url=redact(delivery.url),
            event=delivery.event,
        ):
            sent_headers = headers(delivery, current_traceparent())
            try:
                # Streamed and never read: only the status matters, and a receiver's big answer
                # should cost neither memory nor time.
                with self._http.stream(
                    "POST", delivery.url, content=delivery.payload.encode(), headers=sent_headers
                ) as response:
                    status = response.status_code
            except Exception as exc:
                # Refused, timed out, reset, or a URL httpx cannot use: whatever goes wrong with
                # one receiver is that delivery's failure, and must not keep the outcomes of the
                # rest of the batch from being recorded.
                return Result(None, describe(exc), since(started))
        error = "" if 200 <= status < 300 else f"HTTP {status}"
        return Result(status, error, since(started))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._http.close()
