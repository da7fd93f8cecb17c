"""Bookings against a real store: one pool for kiosk and booking page, one active booking per
NIK, cancel and move, check-in (idempotent, late, early), no-shows and blocking, rate limits,
wrong NIKs counted per booking and per client, old rate windows deleted."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from antre.hall.model import Hall, PriorityGroup
from antre.problems import Conflict, Forbidden, Problem, Refused, TooMany
from antre.v1 import events_pb2 as pb
from services.ticketing import handlers
from services.ticketing.adapters.tables import rate_windows
from services.ticketing.bootstrap import MIGRATIONS
from services.ticketing.domain.citizen_bookings import Booking, State
from services.ticketing.handlers import bookings, check_ins, queries
from tests.support.deps import outbox_events, ticketing_deps
from tests.support.stores import drop_schema, make_store

SECRET = b"a-test-secret-of-32-bytes-length"
MONDAY_0700 = dt.datetime(2026, 11, 29, 23, 0, tzinfo=dt.UTC)  # Monday 30 Nov 07:00 WITA
TUESDAY = dt.date(2026, 12, 1)
NINE = dt.time(9, 0)
LIMITS = bookings.Limits(per_phone=1000, per_client=100_000)


def nik(n: int, female: bool = False) -> str:
    """Distinct valid NIKs: Kota Kendari (7471), district 01, born 1 Jan 1990."""
    return f"747101{41 if female else 1:02d}0190{n + 1:04d}"


def book(deps: handlers.Deps, n: int, day: dt.date = TUESDAY, at: dt.time = NINE, **kw: object) -> Booking:
    cmd = bookings.Book(
        service="ktp-el", day=day, session=at, nik=nik(n), name=f"Warga {n}", phone=f"0812{n:08d}", **kw
    )  # type: ignore[arg-type]
    return bookings.book(deps, cmd, SECRET, LIMITS)


@pytest.fixture
def clock() -> list[dt.datetime]:
    return [MONDAY_0700]


@pytest.fixture
def deps(tmp_path: Path, kendari: Hall, clock: list[dt.datetime]) -> handlers.Deps:
    engine, _ = make_store("sqlite", tmp_path, MIGRATIONS)
    return ticketing_deps(engine, kendari, clock=lambda: clock[0], always_open=False)


def test_a_booking_takes_one_place_and_announces_itself(deps: handlers.Deps) -> None:
    made = book(deps, 1, email="warga@example.id")
    assert made.state == State.BOOKED and made.nik_masked == "************0002"
    pool = queries.pool(deps, "ktp-el", TUESDAY)
    assert (pool.online_left, pool.walk_in_left) == (83, 116)
    created = [e for e in outbox_events(deps.uow.engine) if e.name == "antre.v1.BookingCreated"]
    assert len(created) == 1 and created[0].message.contact.phone == "+62812" + "00000001"  # type: ignore[attr-defined]
    assert bookings.lookup(deps, made.code.lower()).id == made.id


def test_one_active_booking_per_nik_service_and_day(deps: handlers.Deps) -> None:
    book(deps, 1)
    with pytest.raises(Conflict) as twice:
        book(deps, 1, at=dt.time(10, 0))
    assert twice.value.code == "already_booked"
    assert queries.pool(deps, "ktp-el", TUESDAY).online_left == 83  # nothing taken by the refusal
    book(deps, 1, day=TUESDAY + dt.timedelta(days=1))  # another day is fine


def test_cancel_and_move_need_the_nik_and_give_places_back(deps: handlers.Deps) -> None:
    made = book(deps, 1)
    with pytest.raises(Forbidden):
        bookings.cancel(deps, made.code, bookings.Owner(nik(2)), SECRET)
    moved = bookings.reschedule(deps, made.code, bookings.Owner(nik(1)), SECRET, TUESDAY, dt.time(10, 0))
    assert moved.session_start.astimezone(dt.UTC).hour == 2  # 10:00 WITA
    days = dict((d, views) for d, _, views in queries.availability(deps, "ktp-el"))
    left = {f"{v.start:%H:%M}": v.left for v in days[TUESDAY]}
    assert (left["09:00"], left["10:00"]) == (14, 13)
    cancelled = bookings.cancel(deps, made.code, bookings.Owner(nik(1)), SECRET)
    assert cancelled.state == State.CANCELLED
    assert queries.pool(deps, "ktp-el", TUESDAY).online_left == 84
    with pytest.raises(Conflict):
        bookings.cancel(deps, made.code, bookings.Owner(nik(1)), SECRET)


def test_a_full_session_refuses_and_offers_others(deps: handlers.Deps) -> None:
    for n in range(14):
        book(deps, n)
    with pytest.raises(Refused) as full:
        book(deps, 99)
    assert full.value.code == "session_full"
    assert book(deps, 99, at=dt.time(10, 0)).state == State.BOOKED


def test_check_in_on_time_late_early_and_twice(deps: handlers.Deps, clock: list[dt.datetime]) -> None:
    on_time, late, early = book(deps, 1), book(deps, 2), book(deps, 3, at=dt.time(11, 0))
    clock[0] = dt.datetime(2026, 12, 1, 0, 50, tzinfo=dt.UTC)  # Tuesday 08:50 WITA
    ticket = check_ins.check_in(deps, on_time.code)
    assert ticket.session_start is not None and ticket.channel == "online"
    assert check_ins.check_in(deps, on_time.code).id == ticket.id  # scanning twice: same ticket
    with pytest.raises(Refused) as too_early:
        check_ins.check_in(deps, early.code)
    assert too_early.value.code == "check_in_too_early"
    clock[0] = dt.datetime(2026, 12, 1, 1, 10, tzinfo=dt.UTC)  # 09:10: after the start, in the window
    late_ticket = check_ins.check_in(deps, late.code)
    assert late_ticket.session_start is None  # joins as a walk-in at check-in time
    issued = [e.message for e in outbox_events(deps.uow.engine) if e.name == "antre.v1.TicketIssued"]
    assert [m.booking_id for m in issued] == [on_time.id, late.id]  # type: ignore[attr-defined]
    assert issued[0].HasField("session_start") and not issued[1].HasField("session_start")  # type: ignore[attr-defined]


def test_a_booked_citizen_declares_a_priority_group_on_arrival(
    deps: handlers.Deps, clock: list[dt.datetime]
) -> None:
    """The booking does not say it; the kiosk asks, as for a walk-in, and the queue sees it."""
    on_time, late = book(deps, 1), book(deps, 2)
    clock[0] = dt.datetime(2026, 12, 1, 0, 50, tzinfo=dt.UTC)  # Tuesday 08:50 WITA
    booked = check_ins.check_in(deps, on_time.code, priority=PriorityGroup.ELDERLY)
    clock[0] = dt.datetime(2026, 12, 1, 1, 10, tzinfo=dt.UTC)  # 09:10: late, joins as a walk-in
    walked = check_ins.check_in(deps, late.code, priority=PriorityGroup.PREGNANT)
    assert (booked.priority, walked.priority) == (PriorityGroup.ELDERLY, PriorityGroup.PREGNANT)
    assert booked.session_start is not None and walked.session_start is None
    issued = [e.message for e in outbox_events(deps.uow.engine) if e.name == "antre.v1.TicketIssued"]
    wire = [m.priority for m in issued]  # type: ignore[attr-defined]
    assert wire == [pb.PRIORITY_GROUP_ELDERLY, pb.PRIORITY_GROUP_PREGNANT]


def test_a_check_in_whose_print_failed_gets_a_fresh_ticket(
    deps: handlers.Deps, clock: list[dt.datetime]
) -> None:
    made = book(deps, 1)
    clock[0] = dt.datetime(2026, 12, 1, 0, 50, tzinfo=dt.UTC)  # Tuesday 08:50 WITA
    printer_kiosk = next(k.id for k in deps.hall.kiosks if k.printer == "browser")
    first = check_ins.check_in(deps, made.code, printer_kiosk)
    handlers.cancel_print(deps, first.id, "print_failed")
    second = check_ins.check_in(deps, made.code, printer_kiosk)
    assert second.id != first.id and second.session_start == first.session_start
    assert check_ins.check_in(deps, made.code, printer_kiosk).id == second.id
    assert bookings.lookup(deps, made.code).ticket_id == second.id


def test_no_shows_are_marked_and_three_block_online_booking(
    deps: handlers.Deps, clock: list[dt.datetime], kendari: Hall
) -> None:
    for week in range(3):
        day = TUESDAY + dt.timedelta(days=7 * week)
        clock[0] = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(0, 0), dt.UTC)
        book(deps, 1, day=day)
        clock[0] = dt.datetime.combine(day, dt.time(2, 0), dt.UTC)  # 10:00 WITA: the 09:00 window closed
        assert [r.state for r in check_ins.mark_no_shows(deps)] == [State.NO_SHOW]
    assert check_ins.mark_no_shows(deps) == []
    with pytest.raises(Refused) as blocked:
        book(deps, 1, day=TUESDAY + dt.timedelta(days=15))
    assert blocked.value.code == "booking_blocked"
    book(deps, 2, day=TUESDAY + dt.timedelta(days=15))  # another citizen is not affected


def test_one_phone_is_limited_and_others_are_not(deps: handlers.Deps) -> None:
    limits = bookings.Limits(per_phone=3, per_client=1000)
    refused = 0
    for n in range(10):
        cmd = bookings.Book("ktp-el", TUESDAY, NINE, nik(n), f"W{n}", "081299998888")
        try:
            bookings.book(deps, cmd, SECRET, limits)
        except TooMany as exc:
            refused += 1
            assert exc.message and exc.message_en
    assert refused == 7
    other = bookings.Book("ktp-el", TUESDAY, NINE, nik(50), "Lain", "081211112222")
    assert bookings.book(deps, other, SECRET, limits).state == State.BOOKED


def test_the_kiosk_stops_at_the_walk_in_share(
    deps: handlers.Deps, kendari: Hall, clock: list[dt.datetime]
) -> None:
    small = replace(kendari.service("ktp-el").booking, daily_quota=5, online_quota=3)  # type: ignore[union-attr, type-var]
    services = tuple(replace(s, booking=small) if s.code == "ktp-el" else s for s in kendari.services)
    deps.hall = replace(kendari, services=services)
    deps.always_open = True
    numbers = [handlers.issue(deps, handlers.IssueTicket("ktp-el")).number for _ in range(2)]
    with pytest.raises(Refused) as full:
        handlers.issue(deps, handlers.IssueTicket("ktp-el"))
    assert full.value.code == "walk_in_quota_full" and numbers == ["A-001", "A-002"]
    today = deps.hall.day_of(clock[0])
    assert queries.pool(deps, "ktp-el", today).walk_in_left == 0


def test_last_twenty_places_under_200_concurrent_attempts_and_walk_ins(
    backend: str, tmp_path: Path, kendari: Hall
) -> None:
    """200 citizens try for the last 20 online places while the kiosk issues walk-ins from the same
    day's pool: exactly 20 bookings are granted, and the kiosk's and the booking page's figures
    agree after every round."""
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    booking = replace(
        kendari.service("ktp-el").booking,
        daily_quota=160,
        online_quota=80,  # type: ignore[union-attr, type-var]
        sessions=tuple(
            replace(s, capacity=80) if s.start == NINE else s
            for s in kendari.service("ktp-el").booking.sessions
        ),
    )  # type: ignore[union-attr]
    hall = replace(
        kendari,
        services=tuple(replace(s, booking=booking) if s.code == "ktp-el" else s for s in kendari.services),
    )
    deps = ticketing_deps(engine, hall, clock=lambda: dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC))
    try:
        for n in range(60):  # the session already holds 60 of 80
            book(deps, 5000 + n)
        granted: list[str] = []
        refusals: list[str] = []

        def attempt(n: int) -> None:
            try:
                granted.append(book(deps, n).id)
            except Problem as exc:
                refusals.append(exc.code)

        def walk_in(_: int) -> None:
            handlers.issue(deps, handlers.IssueTicket("ktp-el"))

        with ThreadPoolExecutor(16) as pool:
            for round_ in range(10):
                jobs: list[tuple[Callable[[int], None], int]] = [
                    (attempt, round_ * 20 + i) for i in range(20)
                ]
                jobs += [(walk_in, i) for i in range(3)]
                list(pool.map(lambda job: job[0](job[1]), jobs))
                kiosk = queries.pool(deps, "ktp-el", TUESDAY)
                page = next(p for d, p, _ in queries.availability(deps, "ktp-el") if d == TUESDAY)
                assert kiosk == page
                assert kiosk.online_left == 20 - len(granted)
        assert len(granted) == 20 and len(set(granted)) == 20
        assert set(refusals) <= {"session_full", "online_quota_full"} and len(refusals) == 180
        final = queries.pool(deps, "ktp-el", TUESDAY)
        assert (final.online_left, final.walk_in_left) == (0, 80 - 30)
    finally:
        engine.dispose()
        drop_schema(schema)


# ---- wrong NIKs: counted on the booking and per client ----


@pytest.fixture
def stored(backend: str, tmp_path: Path, kendari: Hall, clock: list[dt.datetime]) -> Iterator[handlers.Deps]:
    """Deps on each backend: the lock must hold on PostgreSQL, where replicas share it."""
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    yield ticketing_deps(engine, kendari, clock=lambda: clock[0], always_open=False)
    engine.dispose()
    drop_schema(schema)


def cancel_as(deps: handlers.Deps, code: str, nik_text: str, client: str) -> str:
    """``cancelled``, or the code of the refusal."""
    try:
        bookings.cancel(deps, code, bookings.Owner(nik_text, client), SECRET)
    except Problem as exc:
        return exc.code
    return "cancelled"


def test_five_wrong_niks_lock_the_code_for_the_right_one_too(stored: handlers.Deps) -> None:
    made = book(stored, 1)
    for _ in range(5):
        assert cancel_as(stored, made.code, nik(2), "ip:192.0.2.9") == "booking_not_yours"
    assert cancel_as(stored, made.code, nik(2), "ip:192.0.2.9") == "code_locked"
    # Locked: the owner's right NIK, from another address, gets the very same refusal, and so does
    # a NIK that is not even one; moving to the booking's own session too (that was the oracle).
    with pytest.raises(TooMany) as locked:
        bookings.cancel(stored, made.code, bookings.Owner(nik(1), "ip:192.0.2.1"), SECRET)
    assert locked.value.code == "code_locked" and locked.value.message and locked.value.message_en
    assert cancel_as(stored, made.code, "123", "ip:192.0.2.1") == "code_locked"
    with pytest.raises(TooMany):
        bookings.reschedule(stored, made.code, bookings.Owner(nik(1)), SECRET, TUESDAY, NINE)
    after = bookings.lookup(stored, made.code)
    assert (after.state, after.session_start, after.nik_failures) == (State.BOOKED, made.session_start, 5)
    assert queries.pool(stored, "ktp-el", TUESDAY).online_left == 83
    # The help desk has seen the KTP: the code takes NIKs again, the right one first.
    assert bookings.unlock(stored, made.code).nik_failures == 0
    assert cancel_as(stored, made.code, nik(1), "ip:192.0.2.1") == "cancelled"


def test_parallel_guesses_at_one_code_take_turns(stored: handlers.Deps) -> None:
    """32 wrong NIKs at once, each from its own address: exactly five are answered "not yours"
    and counted, every other one is refused as locked."""
    made = book(stored, 1)
    start = threading.Barrier(16)

    def guess(n: int) -> str:
        if n < 16:
            start.wait()
        return cancel_as(stored, made.code, nik(100 + n), f"ip:198.51.100.{n}")

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(guess, range(32)))
    assert codes.count("booking_not_yours") == 5 and codes.count("code_locked") == 27, codes
    assert bookings.lookup(stored, made.code).nik_failures == 5


def test_one_client_gets_ten_wrong_niks_an_hour_across_codes(
    stored: handlers.Deps, clock: list[dt.datetime]
) -> None:
    made = [book(stored, n) for n in range(12)]
    guesser, other = "ip:203.0.113.5", "ip:203.0.113.6"
    assert [cancel_as(stored, b.code, nik(99), guesser) for b in made[:10]] == ["booking_not_yours"] * 10
    # The eleventh code refuses this client whatever the NIK, the right one too; nothing changes.
    with pytest.raises(TooMany) as refused:
        bookings.cancel(stored, made[10].code, bookings.Owner(nik(10), guesser), SECRET)
    assert refused.value.code == "too_many_wrong_niks"
    assert 0 < int(refused.value.details["retry_after"]) <= 3600  # type: ignore[call-overload]
    assert bookings.lookup(stored, made[10].code).state == State.BOOKED
    # Unknown codes count too, or codes could be walked instead of NIKs.
    assert {cancel_as(stored, "ZZZZZZZZ", nik(1), other) for _ in range(10)} == {"unknown_booking"}
    assert cancel_as(stored, made[11].code, nik(11), other) == "too_many_wrong_niks"
    # Another address is not affected, and in the next hour this one starts again.
    assert cancel_as(stored, made[10].code, nik(10), "ip:192.0.2.1") == "cancelled"
    clock[0] += dt.timedelta(hours=1)
    assert cancel_as(stored, made[11].code, nik(11), guesser) == "cancelled"


def test_old_rate_windows_are_deleted_as_new_ones_are_written(
    stored: handlers.Deps, clock: list[dt.datetime]
) -> None:
    for n in range(3):
        book(stored, n)
    assert cancel_as(stored, book(stored, 4).code, nik(9), "ip:192.0.2.1") == "booking_not_yours"
    assert windows(stored) == 4 + 1 + 1  # four phones, the one client they booked from, its guesses
    clock[0] += dt.timedelta(hours=2, minutes=1)
    book(stored, 10)
    # Only the request just counted is left: the old minutes and the old hour of guesses are gone.
    assert windows(stored) == 2  # its client's and its phone's windows


def windows(deps: handlers.Deps) -> int:
    with deps.uow.read() as conn:
        return int(conn.execute(select(func.count()).select_from(rate_windows)).scalar_one())


def test_each_online_place_taken_is_counted_for_the_pool_alarm(deps: handlers.Deps) -> None:
    book(deps, 1)
    book(deps, 2, day=TUESDAY + dt.timedelta(days=1))
    with pytest.raises(Conflict):
        book(deps, 1)  # refused: nothing taken, nothing counted
    taken = deps.metrics.online_taken.labels("dukcapil", "ktp-el")._value.get()
    assert taken == 2
