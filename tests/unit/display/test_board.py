"""What a zone's board shows: now calling per counter, the last calls, waiting per service."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from antre.hall.model import Hall
from antre.problems import NotFound
from services.display.domain import board
from services.display.domain.announcements import Arbiter, Kind
from services.display.domain.board import Call, CounterSeen, CounterStatus, Source, Stage, TicketSeen

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 2)


def s(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


def a_call(counter: int, ticket: str, at: dt.datetime, zone: str = "lantai-1-a", number: str = "") -> Call:
    return Call(
        counter=counter,
        counter_name=f"Loket {counter}",
        zone=zone,
        ticket_id=ticket,
        number=number or ticket.upper(),
        service="ktp-el",
        called_at=at,
        announced_at=at,
    )


def seen(
    ticket: str, stage: Stage, at: dt.datetime, service: str = "ktp-el", day: dt.date = DAY
) -> TicketSeen:
    return TicketSeen(ticket, ticket.upper(), service, day, stage, at)


# ---- now calling ----


def test_a_call_shows_at_its_counter() -> None:
    shown = board.on_called({}, a_call(3, "a-012", T0))
    assert list(shown) == [3]
    assert shown[3].number == "A-012"


def test_the_latest_call_per_counter_wins() -> None:
    shown = board.on_called({}, a_call(3, "a-012", T0))
    shown = board.on_called(shown, a_call(3, "a-013", T0 + s(60)))
    assert shown[3].ticket_id == "a-013"


def test_a_late_call_does_not_replace_a_newer_one() -> None:
    shown = board.on_called({}, a_call(3, "a-013", T0 + s(60)))
    assert board.on_called(shown, a_call(3, "a-012", T0))[3].ticket_id == "a-013"


def test_counters_show_side_by_side() -> None:
    shown = board.on_called(board.on_called({}, a_call(1, "a-001", T0)), a_call(2, "a-002", T0 + s(1)))
    assert set(shown) == {1, 2}


def test_a_recall_highlights_again_and_counts() -> None:
    shown = board.on_called({}, a_call(3, "a-012", T0))
    again = replace(a_call(3, "a-012", T0 + s(30)), recalls=1)
    shown = board.on_recalled(shown, again)
    assert shown[3].recalls == 1
    assert shown[3].announced_at == T0 + s(30)
    assert shown[3].called_at == T0  # still the first call


def test_a_recall_teaches_a_board_that_missed_the_call() -> None:
    shown = board.on_recalled({}, replace(a_call(3, "a-012", T0), recalls=1))
    assert shown[3].ticket_id == "a-012"


def test_serving_keeps_the_call_on_the_board() -> None:
    shown = board.on_serving(board.on_called({}, a_call(3, "a-012", T0)), "a-012")
    assert shown[3].serving


@pytest.mark.parametrize("why", ["completed", "skipped", "transferred", "cancelled"])
def test_a_finished_ticket_leaves_the_board(why: str) -> None:
    shown = board.on_called({}, a_call(3, "a-012", T0))
    assert board.on_released(shown, "a-012", T0 + s(300)) == {}


def test_releasing_a_ticket_leaves_the_counters_next_call() -> None:
    shown = board.on_called({}, a_call(3, "a-013", T0 + s(60)))
    assert board.on_released(shown, "a-012", T0 + s(61)) == shown


def test_a_closed_counter_is_cleared() -> None:
    shown = board.on_called(board.on_called({}, a_call(3, "a-012", T0)), a_call(4, "b-001", T0))
    assert set(board.on_counter_closed(shown, 3, T0 + s(10))) == {4}


def test_a_late_close_does_not_clear_a_newer_call() -> None:
    shown = board.on_called({}, a_call(3, "a-012", T0 + s(60)))
    assert board.on_counter_closed(shown, 3, T0) == shown


def test_changed_tells_what_to_write() -> None:
    before = {1: a_call(1, "a", T0), 2: a_call(2, "b", T0)}
    after = {1: before[1], 3: a_call(3, "c", T0)}
    upserts, removed = board.changed(before, after)
    assert upserts == {3: after[3]}
    assert removed == {2}


# ---- tickets and waiting ----


def test_newer_counter_reports_win_and_older_ones_are_ignored() -> None:
    called = seen("a-1", Stage.CALLED, T0 + s(5))
    serving = seen("a-1", Stage.SERVING, T0 + s(9))
    assert board.advance(None, called) == called
    assert board.advance(called, serving) == serving
    assert board.advance(serving, called) is None  # the call redelivered after serving began
    assert board.advance(called, seen("a-1", Stage.DONE, T0 + s(5))) is not None  # same instant: stream order


def test_the_counters_take_over_from_ticketing_whatever_the_clocks_say() -> None:
    # Ticketing's clock runs three seconds ahead of the counters': its issue looks "newer".
    issued = replace(seen("a-1", Stage.WAITING, T0 + s(3)), source=Source.TICKETING)
    called = seen("a-1", Stage.CALLED, T0 + s(1))
    assert board.advance(issued, called) == called
    assert board.advance(called, issued) is None  # a late issue never puts a called ticket back
    cancelled = replace(seen("a-1", Stage.DONE, T0 + s(60)), source=Source.TICKETING)
    assert board.advance(called, cancelled) is None
    assert board.advance(issued, cancelled) == cancelled
    assert board.advance(None, issued) == issued


def test_counter_reports_follow_the_same_rule() -> None:
    open_ = CounterSeen(3, "lantai-1-a", CounterStatus.OPEN, T0)
    paused = CounterSeen(3, "lantai-1-a", CounterStatus.PAUSED, T0 + s(1))
    assert board.advance_counter(open_, paused) == paused
    assert board.advance_counter(paused, open_) is None


def test_waiting_counts_issued_minus_called_and_cancelled_per_day() -> None:
    tickets = [
        seen("a-1", Stage.WAITING, T0),
        seen("a-2", Stage.WAITING, T0),
        seen("a-3", Stage.CALLED, T0),
        seen("a-4", Stage.DONE, T0),  # cancelled
        seen("b-1", Stage.WAITING, T0, service="kartu-keluarga"),
        seen("old", Stage.WAITING, T0 - s(86400), day=DAY - dt.timedelta(days=1)),
    ]
    assert board.waiting_counts(tickets, DAY) == {"ktp-el": 2, "kartu-keluarga": 1}
    assert board.waiting_counts(tickets, DAY + dt.timedelta(days=1)) == {}


# ---- the hall's geography and the snapshot ----


def test_zone_services_are_those_its_counters_serve(kendari: Hall) -> None:
    codes = [s.code for s in board.zone_services(kendari, "lantai-1-a")]
    assert codes == ["ktp-el", "kartu-keluarga", "akta-kelahiran", "akta-kematian", "pindah-datang"]
    assert board.service_zones(kendari, "skck") == {"lantai-2"}
    assert board.counter_zone(kendari, 13) == "lantai-2"
    assert board.counter_zone(kendari, 99, "annex") == "annex"  # not in the hall file: trust the event


def test_an_unknown_zone_is_refused_in_both_languages(kendari: Hall) -> None:
    with pytest.raises(NotFound) as refused:
        board.resolve_zone(kendari, "atap")
    assert refused.value.code == "unknown_zone"
    assert "Zona" in refused.value.message and "zone" in refused.value.message_en


def test_the_snapshot_orders_newest_first_and_lists_every_service(kendari: Hall) -> None:
    calls = [
        a_call(1, "a-001", T0),
        a_call(2, "a-002", T0 + s(20)),
        a_call(13, "m-001", T0 + s(40), zone="lantai-2"),
    ]
    arbiter = Arbiter(s(1))
    for c in calls:
        arbiter.add(
            zone=c.zone,
            ticket_id=c.ticket_id,
            number=c.number,
            counter=c.counter,
            text="x",
            kind=Kind.CALL,
            now=T0,
        )
    logs = arbiter.log("lantai-1-a") + arbiter.log("lantai-2")
    counters = [
        CounterSeen(1, "lantai-1-a", CounterStatus.PAUSED, T0),
        CounterSeen(13, "lantai-2", CounterStatus.OPEN, T0),
    ]
    view = board.build(
        "lantai-1-a", calls, logs, {"ktp-el": 4}, board.zone_services(kendari, "lantai-1-a"), counters
    )
    assert [c.counter for c in view.now_calling] == [2, 1]
    assert [a.number for a in view.recent] == ["A-002", "A-001"]
    assert view.waiting[0][0].code == "ktp-el" and view.waiting[0][1] == 4
    assert all(count == 0 for _, count in view.waiting[1:])
    assert [c.number for c in view.counters] == [1]
