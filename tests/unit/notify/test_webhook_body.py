"""The webhook wire: body shapes, headers, redacted URLs, and the consumer's subjects."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from antre.events import new_meta, timestamp
from antre.hall.load import load_hall
from antre.hall.model import Hall, Webhook
from antre.v1 import events_pb2 as pb
from services.notify.adapters import repository, webhook
from services.notify.domain.deliveries import new_delivery
from services.notify.entrypoints.consumers import subjects

KENDARI = Path(__file__).resolve().parents[3] / "examples" / "kendari.yaml"
T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)


def kendari(*hooks: Webhook) -> Hall:
    return dataclasses.replace(load_hall(KENDARI), webhooks=hooks)


def called(counter: bool = True) -> pb.TicketCalled:
    return pb.TicketCalled(
        meta=new_meta("kendari", "dukcapil", T0, event_id="11111111-1111-1111-1111-111111111111"),
        ticket=pb.TicketRef(
            ticket_id="tkt-1", service="kartu-keluarga", number="B-012", hall_day="2026-03-02"
        ),
        counter=pb.CounterRef(number=3, name="Loket 3 Disdukcapil", zone="lantai-1-a") if counter else None,
        officer="Wa Ode",
        queued_at=timestamp(T0 - dt.timedelta(minutes=20)),
    )


def test_ticket_called_has_its_fixed_shape() -> None:
    body = webhook.body(kendari(), called())

    assert body == {
        "event": "ticket.called",
        "event_id": "11111111-1111-1111-1111-111111111111",
        "hall": "kendari",
        "agency": "dukcapil",
        "occurred_at": "2026-03-02T01:15:00Z",
        "ticket": {"id": "tkt-1", "number": "B-012", "service": "kartu-keluarga"},
        "counter": {"number": 3, "name": "Loket 3 Disdukcapil", "zone": "lantai-1-a"},
        "message": {
            "id": "Nomor antrean B-012, silakan menuju Loket 3 (Dinas Kependudukan dan Pencatatan Sipil)",
            "en": "Queue number B-012, please go to Counter 3 (Civil Registry Office)",
        },
    }


def test_ticket_called_without_counter_leaves_it_out() -> None:
    body = webhook.body(kendari(), called(counter=False))

    assert "counter" not in body
    assert body["message"]["id"].startswith("Nomor antrean B-012 dipanggil")


def test_other_events_keep_refs_in_the_same_shape_and_the_rest_under_data() -> None:
    skipped = pb.TicketSkipped(
        meta=new_meta("kendari", "samsat", T0, event_id="e2"),
        ticket=pb.TicketRef(ticket_id="tkt-2", service="pkb-tahunan", number="P-004"),
        counter=pb.CounterRef(number=13, name="Loket 13 Samsat", zone="lantai-2"),
        no_show=True,
        recalls=2,
    )

    body = webhook.body(kendari(), skipped)

    assert body["event"] == "ticket.skipped"
    assert body["ticket"] == {"id": "tkt-2", "number": "P-004", "service": "pkb-tahunan"}
    assert body["counter"] == {"number": 13, "name": "Loket 13 Samsat", "zone": "lantai-2"}
    assert body["data"] == {"no_show": True, "recalls": 2}
    assert "message" not in body


def test_encoded_body_keeps_indonesian_text_readable() -> None:
    text = webhook.encode({"message": {"id": "Nomor antrean B-012 — Loket 3"}})

    assert json.loads(text) == {"message": {"id": "Nomor antrean B-012 — Loket 3"}}
    assert "—" in text


def test_headers_carry_event_id_and_event() -> None:
    d = new_delivery(
        delivery_id="d1",
        event_id="e1",
        event="ticket.called",
        url="https://hooks.example/",
        subject="s",
        payload="{}",
        now=T0,
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )

    assert webhook.headers(d) == {
        "Content-Type": "application/json",
        "Antre-Event-Id": "e1",
        "Antre-Event": "ticket.called",
        "User-Agent": "antre-notify/1",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    }


def test_redact_drops_tokens_in_query_and_user_info() -> None:
    assert webhook.redact("https://user:secret@hooks.example:8443/antre?token=abc") == (
        "https://hooks.example:8443/antre"
    )


def test_consumer_follows_every_wanted_event_of_every_agency() -> None:
    hall = kendari(
        Webhook("https://a.example/", ("ticket.called", "ticket.completed"), "dukcapil"),
        Webhook("https://b.example/", ("ticket.called",)),
    )

    assert subjects(hall) == ["antre.kendari.*.ticket.called", "antre.kendari.*.ticket.completed"]


def test_consumer_follows_calls_when_no_webhook_is_configured() -> None:
    assert subjects(kendari()) == ["antre.kendari.*.ticket.called"]


def test_postgresql_claims_skip_rows_another_replica_holds() -> None:
    from sqlalchemy.dialects import postgresql

    sql = str(repository.due_query(T0, 50, skip_locked=True).compile(dialect=postgresql.dialect()))

    assert "FOR UPDATE SKIP LOCKED" in sql


def test_a_booking_reaches_webhooks_without_the_citizens_contact() -> None:
    created = pb.BookingCreated(
        meta=new_meta("kendari", "dukcapil", T0, event_id="e3"),
        booking_id="bk-1",
        code="KDI-7Q4M",
        slot=pb.BookingSlot(service="ktp-el", day="2026-03-03"),
        contact=pb.Contact(name="Wa Ode", phone="+6281234567890", email="warga@example.id", language="id"),
        channel=pb.CHANNEL_ONLINE,
    )

    body = webhook.body(kendari(), created)

    assert body["data"] == {
        "booking_id": "bk-1",
        "code": "KDI-7Q4M",
        "slot": {"service": "ktp-el", "day": "2026-03-03"},
        "channel": "CHANNEL_ONLINE",
    }
    assert "6281234567890" not in webhook.encode(body)
