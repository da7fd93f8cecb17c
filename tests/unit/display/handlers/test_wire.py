"""The display's one wire edge: every subject it consumes becomes one domain value there, and no
other handler reads or writes the events' wire form."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message

from antre.events import SUFFIXES, new_meta, timestamp
from antre.v1 import events_pb2 as pb
from services.display.domain.board import CounterStatus
from services.display.domain.hall_events import CounterEvent, Step, TicketEvent
from services.display.domain.ikm import MonthIndex
from services.display.entrypoints import consumers
from services.display.handlers import wire

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
HANDLERS = Path(wire.__file__).parent
BY_SUFFIX = {suffix: cls for cls, suffix in SUFFIXES.items()}
TICKET = pb.TicketRef(ticket_id="t1", service="ktp-el", number="A-012", hall_day="2026-03-02")
COUNTER = pb.CounterRef(number=3, name="Loket 3", zone="lantai-1-a")


def message(suffix: str, at: dt.datetime = T0) -> Message:
    """An event of the subject ``suffix`` with what the display reads of it filled in."""
    cls: Any = BY_SUFFIX[suffix]  # the subject's event class, built by the field names it has
    fields = {
        name: value
        for name, value in (("ticket", TICKET), ("counter", COUNTER))
        if name in cls.DESCRIPTOR.fields_by_name
    }
    built: Message = cls(meta=new_meta("kendari", "dukcapil", at), **fields)
    return built


@pytest.mark.parametrize("suffix", [*consumers.CALLS, *consumers.BOARD])
def test_every_subject_the_display_consumes_becomes_one_domain_value(suffix: str) -> None:
    event = wire.hall_event(message(suffix))
    entity, step = suffix.split(".")
    if entity == "ticket":
        assert isinstance(event, TicketEvent)
        assert (event.step, event.ticket_id, event.number, event.service, event.at) == (
            Step(step),
            "t1",
            "A-012",
            "ktp-el",
            T0,
        )
        assert event.hall_day == dt.date(2026, 3, 2) and event.agency == "dukcapil"
    else:
        assert isinstance(event, CounterEvent)
        assert (event.counter, event.counter_zone, event.at) == (3, "lantai-1-a", T0)


def test_a_counters_event_about_a_ticket_names_its_counter_and_ticketings_none() -> None:
    called = wire.hall_event(message("ticket.called"))
    issued = wire.hall_event(message("ticket.issued"))
    cancelled = wire.hall_event(message("ticket.cancelled"))
    assert isinstance(called, TicketEvent) and isinstance(issued, TicketEvent)
    assert (called.counter, called.counter_name, called.counter_zone) == (3, "Loket 3", "lantai-1-a")
    assert isinstance(cancelled, TicketEvent)
    assert {(e.counter, e.counter_name, e.counter_zone) for e in (issued, cancelled)} == {(0, "", "")}


def test_an_issue_happened_when_the_ticket_was_issued() -> None:
    later = T0 + dt.timedelta(seconds=40)
    issued = pb.TicketIssued(
        meta=new_meta("kendari", "dukcapil", later), ticket=TICKET, issued_at=timestamp(T0)
    )
    assert wire.issue(issued).at == T0
    assert wire.issue(pb.TicketIssued(meta=new_meta("kendari", "dukcapil", later), ticket=TICKET)).at == later
    with pytest.raises(TypeError):
        wire.issue(message("ticket.called"))


def test_a_recall_carries_its_count_a_pause_its_reason_and_a_day_that_is_no_date_none() -> None:
    recalled = pb.TicketRecalled(
        meta=new_meta("kendari", "dukcapil", T0),
        ticket=pb.TicketRef(ticket_id="t1", service="ktp-el", number="A-012", hall_day="kemarin"),
        counter=COUNTER,
        recalls=2,
    )
    event = wire.hall_event(recalled)
    assert isinstance(event, TicketEvent) and event.is_call
    assert (event.recalls, event.hall_day) == (2, None)
    skipped = wire.hall_event(pb.TicketSkipped(meta=new_meta("kendari", "d", T0), ticket=TICKET, recalls=2))
    assert isinstance(skipped, TicketEvent) and not skipped.is_call and skipped.recalls == 0
    paused = wire.hall_event(
        pb.CounterPaused(meta=new_meta("kendari", "d", T0), counter=COUNTER, reason="prayer")
    )
    assert paused == CounterEvent(3, "lantai-1-a", CounterStatus.PAUSED, T0, "prayer")
    closed = wire.hall_event(message("counter.closed"))
    assert isinstance(closed, CounterEvent) and (closed.status, closed.reason) == (CounterStatus.CLOSED, "")


def test_the_months_index_and_nothing_else_is_an_index() -> None:
    computed = pb.SkmIndexComputed(
        meta=new_meta("kendari", "_hall", T0), month="2026-03", responses=120, ikm=87.4, grade="B"
    )
    assert wire.month_index(computed) == MonthIndex("2026-03", 120, 87.4, "B", T0)
    assert wire.month_index(message("ticket.called")) is None
    assert wire.hall_event(computed) is None


def wire_imports(file: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        found.update(n for n in names if n.startswith(("antre.v1", "google.protobuf")))
    return found


def test_no_handler_but_the_wire_edge_touches_the_wire_form() -> None:
    touching = {f.name for f in HANDLERS.glob("*.py") if wire_imports(f)}
    assert touching == {"wire.py"}
