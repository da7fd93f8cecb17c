from __future__ import annotations

import datetime as dt

import pytest

from antre.hall.model import Hall, PriorityGroup
from antre.problems import Conflict, Invalid, NotFound
from services.ticketing.domain import tickets
from services.ticketing.domain.tickets import State

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def make(kendari: Hall, needs_print: bool) -> tickets.Ticket:
    return tickets.new_ticket(
        ticket_id="t1",
        service=tickets.resolve_service(kendari, "ktp-el"),
        sequence=12,
        day=NOW.date(),
        priority=PriorityGroup.NONE,
        channel="walk_in",
        kiosk="kiosk-2",
        needs_print=needs_print,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("prefix", "seq", "number"),
    [("A", 1, "A-001"), ("A", 12, "A-012"), ("PH", 999, "PH-999"), ("B", 1000, "B-1000")],
)
def test_numbers_are_zero_padded(prefix: str, seq: int, number: str) -> None:
    assert tickets.format_number(prefix, seq) == number


def test_a_kiosk_without_printer_issues_a_callable_ticket(kendari: Hall) -> None:
    ticket = make(kendari, needs_print=False)
    assert ticket.state == State.WAITING and ticket.issued_at == NOW and ticket.number == "A-012"


def test_a_printed_ticket_is_callable_only_after_confirmation(kendari: Hall) -> None:
    ticket = make(kendari, needs_print=True)
    assert ticket.state == State.PRINTING and ticket.issued_at is None
    later = NOW + dt.timedelta(seconds=5)
    issued = tickets.confirm_print(ticket, later)
    assert issued is not None and issued.state == State.WAITING and issued.issued_at == later
    assert tickets.confirm_print(issued, later) is None  # twice changes nothing


def test_an_unconfirmed_print_expires_and_cannot_be_confirmed_later(kendari: Hall) -> None:
    ticket = make(kendari, needs_print=True)
    timeout = dt.timedelta(minutes=2)
    assert not tickets.print_expired(ticket, NOW + dt.timedelta(seconds=119), timeout)
    assert tickets.print_expired(ticket, NOW + timeout, timeout)
    cancelled = tickets.cancel_print(ticket, NOW + timeout)
    assert cancelled is not None and cancelled.state == State.CANCELLED
    with pytest.raises(Conflict):
        tickets.confirm_print(cancelled, NOW + timeout)


def test_a_confirmed_ticket_is_not_cancelled_as_a_failed_print(kendari: Hall) -> None:
    issued = tickets.confirm_print(make(kendari, needs_print=True), NOW)
    assert issued is not None
    assert tickets.cancel_print(issued, NOW) is None


def test_unknown_service_and_priority_are_refused(kendari: Hall) -> None:
    with pytest.raises(NotFound):
        tickets.resolve_service(kendari, "nope")
    with pytest.raises(Invalid):
        tickets.resolve_priority("vip")


def test_counter_reports_out_of_order_change_nothing(kendari: Hall) -> None:
    ticket = make(kendari, needs_print=False)
    called = tickets.follow_counter(
        ticket, State.CALLED, NOW + dt.timedelta(minutes=5), counter=3, counter_name="Loket 3"
    )
    done = tickets.follow_counter(called, State.COMPLETED, NOW + dt.timedelta(minutes=9))
    stale = tickets.follow_counter(done, State.CALLED, NOW + dt.timedelta(minutes=5), counter=3)
    assert stale == done and done.counter == 3


def test_only_a_ticket_still_waiting_after_its_day_ends_with_it(kendari: Hall) -> None:
    waiting = make(kendari, needs_print=False)
    day, later = NOW.date(), NOW + dt.timedelta(days=1)
    assert tickets.end_with_day(waiting, day, later) is None  # its own day: still callable
    ended = tickets.end_with_day(waiting, day + dt.timedelta(days=1), later)
    assert ended is not None and ended.state == State.CANCELLED and ended.updated_at == later
    printing = make(kendari, needs_print=True)  # the print timeout ends these
    assert tickets.end_with_day(printing, day + dt.timedelta(days=1), later) is None


def test_a_transferred_ticket_knows_it_and_keeps_its_number(kendari: Hall) -> None:
    ticket = make(kendari, needs_print=False)
    assert not ticket.transferred
    called = tickets.follow_counter(ticket, State.CALLED, NOW + dt.timedelta(minutes=1), counter=1)
    assert not called.transferred
    moved = tickets.follow_counter(
        called, State.WAITING, NOW + dt.timedelta(minutes=5), service="kartu-keluarga", agency="dukcapil"
    )
    assert moved.transferred and moved.number == "A-012" and moved.issued_service == "ktp-el"
    assert moved.counter is None
