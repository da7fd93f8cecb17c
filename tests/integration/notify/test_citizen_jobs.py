"""Notify's periodic jobs for citizens on the fake clock: the reminder the day before, "your turn
is near" from counters' positions (a stand-in on loopback), once per ticket however positions move,
and the purge of contacts past their retention."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from antre import db
from services.notify import handlers
from services.notify.adapters import contacts
from services.notify.adapters import repository as repo
from services.notify.adapters.tables import contacts as contacts_table
from services.notify.adapters.tables import deliveries
from services.notify.domain.deliveries import Delivery, State

if TYPE_CHECKING:  # the fakes are this folder's fixtures; only type checkers import them
    from conftest import Clock, Counters, Events, Receiver

MakeDeps = Callable[..., handlers.Deps]
Work = Callable[..., int]
WITA = dt.timedelta(hours=8)


def wita(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in March 2026, hall time."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC) - WITA


def rows(deps: handlers.Deps, event: str = "") -> list[Delivery]:
    with db.read(deps.uow.engine) as conn:
        found = repo.listing(conn, None, 500)
    return [d for d in found if not event or d.event == event]


def texts(receiver: Receiver) -> list[str]:
    return [json.loads(r.body)["text"]["body"].split("\n\n")[0] for r in receiver.requests if r.status == 200]


# ---- the reminder ----


def test_the_reminder_goes_at_16_00_the_day_before_once(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, work: Work, clock: Clock
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(
        deps,
        [
            events.created("bk-tue", email=""),
            events.created("bk-wed", email="", day="2026-03-04", start=wita(4, 8)),
            events.created("bk-gone", email=""),
        ],
    )
    handlers.on_citizen_events(deps, [events.cancelled("bk-gone")])
    work(deps, seconds=1)
    whatsapp.requests.clear()

    clock.now = wita(2, 15, 59)
    assert handlers.remind(deps) == 0
    clock.now = wita(2, 16, 30)
    handlers.on_citizen_events(deps, [events.created("bk-late", email="")])  # after 16:00: no reminder
    assert handlers.remind(deps) == 1
    assert handlers.remind(deps) == 0  # the next round, or another replica
    work(deps, seconds=1)

    reminders = [t for t in texts(whatsapp) if t.startswith("Pengingat")]
    assert reminders == [
        "Pengingat: reservasi KTP Elektronik (perekaman, cetak, penggantian) di Mal Pelayanan Publik "
        "Kota Kendari pada Selasa, 3 Maret 2026, sesi 08:00-09:00 WITA. Kode reservasi: KDI-7Q4M. "
        "Datanglah sebelum sesi dimulai dan tunjukkan kode ini di kios."
    ]
    assert {d.booking_id for d in rows(deps, "citizen.reminder")} == {"bk-tue"}
    clock.now = wita(3, 16)
    assert handlers.remind(deps) == 1  # Wednesday's, on Tuesday
    assert {d.booking_id for d in rows(deps, "citizen.reminder")} == {"bk-tue", "bk-wed"}


def test_a_reminder_missed_in_the_evening_waits_out_the_night_and_none_after_the_session(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, clock: Clock
) -> None:
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1", email=""), events.created("bk-2", email="")])
    handlers.on_citizen_events(deps, [events.checked_in("bk-2", "tkt-2", "A-002")])

    clock.now = wita(2, 23)  # the service was down from 16:00 until now
    assert handlers.remind(deps) == 1  # bk-2 checked in already: no reminder
    [reminder] = rows(deps, "citizen.reminder")
    assert reminder.next_attempt_at == wita(3, 7)

    handlers.on_citizen_events(deps, [events.created("bk-3", email="")])
    with db.write(deps.uow.engine) as conn:  # as if it had been booked last week
        conn.execute(
            contacts_table.update().values(created_at=wita(1, 9)).where(contacts_table.c.booking_id == "bk-3")
        )
    clock.now = wita(3, 8)  # the session has begun
    assert handlers.remind(deps) == 0


def test_a_rescheduled_booking_is_reminded_for_its_new_day(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, clock: Clock
) -> None:
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="")])
    clock.now = wita(2, 16)
    assert handlers.remind(deps) == 1

    handlers.on_citizen_events(deps, [events.rescheduled("bk-1", "2026-03-05", wita(5, 10))])

    clock.now = wita(4, 16)
    assert handlers.remind(deps) == 1
    assert len(rows(deps, "citizen.reminder")) == 2


# ---- your turn is near ----


def test_turn_near_is_sent_once_per_ticket_however_positions_move(
    citizen_deps: MakeDeps, whatsapp: Receiver, counters: Counters, events: Events, work: Work, clock: Clock
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp, counters=counters)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="")])
    work(deps, seconds=1)  # the confirmation
    clock.now = wita(3, 7, 45)
    counters.positions["tkt-1"] = 6  # five ahead; the hall's ktp-el says turn_near: 3
    handlers.on_citizen_events(deps, [events.checked_in("bk-1", "tkt-1", "A-021")])

    assert handlers.check_positions(deps) == 0
    assert counters.asked == ["ktp-el"]
    assert handlers.check_positions(deps) == 0
    assert counters.asked == ["ktp-el"]  # nothing moved, nothing asked

    def call(number: int, position: int | None) -> int:
        counters.positions["tkt-1"] = position
        handlers.on_citizen_events(deps, [events.called(f"tkt-x{number}", f"A-0{number:02d}")])
        return handlers.check_positions(deps)

    assert call(1, 5) == 0
    assert call(2, 4) == 1  # three ahead: near
    # A priority ticket pushes it back, then it moves up again: no second message.
    assert [call(3, 5), call(4, 3), call(5, 5), call(6, 2), call(7, 1)] == [0, 0, 0, 0, 0]
    assert counters.asked == ["ktp-el"] * 3  # once sent, no more questions
    work(deps, seconds=1)

    assert texts(whatsapp)[-1] == (
        "Giliran Anda hampir tiba: nomor antrean A-021 (KTP Elektronik (perekaman, cetak, penggantian)), "
        "3 nomor lagi sebelum Anda. Mohon menunggu di dekat loket."
    )
    assert len(rows(deps, "citizen.turn_near")) == 1


def test_turn_near_at_check_in_when_the_queue_is_already_short(
    citizen_deps: MakeDeps, whatsapp: Receiver, counters: Counters, events: Events, clock: Clock
) -> None:
    deps = citizen_deps(whatsapp=whatsapp, counters=counters)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="")])
    counters.positions["tkt-1"] = 2
    clock.now = wita(3, 7, 45)
    handlers.on_citizen_events(deps, [events.checked_in("bk-1", "tkt-1", "A-021")])

    assert handlers.check_positions(deps) == 1


def test_a_queue_reordered_by_time_alone_is_caught_by_the_periodic_recheck(
    citizen_deps: MakeDeps, whatsapp: Receiver, counters: Counters, events: Events, clock: Clock
) -> None:
    deps = citizen_deps(whatsapp=whatsapp, counters=counters)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="")])
    counters.positions["tkt-1"] = 9
    clock.now = wita(3, 7, 45)
    handlers.on_citizen_events(deps, [events.checked_in("bk-1", "tkt-1", "A-021")])
    assert handlers.check_positions(deps) == 0

    clock.now = wita(3, 8)  # the session begins: counters' blend moves the booked ticket ahead
    counters.positions["tkt-1"] = 2
    assert handlers.check_positions(deps) == 0  # no event, no question
    assert handlers.recheck_positions(deps) == 1

    assert handlers.check_positions(deps) == 1
    assert handlers.recheck_positions(deps) == 0  # told: nothing left to watch


def test_no_turn_near_once_called_or_while_counters_is_down(
    citizen_deps: MakeDeps, whatsapp: Receiver, counters: Counters, events: Events, clock: Clock
) -> None:
    deps = citizen_deps(whatsapp=whatsapp, counters=counters)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="")])
    clock.now = wita(3, 7, 45)
    counters.up = False
    handlers.on_citizen_events(deps, [events.checked_in("bk-1", "tkt-1", "A-021")])

    assert handlers.check_positions(deps) == 0
    assert handlers.check_positions(deps) == 0
    assert counters.asked == ["ktp-el"] * 2  # the question stays until counters answers
    sample = deps.metrics.registry.get_sample_value
    assert sample("antre_position_lookups_total", {"outcome": "error"}) == 2

    counters.up = True
    counters.positions["tkt-1"] = None  # already called: not waiting
    assert handlers.check_positions(deps) == 0
    handlers.on_citizen_events(deps, [events.called("tkt-1", "A-021")])
    counters.positions["tkt-1"] = 1
    assert handlers.check_positions(deps) == 0
    assert rows(deps, "citizen.turn_near") == []


# ---- retention ----


def test_contacts_are_purged_three_days_after_the_booking_day_with_their_messages(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, work: Work, clock: Clock
) -> None:
    whatsapp.failures = 0
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(
        deps, [events.created("bk-1"), events.created("bk-later", day="2026-03-05", start=wita(5, 8))]
    )
    work(deps, seconds=1)

    clock.now = wita(6, 23, 59)  # Friday, before midnight: the end of Tuesday + 3 days
    assert handlers.purge(deps) == 0
    clock.now = wita(7, 0)
    assert handlers.purge(deps) == 1

    with db.read(deps.uow.engine) as conn:
        assert contacts.get(conn, "bk-1") is None
        assert contacts.get(conn, "bk-later") is not None
        remaining = conn.execute(select(deliveries.c.booking_id)).scalars().all()
        assert remaining == ["bk-later"]
        assert conn.execute(select(func.count()).select_from(contacts_table)).scalar_one() == 1
    assert deps.metrics.registry.get_sample_value("antre_contacts_purged_total") == 1
    # Events about the purged booking find nobody to tell.
    assert handlers.on_citizen_events(deps, [events.no_show("bk-1")]) == 0


def test_a_message_still_queued_for_a_purged_contact_is_dropped(
    citizen_deps: MakeDeps, whatsapp: Receiver, events: Events, work: Work, clock: Clock
) -> None:
    deps = citizen_deps(whatsapp=whatsapp)
    handlers.on_citizen_events(deps, [events.created("bk-1", email="")])
    with db.write(deps.uow.engine) as conn:  # the contact vanished behind the delivery's back
        contacts.remove(conn, "bk-1")

    assert work(deps, seconds=1) == 0

    [row] = rows(deps)
    assert (row.state, row.last_error) == (State.DROPPED, "contact gone: booking cancelled or contact purged")
    assert whatsapp.requests == []
