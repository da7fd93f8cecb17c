"""The twin reads what officers did out of the queue's order as the counters record it: a citizen
held and called again, or passed over and brought back, stays one visit, its wait runs to the
first call, and the time away is never time at the counter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from google.protobuf.message import Message

from antre.events import new_meta, timestamp
from antre.hall.load import load_hall
from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from sim.calibrate import _durations
from sim.history import read_history
from sim.recorded import Recorded, export_line, parse_line

HALL_FILE = Path(__file__).resolve().parents[3] / "examples" / "kendari.yaml"
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 WITA
DESK = pb.CounterRef(number=1, name="Loket 1")


@pytest.fixture(scope="module")
def hall() -> Hall:
    return load_hall(HALL_FILE)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


class Told:
    """One ticket's events, each at its minute."""

    def __init__(self, hall: Hall, n: int) -> None:
        self.hall = hall
        self.events: list[Message] = []
        self.ref = pb.TicketRef(
            ticket_id=f"t{n}", service="ktp-el", number=f"A-{n:03d}", hall_day="2026-03-02"
        )

    def __call__(self, minute: float, event: type[Message], **fields: object) -> Told:
        meta = new_meta(self.hall.id, "dukcapil", at(minute))
        counter = {"counter": DESK} if event is not pb.TicketIssued else {}
        told = event(meta=meta, ticket=self.ref, **counter, **fields)  # type: ignore[call-arg]  # a ticket's event
        self.events.append(told)
        return self


def test_a_citizen_held_and_called_again_is_one_visit_away_meanwhile(hall: Hall) -> None:
    """Issued at 0, called at 10, served from 11, held at 15 for 20 minutes, called again at 35
    (the counters moved the start of serving to 31), done at 40: waited 10, served 9, away 20."""
    told = Told(hall, 1)
    told(0, pb.TicketIssued, issued_at=timestamp(at(0)))(10, pb.TicketCalled)(11, pb.ServingStarted)
    told(15, pb.TicketHeld, serving=True)(35, pb.TicketCalled, kind=pb.CALL_KIND_HELD)
    told(36, pb.ServingStarted)(40, pb.TicketCompleted, serving_started_at=timestamp(at(31)))
    (visit,) = read_history(told.events, hall).visits
    assert (visit.called, visit.started, visit.ended, visit.outcome) == (at(10), at(31), at(40), "completed")
    assert visit.away == dt.timedelta(minutes=20) and visit.left is None
    notes: list[str] = []
    assert _durations([visit], "serving", notes) == {"ktp-el": [9.0]}
    assert _durations([visit], "call", notes) == {"ktp-el": [10.0]}


def test_a_no_show_brought_back_and_served_is_one_visit(hall: Hall) -> None:
    """Called at 10, a no-show at 14, back in the queue at 20 (by hand: a chosen number), called
    at 25, served 26 to 30: served, waited 10 to the first call, at the counter 4 + 5 minutes."""
    told = Told(hall, 2)
    told(0, pb.TicketIssued, issued_at=timestamp(at(0)))(10, pb.TicketCalled)
    told(14, pb.TicketSkipped, no_show=True, recalls=2)
    told(20, pb.TicketReturned, was="no_show", queued_at=timestamp(at(-1)))
    told(25, pb.TicketCalled, kind=pb.CALL_KIND_CHOSEN)(26, pb.ServingStarted)
    told(30, pb.TicketCompleted, serving_started_at=timestamp(at(26)))
    history = read_history(told.events, hall)
    (visit,) = history.visits
    assert (visit.queued, visit.called, visit.outcome, visit.returns) == (at(0), at(10), "completed", 1)
    assert visit.away == dt.timedelta(minutes=11) and history.orphans == 0
    assert _durations([visit], "serving", []) == {"ktp-el": [4.0]}
    assert _durations([visit], "call", []) == {"ktp-el": [9.0]}


def test_a_held_ticket_sent_back_to_the_queue_waits_again_in_the_same_visit(hall: Hall) -> None:
    told = Told(hall, 3)
    told(0, pb.TicketIssued, issued_at=timestamp(at(0)))(10, pb.TicketCalled)(12, pb.TicketHeld)
    (visit,) = read_history(told.events, hall).visits
    assert (visit.outcome, visit.left) == ("held", at(12))
    told(30, pb.TicketReturned, was="held")
    (visit,) = read_history(told.events, hall).visits
    assert (visit.outcome, visit.ended, visit.left) == ("waiting", None, at(12))


def test_the_new_events_travel_in_an_export(hall: Hall) -> None:
    told = Told(hall, 4)
    told(1, pb.TicketHeld, officer="siti", serving=True)
    told(2, pb.TicketReturned, was="held", ahead=2, queued_at=timestamp(at(-5)))
    told(3, pb.TicketCalled, kind=pb.CALL_KIND_CHOSEN)
    for event in told.events:
        assert parse_line(export_line(Recorded(event))) == event
