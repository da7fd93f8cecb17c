"""One value per event for the board and the voice: a call is the same value whether the board
shows it or the hall hears it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from antre.hall.model import Hall
from services.display.domain import hall_events
from services.display.domain.announcements import Kind, Part
from services.display.domain.board import CounterFact, Fact, Source, Stage, TicketSeen
from services.display.domain.hall_events import Step, TicketEvent

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)  # 09:15 WITA
DAY = dt.date(2026, 3, 2)


def event(step: Step, **fields: Any) -> TicketEvent:
    base = TicketEvent(step, "t1", "A-012", "ktp-el", T0, DAY, "dukcapil", 3, "Loket 3", "lantai-1-a")
    return replace(base, **fields)


def test_a_recall_is_one_value_for_the_board_and_the_voice(kendari: Hall) -> None:
    recall = event(Step.RECALLED, recalls=2)
    assert hall_events.seen(recall, kendari) == TicketSeen(
        "t1", "A-012", "ktp-el", DAY, Stage.CALLED, T0, Source.COUNTERS
    )
    assert hall_events.fact(recall, "lantai-1-a", "Loket Tiga") == CounterFact(
        3, Fact.RECALLED, T0, "t1", "A-012", "ktp-el", "Loket Tiga", "lantai-1-a", 2
    )
    said = T0 - dt.timedelta(seconds=1)
    assert hall_events.part(recall, said, "dukcapil") == Part("t1", "A-012", 3, Kind.RECALL, said, "dukcapil")
    assert hall_events.part(event(Step.CALLED), T0, "").kind == Kind.CALL


def test_ticketings_events_say_nothing_of_a_counters_slot(kendari: Hall) -> None:
    for step in (Step.ISSUED, Step.CANCELLED):
        assert hall_events.fact(event(step), "lantai-1-a", "Loket 3") is None
        assert hall_events.seen(event(step), kendari).source == Source.TICKETING
    assert hall_events.seen(event(Step.ISSUED), kendari).stage == Stage.WAITING
    assert hall_events.seen(event(Step.CANCELLED), kendari).stage == Stage.DONE


def test_a_counter_letting_a_ticket_go_releases_its_slot_and_only_a_recall_counts(kendari: Hall) -> None:
    for step in (Step.COMPLETED, Step.SKIPPED, Step.TRANSFERRED):
        fact = hall_events.fact(event(step, recalls=2), "lantai-1-a", "Loket 3")
        assert fact is not None and (fact.kind, fact.recalls) == (Fact.RELEASED, 0)
    assert hall_events.seen(event(Step.TRANSFERRED), kendari).stage == Stage.WAITING  # in another queue


def test_an_event_without_its_hall_day_falls_on_the_halls_day_of_its_moment(kendari: Hall) -> None:
    late = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)  # 01:00 WITA on the 3rd
    assert hall_events.seen(event(Step.ISSUED, hall_day=None, at=late), kendari).hall_day == dt.date(
        2026, 3, 3
    )
    assert hall_events.seen(event(Step.ISSUED, at=late), kendari).hall_day == DAY  # as the event said
