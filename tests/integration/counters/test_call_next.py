"""Exactly one counter gets each ticket, however many press "call next" at once."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from antre.events import Envelope, new_meta, timestamp
from antre.hall.model import Counter as HallCounter
from antre.hall.model import Hall
from antre.problems import Forbidden, Unauthorized
from antre.v1 import events_pb2 as pb
from services.counters import handlers
from services.counters.adapters import repository as repo
from services.counters.bootstrap import MIGRATIONS
from services.counters.domain import queue
from services.counters.domain.queue import State
from services.counters.domain.stations import Officer
from services.counters.handlers import accounts, queries
from tests.support.deps import counters_deps, counters_outbox, outbox_events
from tests.support.stores import drop_schema, make_store

T0 = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)


def issued(hall: Hall, n: int, service: str = "ktp-el", priority: int = pb.PRIORITY_GROUP_NONE) -> Envelope:
    event = pb.TicketIssued(
        meta=new_meta(hall.id, "dukcapil", T0),
        ticket=pb.TicketRef(
            ticket_id=f"t{n:04d}", service=service, number=f"A-{n:03d}", hall_day=hall.day_of(T0).isoformat()
        ),
        priority=priority,
        issued_at=timestamp(T0 + dt.timedelta(seconds=n)),
    )
    return Envelope("antre.x.dukcapil.ticket.issued", event)


def hall_with_counters(kendari: Hall, count: int) -> Hall:
    """Sixteen counters all serving KTP-el."""
    zone = kendari.zones[0].code
    counters = tuple(HallCounter(100 + i, f"Loket {100 + i}", zone, ("ktp-el",)) for i in range(count))
    return replace(kendari, counters=kendari.counters + counters)


def test_sixteen_counters_calling_at_once_share_500_tickets(
    backend: str, tmp_path: Path, kendari: Hall
) -> None:
    hall = hall_with_counters(kendari, 16)
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        deps = counters_deps(engine, hall, clock=lambda: T0 + dt.timedelta(hours=1))
        handlers.on_ticket_events(deps, [issued(hall, n) for n in range(1, 501)])
        officers = [Officer(f"o{i}", f"O{i}", "dukcapil") for i in range(16)]
        for i, officer in enumerate(officers):
            handlers.open_counter(deps, officer, 100 + i)
        start = threading.Barrier(16)

        def work(i: int) -> list[str]:
            start.wait()
            mine: list[str] = []
            while (ticket := handlers.call_next(deps, officers[i], 100 + i)) is not None:
                mine.append(ticket.id)
                handlers.complete(deps, officers[i], 100 + i)
            return mine

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(work, range(16)))
        called = [t for batch in results for t in batch]
        assert len(called) == 500
        assert max(Counter(called).values()) == 1
        assert set(called) == {f"t{n:04d}" for n in range(1, 501)}
        assert sum(1 for batch in results if batch) > 1  # the work was really shared
    finally:
        engine.dispose()
        drop_schema(schema)


def test_the_same_issue_event_twice_queues_one_ticket(tmp_path: Path, kendari: Hall) -> None:
    engine, _ = make_store("sqlite", tmp_path, MIGRATIONS)
    deps = counters_deps(engine, kendari, clock=lambda: T0 + dt.timedelta(hours=1))
    event = issued(kendari, 1)
    handlers.on_ticket_events(deps, [event])
    handlers.on_ticket_events(deps, [event, event])
    assert queries.waiting_counts(deps) == {"ktp-el": 1}


def test_a_batch_queues_its_tickets_once_and_applies_a_cancel_after_its_issue(
    backend: str, tmp_path: Path, kendari: Hall
) -> None:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        deps = counters_deps(engine, kendari, clock=lambda: T0 + dt.timedelta(hours=1))
        one, two, three = issued(kendari, 1), issued(kendari, 2), issued(kendari, 3)
        cancel = Envelope(
            "antre.x.dukcapil.ticket.cancelled",
            pb.TicketCancelled(meta=new_meta(kendari.id, "dukcapil", T0), ticket=one.message.ticket),  # type: ignore[attr-defined]
        )
        handlers.on_ticket_events(deps, [two])
        handlers.on_ticket_events(deps, [one, two, one, cancel, three, three])
        assert queries.waiting_counts(deps) == {"ktp-el": 2}
        handlers.on_ticket_events(deps, [one, cancel, three])  # redelivered: nothing changes
        assert queries.waiting_counts(deps) == {"ktp-el": 2}
        with deps.uow.read() as conn:
            assert repo.get_ticket(conn, "t0001").state == queue.State.CANCELLED  # type: ignore[union-attr]
    finally:
        engine.dispose()
        drop_schema(schema)


def test_priority_and_order_at_one_counter(tmp_path: Path, kendari: Hall) -> None:
    engine, _ = make_store("sqlite", tmp_path, MIGRATIONS)
    deps = counters_deps(engine, kendari, clock=lambda: T0 + dt.timedelta(hours=1))
    handlers.on_ticket_events(
        deps, [issued(kendari, 1), issued(kendari, 2), issued(kendari, 3, priority=pb.PRIORITY_GROUP_ELDERLY)]
    )
    siti = Officer("siti", "Siti", "dukcapil")
    handlers.open_counter(deps, siti, 1)
    order = []
    while (ticket := handlers.call_next(deps, siti, 1)) is not None:
        order.append(ticket.number)
        handlers.complete(deps, siti, 1)
    assert order == ["A-003", "A-001", "A-002"]


def test_yesterdays_leftovers_are_not_called_today(tmp_path: Path, kendari: Hall) -> None:
    engine, _ = make_store("sqlite", tmp_path, MIGRATIONS)
    deps = counters_deps(engine, kendari, clock=lambda: T0 + dt.timedelta(days=1, hours=1))
    handlers.on_ticket_events(deps, [issued(kendari, 1)])
    siti = Officer("siti", "Siti", "dukcapil")
    handlers.open_counter(deps, siti, 1)
    assert handlers.call_next(deps, siti, 1) is None


def test_the_claim_statement_makes_the_domains_call(backend: str, tmp_path: Path, kendari: Hall) -> None:
    """The claim is the domain's call (queue.call) written as one compare-and-set statement: the
    ticket it returns is exactly the one the domain makes, and a second claim gets nothing."""
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        deps = counters_deps(engine, kendari, clock=lambda: T0 + dt.timedelta(hours=1))
        handlers.on_ticket_events(deps, [issued(kendari, 1, priority=pb.PRIORITY_GROUP_ELDERLY)])
        at = T0 + dt.timedelta(hours=1, seconds=7)
        with deps.uow.begin() as tx:
            waiting = repo.get_ticket(tx.conn, "t0001")
            assert waiting is not None
            waiting = replace(waiting, recalls=2)  # left over from an earlier counter
            repo.save_ticket(tx.conn, waiting)
            claimed = repo.claim(tx.conn, "t0001", 7, "siti", at)
            assert claimed == queue.call(waiting, 7, "siti", at)
            assert repo.claim(tx.conn, "t0001", 8, "budi", at) is None
            assert repo.get_ticket(tx.conn, "t0001") == claimed
    finally:
        engine.dispose()
        drop_schema(schema)


def test_a_session_token_is_checked_inside_the_action(backend: str, tmp_path: Path, kendari: Hall) -> None:
    """The HTTP queue actions hand the handler the bearer token: a live session acts as its
    officer; a signed-out or unknown token is refused and changes nothing."""
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        deps = counters_deps(engine, kendari, clock=lambda: T0 + dt.timedelta(hours=1))
        accounts.save_officer(deps, None, Officer("siti", "Siti", "dukcapil"), "rahasia-siti")
        token, siti = accounts.sign_in(deps, "siti", "rahasia-siti", "test")
        handlers.on_ticket_events(deps, [issued(kendari, 1), issued(kendari, 2)])
        handlers.open_counter(deps, siti, 1)
        for forged in (handlers.SessionToken("forged"), handlers.SessionToken("")):
            with pytest.raises(Unauthorized):
                handlers.call_next(deps, forged, 1)
        assert queries.waiting_counts(deps) == {"ktp-el": 2}
        called = handlers.call_next(deps, handlers.SessionToken(token), 1)
        assert called is not None and called.officer == "siti"
        handlers.sign_out(deps, token)
        with pytest.raises(Unauthorized):
            handlers.complete(deps, handlers.SessionToken(token), 1)
        assert queries.current_ticket(deps, queries.station(deps, 1)) == called  # still held, not completed
    finally:
        engine.dispose()
        drop_schema(schema)


def test_a_counter_left_open_passes_to_the_next_officer_once_its_own_signs_out(
    backend: str, tmp_path: Path, kendari: Hall
) -> None:
    """Siti calls a citizen and leaves without closing: while she is signed in the counter stays
    hers; once she signs out (or her session ends) Budi opens it and finds her citizen there."""
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    now = [T0 + dt.timedelta(hours=1)]
    try:
        deps = counters_deps(engine, kendari, clock=lambda: now[0])
        for name in ("siti", "budi"):
            accounts.save_officer(deps, None, Officer(name, name.title(), "dukcapil"), f"rahasia-{name}")
        token, siti = accounts.sign_in(deps, "siti", "rahasia-siti", "test")
        _, budi = accounts.sign_in(deps, "budi", "rahasia-budi", "test")
        handlers.on_ticket_events(deps, [issued(kendari, 1), issued(kendari, 2)])
        handlers.open_counter(deps, siti, 1)
        called = handlers.call_next(deps, siti, 1)
        assert called is not None
        with pytest.raises(Forbidden) as refused:
            handlers.open_counter(deps, budi, 1)
        assert refused.value.code == "counter_taken"
        assert queries.station(deps, 1).officer == "siti"  # nothing changed

        handlers.sign_out(deps, token)
        taken = handlers.open_counter(deps, budi, 1)
        assert (taken.officer, taken.current) == ("budi", called.id)
        assert handlers.complete(deps, budi, 1).state == State.COMPLETED
        assert handlers.call_next(deps, budi, 1) is not None
        with pytest.raises(Forbidden):
            handlers.call_next(deps, siti, 1)
        events = [e.subject.rsplit(".", 2)[-2:] for e in outbox_events(engine, counters_outbox)]
        assert events.count(["counter", "opened"]) == 1  # taking over opens nothing new

        now[0] += accounts.SESSION  # Budi goes home without closing; his session ends
        _, siti = accounts.sign_in(deps, "siti", "rahasia-siti", "test")  # the next morning
        assert handlers.open_counter(deps, siti, 1).officer == "siti"
    finally:
        engine.dispose()
        drop_schema(schema)


def test_counters_left_open_close_after_their_day_unless_someone_is_at_them(
    backend: str, tmp_path: Path, kendari: Hall
) -> None:
    """Monday: counters 1 (open) and 3 (paused) are left by Siti, 2 by Budi with a citizen at it,
    and Dedi opens 5 late in the evening. After midnight the idle ones whose officer is gone
    close, once; Budi's citizen and Dedi, still signed in, keep theirs."""
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    now = [T0 + dt.timedelta(hours=1)]  # 09:00 WITA
    try:
        deps = counters_deps(engine, kendari, clock=lambda: now[0])
        signed = {}
        for name in ("siti", "budi", "dedi"):
            accounts.save_officer(deps, None, Officer(name, name.title(), "dukcapil"), f"rahasia-{name}")
        for name in ("siti", "budi"):
            signed[name] = accounts.sign_in(deps, name, f"rahasia-{name}", "test")[1]
        handlers.on_ticket_events(deps, [issued(kendari, 1)])
        for number, name in ((1, "siti"), (2, "budi"), (3, "siti")):
            handlers.open_counter(deps, signed[name], number)
        assert handlers.call_next(deps, signed["budi"], 2) is not None
        handlers.pause_counter(deps, signed["siti"], 3)
        assert handlers.close_left_counters(deps) == []  # the day is not over

        now[0] = T0 + dt.timedelta(hours=15)  # 23:00 WITA
        dedi = accounts.sign_in(deps, "dedi", "rahasia-dedi", "test")[1]
        handlers.open_counter(deps, dedi, 5)
        now[0] = T0 + dt.timedelta(hours=16, minutes=30)  # 00:30 WITA the next day
        with ThreadPoolExecutor(2) as pool:  # two replicas' rounds at the same moment
            rounds = list(pool.map(lambda _: handlers.close_left_counters(deps), range(2)))
        assert sorted(n for r in rounds for n in r) == [1, 3]
        assert handlers.close_left_counters(deps) == []
        states = {n: queries.station(deps, n) for n in (1, 2, 3, 5)}
        assert {n: (s.state.value, s.officer) for n, s in states.items()} == {
            1: ("closed", ""),
            2: ("open", "budi"),
            3: ("closed", ""),
            5: ("open", "dedi"),
        }
        events = [e.subject.rsplit(".", 2)[-2:] for e in outbox_events(engine, counters_outbox)]
        assert events.count(["counter", "closed"]) == 2
    finally:
        engine.dispose()
        drop_schema(schema)
