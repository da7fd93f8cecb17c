"""The visit record folded from a known hall day, on SQLite and PostgreSQL: every leg, visit,
booking and survey as the day's own account says, whatever the batch size, and a replayed or
duplicated event changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from antre.events import new_meta
from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from services.reports import handlers
from services.reports.adapters.tables import bookings, legs, stations, surveys, visits
from tests.support.visit_day import Day, feed, hall_day

DAY = dt.date(2026, 3, 10)


@pytest.fixture(scope="module")
def day(kendari: Hall) -> Day:
    return hall_day(kendari, DAY)


def rows(engine: Engine, table: Any, *order: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        found = conn.execute(select(table).order_by(*(table.c[c] for c in order))).mappings()
        return [dict(r) for r in found]


def test_the_day_is_big_enough(day: Day) -> None:
    agencies = {leg.agency for leg in day.legs}
    outcomes = {leg.outcome for leg in day.legs}
    assert len(day.visits) >= 400 and len(agencies) == 6
    assert outcomes == {"served", "no_show", "skipped", "transferred", "cancelled", "day_ended"}
    assert any(leg.recalls for leg in day.legs) and day.surveys
    assert any(leg.held for leg in day.legs) and any(leg.returned for leg in day.legs)
    assert {b.state for b in day.bookings} == {"booked", "cancelled", "checked_in", "no_show"}


def test_every_leg_as_the_day_made_it(deps: handlers.Deps, store: Engine, day: Day) -> None:
    feed(deps, day.events)
    got = {(r["ticket_id"], r["leg"]): r for r in rows(store, legs, "ticket_id", "leg")}
    assert len(got) == len(day.legs)
    for leg in day.legs:
        row = got[(leg.ticket_id, leg.leg)]
        want = {
            "day": leg.day,
            "hour": leg.hour,
            "service": leg.service,
            "agency": leg.agency,
            "channel": leg.channel,
            "priority": leg.priority,
            "outcome": leg.outcome,
            "counter": leg.counter,
            "officer": leg.officer,
            "recalls": leg.recalls,
            "wait_seconds": leg.wait_seconds,
            "service_seconds": leg.service_seconds,
            "transferred_to": leg.transferred_to,
        }
        assert {k: row[k] for k in want} == want, leg.ticket_id
    outcomes = {r["ticket_id"]: (r["outcome"], r["legs"]) for r in rows(store, visits, "ticket_id")}
    legs_of = {t: sum(1 for leg in day.legs if leg.ticket_id == t) for t in day.visits}
    assert outcomes == {t: (o, legs_of[t]) for t, o in day.visits.items()}


def test_bookings_and_surveys_as_the_day_made_them(deps: handlers.Deps, store: Engine, day: Day) -> None:
    feed(deps, day.events)
    got = {
        r["booking_id"]: (r["day"], r["service"], r["agency"], r["state"])
        for r in rows(store, bookings, "booking_id")
    }
    assert got == {b.booking_id: (b.day, b.service, b.agency, b.state) for b in day.bookings}
    answered = {
        r["ticket_id"]: tuple(r[f"u{i}"] for i in range(1, 10)) for r in rows(store, surveys, "ticket_id")
    }
    assert answered == {t: s.scores for t, s in day.surveys.items()}


def test_batches_and_redelivery_change_nothing(deps: handlers.Deps, store: Engine, day: Day) -> None:
    assert feed(deps, day.events, batch=7) == len(day.events)
    first = [rows(store, t, *k) for t, k in TABLES]
    # The whole day again, in other batches (a consumer restarted from the stream's start), and
    # one batch holding every event twice: nothing is applied a second time.
    assert feed(deps, day.events, batch=250) == 0
    assert feed(deps, day.events[:50] + day.events[:50], batch=100) == 0
    assert [rows(store, t, *k) for t, k in TABLES] == first


def test_an_event_twice_in_one_batch_counts_once(deps: handlers.Deps, store: Engine, day: Day) -> None:
    issued = next(m for m in day.events if isinstance(m, pb.TicketIssued))
    assert feed(deps, [issued, issued]) == 1
    assert len(rows(store, visits, "ticket_id")) == 1


def test_a_ticket_never_issued_here_is_left_alone(deps: handlers.Deps, store: Engine, day: Day) -> None:
    called = next(m for m in day.events if isinstance(m, pb.TicketCalled))
    assert feed(deps, [called]) == 1  # applied (once), but there is no visit to fold it into
    assert rows(store, visits, "ticket_id") == [] and rows(store, legs, "ticket_id") == []


def test_counters_stand_as_their_last_events_left_them(deps: handlers.Deps, store: Engine, day: Day) -> None:
    feed(deps, day.events)
    states = {r["number"]: (r["state"], r["ticket_id"]) for r in rows(store, stations, "number")}
    # Every counter closed at the end of the day and holds nobody.
    assert states == {c.number: ("closed", "") for c in deps.hall.counters}


TABLES = [
    (visits, ("ticket_id",)),
    (legs, ("ticket_id", "leg")),
    (bookings, ("booking_id",)),
    (stations, ("number",)),
    (surveys, ("ticket_id",)),
]


def test_a_counter_lets_go_of_a_ticket_the_day_ended_at_it(deps: handlers.Deps, store: Engine) -> None:
    hall, at = deps.hall.id, dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)

    def meta(minute: int) -> pb.EventMeta:
        return new_meta(hall, "dukcapil", at + dt.timedelta(minutes=minute))

    ticket = pb.TicketRef(ticket_id="t1", service="ktp-el", number="A-001", hall_day="2026-03-10")
    counter = pb.CounterRef(number=1, name="Loket 1", zone="lantai-1-a")
    feed(
        deps,
        [
            pb.CounterOpened(meta=meta(0), counter=counter, officer="siti", services=["ktp-el"]),
            pb.TicketIssued(meta=meta(1), ticket=ticket, channel=pb.CHANNEL_WALK_IN),
            pb.TicketCalled(meta=meta(2), ticket=ticket, counter=counter, officer="siti"),
        ],
    )
    assert [(r["ticket_id"], r["ticket_state"]) for r in rows(store, stations, "number")] == [
        ("t1", "called")
    ]
    feed(deps, [pb.TicketCancelled(meta=meta(3), ticket=ticket, reason="day_ended")])
    assert [(r["state"], r["ticket_id"]) for r in rows(store, stations, "number")] == [("open", "")]
    assert [r["outcome"] for r in rows(store, visits, "ticket_id")] == ["day_ended"]
