"""Citizens' WhatsApp and SMS against real HTTP servers on loopback standing in for the providers:
each fails twice, then accepts; the message goes out on the third attempt and exactly once, with
the same bytes every time, on the channel the rule picks."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from antre import db
from services.notify import handlers
from services.notify.adapters import repository as repo
from services.notify.domain.citizens import optout_link
from services.notify.domain.deliveries import Delivery, State

if TYPE_CHECKING:  # the fakes are this folder's fixtures; only type checkers import them
    from conftest import Events, Mailbox, Receiver

MakeDeps = Callable[..., handlers.Deps]
Work = Callable[..., int]
CONFIRMATION = (
    "Reservasi KTP Elektronik (perekaman, cetak, penggantian) di Mal Pelayanan Publik Kota Kendari "
    "berhasil. Kode reservasi: KDI-7Q4M. Jadwal: Selasa, 3 Maret 2026, sesi 08:00-09:00 WITA. "
    "Tunjukkan kode ini di kios atau meja bantuan untuk konfirmasi kedatangan.\n\n"
    "Pesan otomatis Mal Pelayanan Publik Kota Kendari. Berhenti menerima pesan: "
    # The phone's own link (the booking's phone is +6281234567890): it proves that phone only.
    + optout_link("https://mpp.example/berhenti", b"k" * 32, "+6281234567890")
)


def rows(deps: handlers.Deps) -> list[Delivery]:
    with db.read(deps.uow.engine) as conn:
        return repo.listing(conn, None, 100)


def count(deps: handlers.Deps, channel: str, outcome: str, kind: str = "confirmation") -> float | None:
    labels = {"channel": channel, "kind": kind, "outcome": outcome}
    return deps.metrics.registry.get_sample_value("antre_citizen_messages_total", labels)


def gaps(receiver: Receiver) -> list[float]:
    times = [r.at for r in receiver.requests]
    return [(b - a).total_seconds() for a, b in itertools.pairwise(times)]


def test_whatsapp_fails_twice_then_delivers_exactly_once(
    citizen_deps: MakeDeps, whatsapp: Receiver, sms: Receiver, events: Events, work: Work
) -> None:
    deps = citizen_deps(whatsapp=whatsapp, sms=sms)
    created = events.created("bk-1", email="")

    assert handlers.on_citizen_events(deps, [created]) == 1  # WhatsApp, not SMS as well
    assert work(deps, seconds=30) == 3

    assert [r.status for r in whatsapp.requests] == [500, 500, 200]
    assert gaps(whatsapp) == [1.0, 2.0]  # the domain's backoff, on the fake clock
    sent = whatsapp.requests[-1]
    assert sent.path == "/v21.0/1098765/messages"
    assert sent.headers["Authorization"] == "Bearer wa-token"
    assert json.loads(sent.body) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "text",
        "text": {"preview_url": False, "body": CONFIRMATION},
    }
    assert all(r.body == sent.body for r in whatsapp.requests)  # every retry, the same bytes
    assert sms.requests == []
    [row] = rows(deps)
    assert (row.state, row.attempts, row.channel) == (State.DELIVERED, 3, "whatsapp")
    assert sent.headers["Idempotency-Key"] == row.id
    assert (count(deps, "whatsapp", "retry"), count(deps, "whatsapp", "delivered")) == (2, 1)

    # The event again, long after: nothing new, nothing sent.
    assert handlers.on_citizen_events(deps, [created]) == 0
    assert work(deps, seconds=600, step=60) == 0
    assert len(whatsapp.requests) == 3


def test_sms_when_whatsapp_is_not_configured(
    citizen_deps: MakeDeps, sms: Receiver, events: Events, work: Work
) -> None:
    deps = citizen_deps(sms=sms)
    handlers.on_citizen_events(deps, [events.created("bk-1", phone="+62 812 3456 7890")])

    assert work(deps, seconds=30) == 3

    assert [r.status for r in sms.requests] == [500, 500, 200]
    [row] = rows(deps)
    sent = sms.requests[-1]
    assert sent.path == "/sms/send"
    assert json.loads(sent.body) == {
        "to": "+6281234567890",
        "text": CONFIRMATION,
        "api_key": "sms-key",
        "ref": row.id,
    }
    assert (row.state, row.attempts, row.channel) == (State.DELIVERED, 3, "sms")


def test_a_phone_and_an_email_get_one_message_each(
    citizen_deps: MakeDeps, whatsapp: Receiver, sms: Receiver, mailbox: Mailbox, events: Events, work: Work
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp, sms=sms, mailbox=mailbox)

    assert handlers.on_citizen_events(deps, [events.created("bk-1")]) == 2
    work(deps, seconds=2)

    assert len(whatsapp.requests) == 1
    assert len(mailbox.messages) == 1
    assert sms.requests == []
    assert sorted(r.channel for r in rows(deps)) == ["email", "whatsapp"]


def test_a_number_the_provider_refuses_is_given_up_at_once(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, work: Work
) -> None:
    whatsapp.failures, whatsapp.failure_status = 1_000, 400
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="")])

    assert work(deps, seconds=60) == 1

    [row] = rows(deps)
    assert (row.state, row.attempts, row.last_error) == (State.FAILED, 1, "HTTP 400")
    assert count(deps, "whatsapp", "failed") == 1


def test_nothing_is_kept_or_sent_when_no_channel_can_reach_the_citizen(
    citizen_deps: MakeDeps, mailbox: Mailbox, events: Events, work: Work
) -> None:
    deps = citizen_deps(mailbox=mailbox)  # email only, and the citizen gave only a phone

    assert handlers.on_citizen_events(deps, [events.created("bk-1", email="")]) == 0
    assert work(deps, seconds=2) == 0
    assert mailbox.messages == []
