"""A walk-in number whose print failed or never came gives its place in the day's pool back, once,
in the transaction that cancels it: however many kiosks' print-failed and timeout rounds race."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from services.ticketing import handlers
from services.ticketing.bootstrap import MIGRATIONS
from services.ticketing.domain.tickets import State, Ticket
from services.ticketing.handlers import bookings, check_ins, queries
from tests.support.deps import outbox_events, ticketing_deps
from tests.support.stores import drop_schema, make_store

MONDAY = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 WITA
DAY = dt.date(2026, 11, 30)
SERVICE = "ktp-el"  # 200 a day, 84 of them online: 116 walk-in places
PRINTING_KIOSK = "kiosk-2"  # printer: browser, so its tickets wait for the print
THREADS = 16
ROUNDS = 6
REASONS = ("print_failed", "print_timeout")


@pytest.fixture
def clock() -> list[dt.datetime]:
    return [MONDAY]


@pytest.fixture
def deps(backend: str, tmp_path: Path, kendari: Hall, clock: list[dt.datetime]) -> Iterator[handlers.Deps]:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        yield ticketing_deps(engine, kendari, clock=lambda: clock[0])
    finally:
        engine.dispose()
        drop_schema(schema)


def walk_ins_used(deps: handlers.Deps) -> int:
    return queries.pool(deps, SERVICE, DAY).walk_in_used


def printing(deps: handlers.Deps) -> Ticket:
    ticket = handlers.issue(deps, handlers.IssueTicket(SERVICE, kiosk=PRINTING_KIOSK))
    assert ticket.state == State.PRINTING
    return ticket


def cancellations(deps: handlers.Deps, ticket: Ticket) -> list[str]:
    return [
        e.message.reason  # type: ignore[attr-defined]
        for e in outbox_events(deps.uow.engine)
        if isinstance(e.message, pb.TicketCancelled) and e.message.ticket.ticket_id == ticket.id
    ]


def test_a_failed_print_gives_its_walk_in_place_back_once(deps: handlers.Deps) -> None:
    kept = handlers.confirm_print(deps, printing(deps).id)  # printed: in the queue, holds its place
    failed = printing(deps)
    assert walk_ins_used(deps) == 2

    assert handlers.cancel_print(deps, failed.id, "print_failed").state == State.CANCELLED
    assert walk_ins_used(deps) == 1
    handlers.cancel_print(deps, failed.id, "print_failed")  # the kiosk says it again
    assert walk_ins_used(deps) == 1
    handlers.cancel_print(deps, kept.id, "print_failed")  # a printed ticket is not cancelled
    assert walk_ins_used(deps) == 1

    assert handlers.get(deps, kept.id).state == State.WAITING
    assert cancellations(deps, failed) == ["print_failed"]
    assert cancellations(deps, kept) == []
    assert queries.pool(deps, SERVICE, DAY).walk_in_left == 116 - 1


def test_a_print_that_never_came_gives_its_place_back_when_it_times_out(
    deps: handlers.Deps, clock: list[dt.datetime]
) -> None:
    late = printing(deps)
    clock[0] += dt.timedelta(seconds=60)
    fresh = printing(deps)
    clock[0] += dt.timedelta(seconds=deps.hall.queue.print_timeout_seconds - 30)

    assert [t.id for t in handlers.expire_prints(deps)] == [late.id]
    assert walk_ins_used(deps) == 1  # the fresh one still prints and keeps its place
    assert handlers.expire_prints(deps) == []
    handlers.cancel_print(deps, late.id, "print_failed")  # the kiosk reports after the timeout
    assert walk_ins_used(deps) == 1
    assert cancellations(deps, late) == ["print_timeout"]
    assert handlers.get(deps, fresh.id).state == State.PRINTING


def test_racing_print_failed_and_timeout_give_the_place_back_exactly_once(
    deps: handlers.Deps, clock: list[dt.datetime]
) -> None:
    handlers.confirm_print(deps, printing(deps).id)  # one place stays taken throughout
    timeout = dt.timedelta(seconds=deps.hall.queue.print_timeout_seconds + 1)

    for _ in range(ROUNDS):  # one ticket per round, so every thread races for that one
        ticket = printing(deps)
        clock[0] += timeout
        assert walk_ins_used(deps) == 2
        barrier = threading.Barrier(THREADS)

        def report(i: int, ticket: Ticket = ticket, barrier: threading.Barrier = barrier) -> list[str]:
            barrier.wait()
            if i % 2:  # half the threads are kiosks posting print-failed, half timeout rounds
                return [handlers.cancel_print(deps, ticket.id, "print_failed").id]
            return [t.id for t in handlers.expire_prints(deps)]

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(report, range(THREADS)))

        assert handlers.get(deps, ticket.id).state == State.CANCELLED
        assert walk_ins_used(deps) == 1
        assert len(cancellations(deps, ticket)) == 1

    assert walk_ins_used(deps) == 1
    counted = [deps.metrics.cancelled.labels("dukcapil", SERVICE, r)._value.get() for r in REASONS]
    assert sum(counted) == ROUNDS


def test_a_bookings_ticket_whose_print_failed_gives_back_no_walk_in_place(
    deps: handlers.Deps, clock: list[dt.datetime]
) -> None:
    cmd = bookings.Book(
        service=SERVICE,
        day=DAY,
        session=dt.time(10, 0),
        nik="7471010101900001",
        name="Warga Satu",
        phone="081200000001",
    )
    clock[0] = MONDAY - dt.timedelta(hours=1)  # 09:00 WITA: the 10:00 session can still be booked
    booked = bookings.book(deps, cmd, b"a-test-secret-of-32-bytes-length")
    clock[0] = MONDAY
    printing(deps)  # a walk-in that holds its place
    ticket = check_ins.check_in(deps, booked.code, PRINTING_KIOSK)
    assert ticket.state == State.PRINTING and walk_ins_used(deps) == 1

    handlers.cancel_print(deps, ticket.id, "print_failed")

    pool = queries.pool(deps, SERVICE, DAY)
    assert (pool.walk_in_used, pool.online_used) == (1, 1)
