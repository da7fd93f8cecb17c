"""What a zone's board shows: now calling per counter, the last calls, waiting per service."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import replace

import pytest

from antre.hall.model import Hall
from antre.problems import NotFound
from services.display.domain import board
from services.display.domain.announcements import Kind
from services.display.domain.board import Call, CounterSeen, CounterStatus, Fact, Source, Stage, TicketSeen
from tests.unit.display.arbiters import Arbiter

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


# ---- now calling: a counter's slot ----


def fact(kind: Fact, ticket: str, seconds: float, counter: int = 3, recalls: int = 0) -> board.CounterFact:
    return board.CounterFact(
        counter=counter,
        kind=kind,
        at=T0 + s(seconds),
        ticket_id=ticket,
        number=ticket.upper(),
        service="ktp-el",
        counter_name=f"Loket {counter}",
        zone="lantai-1-a",
        recalls=recalls,
    )


def closed(seconds: float, counter: int = 3) -> board.CounterFact:
    return board.CounterFact(counter, Fact.RELEASED, T0 + s(seconds), zone="lantai-1-a")


def shown_after(facts: Iterable[board.CounterFact]) -> Call | None:
    slot = None
    for each in facts:
        slot = board.apply_fact(slot, each)
    assert slot is not None
    return board.shown(slot)


def in_every_order(facts: list[board.CounterFact]) -> set[Call | None]:
    """What the slot shows after each order of arrival of the same facts."""
    return {shown_after(order) for order in itertools.permutations(facts)}


def assert_order_free(facts: list[board.CounterFact]) -> None:
    """Whatever part of the facts has arrived so far, every order of it shows the same."""
    for size in range(1, len(facts) + 1):
        for part in itertools.combinations(facts, size):
            assert len(in_every_order(list(part))) == 1, part


def test_a_call_shows_at_its_counter() -> None:
    call = shown_after([fact(Fact.CALLED, "a-012", 0)])
    assert call is not None and call.number == "A-012" and call.counter == 3
    assert call.called_at == call.announced_at == T0 and not call.serving


def test_the_latest_call_per_counter_wins_in_either_order() -> None:
    facts = [fact(Fact.CALLED, "a-012", 0), fact(Fact.CALLED, "a-013", 60)]
    assert {c.ticket_id for c in in_every_order(facts) if c} == {"a-013"}


def test_serving_that_arrives_before_its_call_still_shows_the_citizen() -> None:
    """After an outage the board got ``ticket.serving`` first, then the late ``ticket.called``:
    the counter is serving that citizen, not empty."""
    call, serving = fact(Fact.CALLED, "a-012", 0), fact(Fact.SERVING, "a-012", 40)
    assert in_every_order([call, serving]) == {replace(a_call(3, "a-012", T0), serving=True)}
    alone = shown_after([serving])  # the call not heard yet: the ticket is at the counter
    assert alone is not None and alone.serving and alone.called_at == T0 + s(40)


def test_a_visit_shows_the_same_in_every_order() -> None:
    visit = [
        fact(Fact.CALLED, "a-012", 0),
        fact(Fact.RECALLED, "a-012", 30, recalls=1),
        fact(Fact.RECALLED, "a-012", 60, recalls=2),
        fact(Fact.SERVING, "a-012", 90),
    ]
    expected = replace(a_call(3, "a-012", T0), announced_at=T0 + s(60), recalls=2, serving=True)
    assert in_every_order(visit) == {expected}
    assert_order_free(visit)


@pytest.mark.parametrize("why", ["completed", "skipped", "transferred"])
def test_a_finished_ticket_never_comes_back_with_its_late_call(why: str) -> None:
    facts = [
        fact(Fact.CALLED, "a-012", 0),
        fact(Fact.RECALLED, "a-012", 30, recalls=1),
        fact(Fact.SERVING, "a-012", 60),
        fact(Fact.RELEASED, "a-012", 300),
    ]
    assert in_every_order(facts) == {None}


def test_the_next_call_shows_whatever_order_the_day_arrives_in() -> None:
    facts = [
        fact(Fact.CALLED, "a-012", 0),
        fact(Fact.SERVING, "a-012", 20),
        fact(Fact.RELEASED, "a-012", 300),
        fact(Fact.CALLED, "a-013", 310),
        fact(Fact.RECALLED, "a-013", 340, recalls=1),
        fact(Fact.SERVING, "a-013", 360),
    ]
    expected = replace(a_call(3, "a-013", T0 + s(310)), announced_at=T0 + s(340), recalls=1, serving=True)
    assert in_every_order(facts) == {expected}
    assert in_every_order(facts[:5]) == {replace(expected, serving=False)}
    assert in_every_order(facts[:3]) == {None}


def test_a_ticket_called_again_at_the_same_counter_leaves_its_first_visit_behind() -> None:
    """Transferred away and back: the first visit's recalls and serving are not the second's."""
    facts = [
        fact(Fact.CALLED, "a-012", 0),
        fact(Fact.RECALLED, "a-012", 10, recalls=3),
        fact(Fact.SERVING, "a-012", 20),
        fact(Fact.RELEASED, "a-012", 30),
        fact(Fact.CALLED, "b-001", 40),
        fact(Fact.RELEASED, "b-001", 50),
        fact(Fact.CALLED, "a-012", 60),
    ]
    assert in_every_order(facts) == {a_call(3, "a-012", T0 + s(60))}
    # Before the second call arrives, its serving alone must not take the first visit's recalls.
    later = [*facts[:1], facts[1], facts[3], facts[4], fact(Fact.SERVING, "a-012", 70)]
    assert in_every_order(later) == {replace(a_call(3, "a-012", T0 + s(70)), serving=True)}
    # (Without the serving of the first visit and the release of b-001: six facts keep it fast.)
    assert_order_free([facts[0], facts[1], facts[3], facts[4], facts[6], fact(Fact.SERVING, "a-012", 70)])


def test_a_closed_counter_is_cleared_and_a_late_close_clears_nothing() -> None:
    visit = [fact(Fact.CALLED, "a-012", 0), fact(Fact.RELEASED, "a-012", 5)]
    assert in_every_order([*visit, closed(10)]) == {None}
    # Opened again and called: the close of the morning is older than that call.
    assert in_every_order([*visit, closed(10), fact(Fact.CALLED, "a-013", 20)]) == {
        a_call(3, "a-013", T0 + s(20))
    }


def test_a_redelivered_fact_changes_nothing() -> None:
    call, serving = fact(Fact.CALLED, "a-012", 0), fact(Fact.SERVING, "a-012", 40)
    assert shown_after([call, serving, call, serving]) == shown_after([call, serving])


def test_counters_show_side_by_side_and_a_fact_touches_only_its_counter() -> None:
    slot, calls = board.on_fact({}, None, fact(Fact.CALLED, "a-001", 0, counter=1))
    _, calls = board.on_fact(calls, None, fact(Fact.CALLED, "a-002", 1, counter=2))
    assert set(calls) == {1, 2}
    _, calls = board.on_fact(calls, slot, fact(Fact.RELEASED, "a-001", 9, counter=1))
    assert set(calls) == {2}


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
