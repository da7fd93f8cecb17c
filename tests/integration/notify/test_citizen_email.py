"""Citizens' email against a real SMTP server (aiosmtpd) on loopback and a migrated store: the
booking confirmation arrives once with the right words, in the citizen's language; a refused
mailbox is given up at once; a server that is down is tried again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from antre import db
from services.notify import handlers
from services.notify.adapters import repository as repo
from services.notify.domain.citizens import optout_link
from services.notify.domain.deliveries import Delivery, State
from tests.support.infra import free_port

if TYPE_CHECKING:  # the fakes are this folder's fixtures; only type checkers import them
    from conftest import Clock, Events, Mailbox

MakeDeps = Callable[..., handlers.Deps]
Work = Callable[..., int]


def rows(deps: handlers.Deps) -> list[Delivery]:
    with db.read(deps.uow.engine) as conn:
        return repo.listing(conn, None, 100)


def test_the_booking_confirmation_reaches_the_smtp_server_once_with_the_right_text(
    citizen_deps: MakeDeps, mailbox: Mailbox, events: Events, work: Work
) -> None:
    deps = citizen_deps(mailbox=mailbox)
    created = events.created("bk-1", email="Warga@Example.ID")

    assert handlers.on_citizen_events(deps, [created]) == 1
    assert handlers.on_citizen_events(deps, [created]) == 0  # redelivered: nothing new
    assert work(deps, seconds=5) == 1

    [(recipients, message)] = mailbox.messages
    [row] = rows(deps)
    assert recipients == ["warga@example.id"]
    assert message["From"] == "MPP Kota Kendari <antrean@mpp.example>"
    assert message["Subject"] == "Mal Pelayanan Publik Kota Kendari: Konfirmasi reservasi KDI-7Q4M"
    assert message["Message-ID"] == f"<{row.id}@mpp.example>"
    # The email's own link: it proves this mailbox, not the phone of the same booking.
    stop = optout_link("https://mpp.example/berhenti", deps.citizens.optout_key, "warga@example.id")
    assert message["List-Unsubscribe"] == f"<{stop}>"
    assert message.get_content() == (
        "Reservasi KTP Elektronik (perekaman, cetak, penggantian) di Mal Pelayanan Publik Kota Kendari "
        "berhasil. Kode reservasi: KDI-7Q4M. Jadwal: Selasa, 3 Maret 2026, sesi 08:00-09:00 WITA. "
        "Tunjukkan kode ini di kios atau meja bantuan untuk konfirmasi kedatangan.\n\n"
        "Pesan otomatis Mal Pelayanan Publik Kota Kendari. Berhenti menerima pesan: "
        f"{stop}\n"
    )
    # Operators see the channel and the booking, never the address.
    assert (row.state, row.channel, row.url, row.booking_id) == (
        State.DELIVERED,
        "email",
        "email:bk-1",
        "bk-1",
    )
    assert "warga" not in row.payload + row.url
    assert work(deps, seconds=60, step=5) == 0
    assert len(mailbox.messages) == 1


def test_an_english_speaker_reads_english(
    citizen_deps: MakeDeps, mailbox: Mailbox, events: Events, work: Work
) -> None:
    deps = citizen_deps(mailbox=mailbox)
    handlers.on_citizen_events(deps, [events.created("bk-1", language="en")])

    work(deps, seconds=2)

    [(_, message)] = mailbox.messages
    assert message["Subject"] == "Mal Pelayanan Publik Kota Kendari: Booking KDI-7Q4M confirmed"
    assert message.get_content().startswith(
        "Your booking for Electronic ID card (enrolment, printing, replacement) at Mal Pelayanan Publik "
        "Kota Kendari is confirmed. Booking code: KDI-7Q4M. When: Tuesday, 3 March 2026, session "
        "08:00-09:00 WITA."
    )
    assert message["Content-Language"] == "en"


def test_a_refused_mailbox_is_given_up_at_once(
    citizen_deps: MakeDeps, mailbox: Mailbox, events: Events, work: Work
) -> None:
    mailbox.refuse.add("salah@example.id")
    deps = citizen_deps(mailbox=mailbox)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="salah@example.id")])

    assert work(deps, seconds=60) == 1

    [row] = rows(deps)
    assert (row.state, row.attempts) == (State.FAILED, 1)
    assert "550" in row.last_error
    sample = deps.metrics.registry.get_sample_value
    assert (
        sample(
            "antre_citizen_messages_total", {"channel": "email", "kind": "confirmation", "outcome": "failed"}
        )
        == 1
    )


def test_an_smtp_server_that_is_down_is_tried_again(
    citizen_deps: MakeDeps, mailbox: Mailbox, events: Events, clock: Clock
) -> None:
    mailbox.port = free_port()  # nobody listens there
    deps = citizen_deps(mailbox=mailbox)
    handlers.on_citizen_events(deps, [events.created("bk-1")])

    assert handlers.deliver_due(deps) == 1

    [row] = rows(deps)
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert row.next_attempt_at == clock() + dt.timedelta(seconds=1)
    assert row.last_error.startswith("ConnectionRefusedError")
