"""Which message each booking and ticket event gives a citizen, against a WhatsApp stand-in on
loopback and a migrated store: the call with the hall file's words, the survey link, the no-show
notice; quiet hours holding back what can wait and nothing else; the opt-out; a cancelled or
rescheduled booking; a replayed old stream."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from antre import db
from services.notify import handlers
from services.notify.adapters import repository as repo
from services.notify.domain import citizens
from services.notify.domain.deliveries import Delivery, State

if TYPE_CHECKING:  # the fakes are this folder's fixtures; only type checkers import them
    from conftest import Clock, Events, Mailbox, Receiver

MakeDeps = Callable[..., handlers.Deps]
Work = Callable[..., int]
WITA = dt.timedelta(hours=8)


def wita(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in March 2026, hall time."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC) - WITA


def texts(receiver: Receiver) -> list[str]:
    return [json.loads(r.body)["text"]["body"].split("\n\n")[0] for r in receiver.requests if r.status == 200]


def rows(deps: handlers.Deps) -> list[Delivery]:
    with db.read(deps.uow.engine) as conn:
        return sorted(repo.listing(conn, None, 100), key=lambda d: d.created_at)


def test_a_booked_citizens_day_called_in_the_halls_words_then_the_survey(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, work: Work, clock: Clock
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="")])
    work(deps, seconds=1)
    clock.now = wita(3, 7, 45)
    handlers.on_citizen_events(deps, [events.checked_in("bk-1", "tkt-1", "A-021")])
    clock.now = wita(3, 8, 10)
    called = events.called("tkt-1", "A-021", counter=2)
    handlers.on_citizen_events(deps, [called, events.called("tkt-other", "A-022", counter=1)])
    handlers.on_citizen_events(deps, [called])  # redelivered
    work(deps, seconds=1)
    clock.now = wita(3, 8, 25)
    handlers.on_citizen_events(deps, [events.completed("tkt-1", "A-021")])
    work(deps, seconds=1)

    assert texts(whatsapp) == [
        texts(whatsapp)[0],  # the confirmation, checked elsewhere
        # The Kendari hall file's own wording of the call:
        "Nomor antrean A-021, silakan menuju Loket 2 (Dinas Kependudukan dan Pencatatan Sipil). "
        "Siapkan berkas Anda.",
        "Terima kasih telah menggunakan layanan KTP Elektronik (perekaman, cetak, penggantian) di Mal "
        "Pelayanan Publik Kota Kendari. Mohon isi Survei Kepuasan Masyarakat (SKM), cukup 1 menit: "
        "https://skm.example/isi?tiket=tkt-1",
    ]
    assert [d.event for d in rows(deps)] == ["citizen.confirmation", "citizen.called", "citizen.survey"]


def test_no_survey_without_a_survey_url_and_nothing_for_walk_ins(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, clock: Clock
) -> None:
    deps = citizen_deps(whatsapp=whatsapp, survey_url="")
    handlers.on_citizen_events(deps, [events.created("bk-1"), events.checked_in("bk-1", "tkt-1", "A-021")])

    assert handlers.on_citizen_events(deps, [events.completed("tkt-1", "A-021")]) == 0
    assert handlers.on_citizen_events(deps, [events.called("tkt-walk-in", "A-030")]) == 0


def test_a_no_show_notice_at_night_waits_for_the_morning_but_a_call_never_waits(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, work: Work, clock: Clock
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1", email=""), events.created("bk-2", email="")])
    work(deps, seconds=1)
    clock.now = wita(3, 21, 30)  # quiet hours: 21:00-07:00 hall time

    handlers.on_citizen_events(deps, [events.no_show("bk-1")])
    handlers.on_citizen_events(deps, [events.checked_in("bk-2", "tkt-2", "A-040")])
    handlers.on_citizen_events(deps, [events.called("tkt-2", "A-040", counter=1)])
    work(deps, seconds=2)

    assert texts(whatsapp)[-1].startswith("Nomor antrean A-040, silakan menuju Loket 1")  # at once
    [notice] = [d for d in rows(deps) if d.event == "citizen.no_show"]
    assert (notice.state, notice.next_attempt_at) == (State.PENDING, wita(4, 7))

    clock.now = wita(4, 6, 59)
    assert work(deps, seconds=30) == 0
    clock.now = wita(4, 7)
    assert work(deps, seconds=1) == 1
    assert whatsapp.requests[-1].at == wita(4, 7)
    assert texts(whatsapp)[-1] == (
        "Reservasi KDI-7Q4M untuk KTP Elektronik (perekaman, cetak, penggantian) pada Selasa, 3 Maret "
        "2026, sesi 08:00-09:00 WITA, tercatat tidak hadir. Silakan membuat reservasi baru bila masih "
        "memerlukan layanan ini."
    )


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_the_morning(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, clock: Clock
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1"), events.checked_in("bk-1", "tkt-1", "A-021")])
    handlers.deliver_due(deps)
    whatsapp.failures = len(whatsapp.requests) + 1  # the next request fails
    clock.now = wita(3, 20, 59) + dt.timedelta(seconds=59)  # one second before quiet hours
    handlers.on_citizen_events(deps, [events.completed("tkt-1", "A-021")])

    handlers.deliver_due(deps)  # the survey's first attempt fails; its retry would be at 21:00

    [survey] = [d for d in rows(deps) if d.event == "citizen.survey"]
    assert (survey.state, survey.attempts, survey.next_attempt_at) == (State.PENDING, 1, wita(4, 7))


def token_for(deps: handlers.Deps, address: str) -> str:
    """The ``t`` of the opt-out link a message to ``address`` carries."""
    key = deps.citizens.optout_key
    return citizens.optout_token(key, citizens.optout_digest(key, address))


def test_an_opted_out_phone_gets_only_the_confirmation_and_the_email_still_gets_everything(
    citizen_deps: MakeDeps, whatsapp: Receiver, mailbox: Mailbox, events: Events, work: Work, clock: Clock
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp, mailbox=mailbox)
    handlers.opt_out(deps, token_for(deps, "+62 812-3456-7890"))

    handlers.on_citizen_events(deps, [events.created("bk-1"), events.checked_in("bk-1", "tkt-1", "A-021")])
    work(deps, seconds=1)
    handlers.on_citizen_events(deps, [events.called("tkt-1", "A-021", counter=2)])
    work(deps, seconds=1)

    assert len(texts(whatsapp)) == 1
    assert texts(whatsapp)[0].startswith("Reservasi KTP Elektronik")
    assert [m["Subject"] for _, m in mailbox.messages] == [
        "Mal Pelayanan Publik Kota Kendari: Konfirmasi reservasi KDI-7Q4M",
        "Mal Pelayanan Publik Kota Kendari: Nomor A-021 dipanggil",
    ]
    [dropped] = [d for d in rows(deps) if d.state == State.DROPPED]
    assert (dropped.channel, dropped.event, dropped.last_error) == ("whatsapp", "citizen.called", "opted out")
    sample = deps.metrics.registry.get_sample_value
    labels = {"channel": "whatsapp", "kind": "called", "outcome": "dropped"}
    assert sample("antre_citizen_messages_total", labels) == 1


def test_an_opt_out_reaches_messages_already_queued(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, work: Work, clock: Clock
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="")])
    work(deps, seconds=1)
    clock.now = wita(2, 22, 0)
    handlers.on_citizen_events(deps, [events.no_show("bk-1")])  # waits for 07:00

    handlers.opt_out(deps, token_for(deps, "081234567890"))
    clock.now = wita(3, 7)
    work(deps, seconds=1)

    assert len(whatsapp.requests) == 1  # the confirmation only
    assert [d.state for d in rows(deps)] == [State.DELIVERED, State.DROPPED]


def test_a_cancelled_booking_forgets_the_contact_and_its_messages(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, work: Work, clock: Clock
) -> None:
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1")])

    handlers.on_citizen_events(deps, [events.cancelled("bk-1")])

    assert rows(deps) == []
    assert work(deps, seconds=10) == 0
    assert whatsapp.requests == []
    assert handlers.on_citizen_events(deps, [events.no_show("bk-1")]) == 0
    clock.now = wita(2, 16)
    assert handlers.remind(deps) == 0


def test_a_rescheduled_booking_is_confirmed_again_with_its_new_slot(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, work: Work
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1")])

    assert handlers.on_citizen_events(deps, [events.rescheduled("bk-1", "2026-03-05", wita(5, 10))]) == 1
    work(deps, seconds=1)

    sent = texts(whatsapp)
    assert len(sent) == 2
    assert sum("Jadwal: Kamis, 5 Maret 2026, sesi 10:00-11:00 WITA." in text for text in sent) == 1


def test_a_replayed_old_stream_sends_nothing(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, clock: Clock
) -> None:
    deps = citizen_deps(whatsapp=whatsapp)
    old = [
        events.created("bk-1"),
        events.checked_in("bk-1", "tkt-1", "A-021"),
        events.called("tkt-1", "A-021"),
    ]
    clock.now = wita(3, 10)  # the session is over; the call was two hours ago

    assert handlers.on_citizen_events(deps, old) == 0
    clock.now = wita(20, 10)  # past the retention: not even kept
    assert handlers.on_citizen_events(deps, [events.created("bk-2")]) == 0
    assert rows(deps) == []
