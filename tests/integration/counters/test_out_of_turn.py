"""Out of the queue's order, on SQLite and PostgreSQL: a number called by exactly one counter
however many ask, a citizen held aside and called again, a ticket brought back to its place, and
a pause that says why; each change and its event in one transaction. Then sixteen officers doing
all of it at once, and every ticket in exactly one place, none lost, none doubled."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from antre.hall.model import Hall
from antre.problems import Conflict, NotFound, Problem
from antre.v1 import events_pb2 as pb
from antre.web import make_app
from services.counters import handlers
from services.counters.adapters import repository as repo
from services.counters.adapters.tables import queue as queue_table
from services.counters.bootstrap import MIGRATIONS
from services.counters.domain.queue import QueuedTicket, State
from services.counters.domain.stations import Officer, StationState
from services.counters.entrypoints import http
from services.counters.handlers import accounts, out_of_turn, queries
from tests.integration.counters.test_call_next import hall_with_counters, issued
from tests.support.deps import counters_deps, counters_outbox, outbox_events
from tests.support.stores import drop_schema, make_store

T0 = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(hours=1)
SITI = Officer("siti", "Siti", "dukcapil")
BUDI = Officer("budi", "Budi", "dukcapil")


@dataclass
class Store:
    backend: str
    folder: Path
    made: list[tuple[object, str]]

    def deps(self, hall: Hall, clock: Callable[[], dt.datetime] = lambda: NOW) -> handlers.Deps:
        engine, schema = make_store(self.backend, self.folder / str(len(self.made)), MIGRATIONS)
        self.made.append((engine, schema))
        return counters_deps(engine, hall, clock=clock)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Store]:
    made = Store(backend, tmp_path, [])
    try:
        yield made
    finally:
        for engine, schema in made.made:
            engine.dispose()  # type: ignore[attr-defined]
            drop_schema(schema)


def events(deps: handlers.Deps, kind: type | None = None) -> list:  # type: ignore[type-arg]
    found = [e.message for e in outbox_events(deps.uow.engine, counters_outbox)]
    return [m for m in found if kind is None or isinstance(m, kind)]


def queue_up(deps: handlers.Deps, n: int) -> None:
    handlers.on_ticket_events(deps, [issued(deps.hall, i) for i in range(1, n + 1)])


def at_once(count: int, action: Callable[[int], object]) -> list[object]:
    """``action(i)`` in ``count`` threads released together; each result, or the problem raised."""
    start = threading.Barrier(count)

    def run(i: int) -> object:
        start.wait()
        try:
            return action(i)
        except Problem as problem:
            return problem

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


# ---- a number chosen ----


def test_sixteen_counters_asking_for_one_number_call_it_once(store: Store, kendari: Hall) -> None:
    hall = hall_with_counters(kendari, 16)
    deps = store.deps(hall)
    queue_up(deps, 20)
    officers = [Officer(f"o{i}", f"O{i}", "dukcapil") for i in range(16)]
    for i, officer in enumerate(officers):
        handlers.open_counter(deps, officer, 100 + i)

    results = at_once(16, lambda i: out_of_turn.call_number(deps, officers[i], 100 + i, "a-7"))
    called = [r for r in results if isinstance(r, QueuedTicket)]
    assert len(called) == 1 and called[0].number == "A-007"
    assert {r.code for r in results if isinstance(r, Problem)} == {"ticket_not_waiting"}  # type: ignore[union-attr]
    holders = [s.number for s in queries.all_stations(deps) if s.current]
    assert holders == [called[0].counter]
    calls = events(deps, pb.TicketCalled)
    assert [(c.ticket.number, c.kind, c.counter.number) for c in calls] == [
        ("A-007", pb.CALL_KIND_CHOSEN, called[0].counter)
    ]


def test_a_chosen_number_must_wait_today_in_a_service_of_the_counter(store: Store, kendari: Hall) -> None:
    deps = store.deps(kendari)
    queue_up(deps, 3)
    handlers.open_counter(deps, SITI, 3)  # Kartu Keluarga and Pindah/Datang, not KTP-el
    handlers.open_counter(deps, BUDI, 1)
    refusals = {
        "ticket_not_served_here": lambda: out_of_turn.call_number(deps, SITI, 3, "A-001"),
        "unknown_ticket_number": lambda: out_of_turn.call_number(deps, BUDI, 1, "A-099"),
        "bad_ticket_number": lambda: out_of_turn.call_number(deps, BUDI, 1, "nomor satu"),
    }
    for code, call in refusals.items():
        with pytest.raises(Problem) as refused:
            call()
        assert refused.value.code == code
    first = out_of_turn.call_number(deps, BUDI, 1, "A-003")
    assert (first.state, first.counter, first.officer) == (State.CALLED, 1, "budi")
    with pytest.raises(Conflict) as refused:
        out_of_turn.call_number(deps, BUDI, 1, "A-002")
    assert refused.value.code == "counter_busy"
    handlers.complete(deps, BUDI, 1)
    order = []
    while (called := handlers.call_next(deps, BUDI, 1)) is not None:
        order.append(called.number)
        handlers.complete(deps, BUDI, 1)
    assert order == ["A-001", "A-002"]
    assert queries.station(deps, 1).priority_streak == 0  # a chosen call moved no streak


def test_yesterdays_number_is_not_called_today(store: Store, kendari: Hall) -> None:
    deps = store.deps(kendari, clock=lambda: NOW + dt.timedelta(days=1))
    queue_up(deps, 1)  # issued yesterday
    handlers.open_counter(deps, SITI, 1)
    with pytest.raises(NotFound):
        out_of_turn.call_number(deps, SITI, 1, "A-001")


# ---- held aside, called again ----


def test_a_held_citizen_stays_the_counters_while_it_serves_others(store: Store, kendari: Hall) -> None:
    clock = [NOW]
    deps = store.deps(kendari, clock=lambda: clock[0])
    queue_up(deps, 3)
    handlers.open_counter(deps, SITI, 1)
    handlers.open_counter(deps, BUDI, 2)
    first = handlers.call_next(deps, SITI, 1)
    assert first is not None and first.number == "A-001"
    handlers.start_serving(deps, SITI, 1)
    clock[0] += dt.timedelta(minutes=4)
    held = out_of_turn.hold(deps, SITI, 1)
    assert (held.state, held.counter) == (State.HELD, 1) and queries.station(deps, 1).current == ""
    assert [t.number for t in queries.aside(deps, 1)] == ["A-001"]

    # Nobody else gets the held citizen: Budi's counter calls past them, and cannot call them.
    assert [handlers.call_next(deps, BUDI, 2).number, handlers.call_next(deps, SITI, 1).number] == [  # type: ignore[union-attr]
        "A-002",
        "A-003",
    ]
    handlers.complete(deps, BUDI, 2)
    with pytest.raises(Conflict) as refused:
        out_of_turn.call_held(deps, BUDI, 2, "A-001")
    assert refused.value.code == "ticket_not_at_counter"
    with pytest.raises(Conflict) as refused:
        out_of_turn.call_held(deps, SITI, 1, "A-001")  # A-003 is at her desk
    assert refused.value.code == "counter_busy"
    handlers.complete(deps, SITI, 1)
    with pytest.raises(Conflict) as refused:
        handlers.close_counter(deps, SITI, 1)
    assert refused.value.code == "counter_holds_tickets"

    clock[0] += dt.timedelta(minutes=20)  # back with the document
    again = out_of_turn.call_held(deps, SITI, 1, "A-001")
    assert (again.state, queries.station(deps, 1).current) == (State.CALLED, "t0001")
    handlers.start_serving(deps, SITI, 1)
    clock[0] += dt.timedelta(minutes=6)
    done = handlers.complete(deps, SITI, 1)
    assert done.finished_at - done.serving_started_at == dt.timedelta(minutes=10)  # type: ignore[operator]
    assert handlers.close_counter(deps, SITI, 1).state == StationState.CLOSED

    held_events = events(deps, pb.TicketHeld)
    assert [(e.ticket.number, e.counter.number, e.officer, e.serving) for e in held_events] == [
        ("A-001", 1, "siti", True)
    ]
    kinds = [(e.ticket.number, e.kind) for e in events(deps, pb.TicketCalled)]
    assert kinds == [
        ("A-001", pb.CALL_KIND_NEXT),
        ("A-002", pb.CALL_KIND_NEXT),
        ("A-003", pb.CALL_KIND_NEXT),
        ("A-001", pb.CALL_KIND_HELD),
    ]


def test_only_a_citizen_at_the_desk_is_held(store: Store, kendari: Hall) -> None:
    deps = store.deps(kendari)
    handlers.open_counter(deps, SITI, 1)
    with pytest.raises(Conflict) as refused:
        out_of_turn.hold(deps, SITI, 1)
    assert refused.value.code == "no_current_ticket"


# ---- brought back ----


def test_a_passed_over_citizen_comes_back_return_after_places_from_the_front(
    store: Store, kendari: Hall
) -> None:
    hall = replace(kendari, queue=replace(kendari.queue, return_after=2))
    deps = store.deps(hall)
    queue_up(deps, 6)
    handlers.open_counter(deps, SITI, 1)
    handlers.open_counter(deps, BUDI, 2)
    assert handlers.call_next(deps, SITI, 1).number == "A-001"  # type: ignore[union-attr]
    handlers.recall(deps, SITI, 1)
    handlers.recall(deps, SITI, 1)
    assert handlers.skip(deps, SITI, 1).state == State.NO_SHOW
    assert [t.number for t in queries.aside(deps, 1)] == ["A-001"]

    back = out_of_turn.bring_back(deps, BUDI, 2, "A-001")  # the citizen came to Budi's desk
    assert (back.ticket.state, back.ahead) == (State.WAITING, 2)
    assert queries.position(deps, "t0001") == 3 and queries.aside(deps, 1) == []
    with pytest.raises(Conflict) as refused:
        out_of_turn.bring_back(deps, SITI, 1, "A-001")  # already back: never in two places
    assert refused.value.code == "ticket_not_returnable"
    order = []
    while (called := handlers.call_next(deps, SITI, 1)) is not None:
        order.append(called.number)
        handlers.complete(deps, SITI, 1)
    assert order == ["A-002", "A-003", "A-001", "A-004", "A-005", "A-006"]

    (returned,) = events(deps, pb.TicketReturned)
    assert (returned.ticket.number, returned.counter.number, returned.officer) == ("A-001", 2, "budi")
    assert (returned.was, returned.ahead, returned.priority) == ("no_show", 2, pb.PRIORITY_GROUP_NONE)


def test_a_held_ticket_goes_back_to_the_front_from_its_counter_only(store: Store, kendari: Hall) -> None:
    deps = store.deps(kendari)
    queue_up(deps, 3)
    handlers.open_counter(deps, SITI, 1)
    handlers.open_counter(deps, BUDI, 2)
    handlers.call_next(deps, SITI, 1)
    out_of_turn.hold(deps, SITI, 1)
    with pytest.raises(Conflict) as refused:
        out_of_turn.bring_back(deps, BUDI, 2, "A-001")
    assert refused.value.code == "ticket_not_at_counter"
    back = out_of_turn.bring_back(deps, SITI, 1, "A-001")
    assert back.ahead == 0 and queries.position(deps, "t0001") == 1
    assert handlers.call_next(deps, BUDI, 2).number == "A-001"  # type: ignore[union-attr]
    assert [e.was for e in events(deps, pb.TicketReturned)] == ["held"]
    assert handlers.close_counter(deps, SITI, 1).state == StationState.CLOSED


def test_sixteen_counters_bringing_back_one_ticket_bring_it_back_once(store: Store, kendari: Hall) -> None:
    hall = hall_with_counters(kendari, 16)
    deps = store.deps(hall)
    queue_up(deps, 5)
    officers = [Officer(f"o{i}", f"O{i}", "dukcapil") for i in range(16)]
    for i, officer in enumerate(officers):
        handlers.open_counter(deps, officer, 100 + i)
    handlers.call_next(deps, officers[0], 100)
    handlers.skip(deps, officers[0], 100)

    results = at_once(16, lambda i: out_of_turn.bring_back(deps, officers[i], 100 + i, "A-001"))
    assert sum(isinstance(r, out_of_turn.Returned) for r in results) == 1
    assert {r.code for r in results if isinstance(r, Problem)} == {"ticket_not_returnable"}  # type: ignore[union-attr]
    assert len(events(deps, pb.TicketReturned)) == 1 and queries.waiting_counts(deps) == {"ktp-el": 5}


# ---- pauses ----


def test_a_pause_reason_is_kept_and_carried(store: Store, kendari: Hall) -> None:
    deps = store.deps(kendari)
    handlers.open_counter(deps, SITI, 1)
    assert handlers.pause_counter(deps, SITI, 1, "prayer").pause_reason == "prayer"
    assert queries.station(deps, 1).pause_reason == "prayer"
    handlers.pause_counter(deps, SITI, 1, "prayer")  # the same again: nothing new
    handlers.pause_counter(deps, SITI, 1, "antar berkas ke ruang arsip")
    assert queries.station(deps, 1).pause_reason == "antar berkas ke ruang arsip"
    assert handlers.resume_counter(deps, SITI, 1).pause_reason == ""
    assert [e.reason for e in events(deps, pb.CounterPaused)] == ["prayer", "antar berkas ke ruang arsip"]


# ---- the routes ----


@pytest.fixture
def client(store: Store, kendari: Hall) -> Iterator[tuple[TestClient, handlers.Deps, dict[str, str]]]:
    deps = store.deps(kendari)
    accounts.save_officer(deps, None, SITI, "rahasia-siti")
    token, _ = accounts.sign_in(deps, "siti", "rahasia-siti", "test")
    app = make_app("counters", "test", None)
    http.install(app)
    app.state.ctx = http.Context(deps, demo=False)
    with TestClient(app) as test_client:
        yield test_client, deps, {"Authorization": f"Bearer {token}"}


def test_the_routes(client: tuple[TestClient, handlers.Deps, dict[str, str]]) -> None:
    api, deps, auth = client
    queue_up(deps, 4)
    url = "/api/v1/counters/1"
    assert api.post(f"{url}/open", headers=auth).status_code == 200
    called = api.post(f"{url}/call-number", json={"number": "a3"}, headers=auth)
    assert called.status_code == 200 and called.json()["ticket"]["number"] == "A-003"
    held = api.post(f"{url}/hold", headers=auth).json()["ticket"]
    assert (held["state"], held["held_at"]) == ("held", NOW.isoformat())
    view = api.get(url, headers=auth).json()
    assert ([t["number"] for t in view["held"]], view["ticket"], view["passed"]) == (["A-003"], None, [])
    again = api.post(f"{url}/call-held", json={"number": "A-003"}, headers=auth).json()["ticket"]
    assert again["state"] == "called"
    api.post(f"{url}/recall", headers=auth)
    api.post(f"{url}/recall", headers=auth)
    assert api.post(f"{url}/skip", headers=auth).json()["ticket"]["state"] == "no_show"
    assert [t["number"] for t in api.get(url, headers=auth).json()["passed"]] == ["A-003"]
    back = api.post(f"{url}/return", json={"number": "A-003"}, headers=auth).json()
    assert (back["ticket"]["state"], back["ahead"]) == ("waiting", 0)

    bad = api.post(f"{url}/call-number", json={"number": "tiga"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_ticket_number"
    twice = api.post(f"{url}/return", json={"number": "A-003"}, headers=auth)
    assert twice.status_code == 409 and twice.json()["error"]["message"].startswith("Nomor A-003")
    assert api.post(f"{url}/call-held", json={"number": "A-009"}, headers=auth).status_code == 404
    assert (
        api.post(f"{url}/pause", json={"reason": "system"}, headers=auth).json()["pause_reason"] == "system"
    )
    assert api.post(f"{url}/hold", headers={"Authorization": "Bearer nope"}).status_code == 401


# ---- sixteen officers at once ----

LEGAL = {  # event -> the states a ticket may be in before it (at the event's counter: @)
    pb.ServingStarted: {"called@"},
    pb.TicketRecalled: {"called@"},
    pb.TicketCompleted: {"called@", "serving@"},
    pb.TicketSkipped: {"called@"},
    pb.TicketHeld: {"called@", "serving@"},
}


def replay(messages: list) -> dict[str, tuple[str, int | None]]:  # type: ignore[type-arg]
    """Each ticket's state after its events, in outbox order, failing at the first event that the
    ticket's state did not allow: a ticket called twice without coming back, returned from the
    queue, held by two counters."""
    state: dict[str, tuple[str, int | None]] = {}
    for m in messages:
        ref = m.ticket.ticket_id
        now, at = state.get(ref, ("waiting", None))
        here = m.counter.number if hasattr(m, "counter") else None
        mine = at == here
        if isinstance(m, pb.TicketCalled):
            ok = now == "waiting" if m.kind != pb.CALL_KIND_HELD else (now == "held" and mine)
            after = ("called", here)
        elif isinstance(m, pb.TicketReturned):
            ok = now in ("skipped", "no_show") or (now == "held" and mine)
            after = ("waiting", None)
        else:
            ok = any(now == s.rstrip("@") and (mine or not s.endswith("@")) for s in LEGAL[type(m)])
            after = {
                pb.ServingStarted: ("serving", here),
                pb.TicketRecalled: (now, at),
                pb.TicketCompleted: ("completed", here),
                pb.TicketSkipped: ("no_show" if getattr(m, "no_show", False) else "skipped", here),
                pb.TicketHeld: ("held", here),
            }[type(m)]
        assert ok, f"{type(m).__name__} of {m.ticket.number} at {here} while {now}@{at}"
        state[ref] = after
    return state


def test_sixteen_officers_calling_numbers_holding_and_returning_at_once_lose_and_double_nothing(
    store: Store, kendari: Hall
) -> None:
    tickets, rounds = 160, 40
    hall = hall_with_counters(kendari, 16)
    deps = store.deps(hall)
    queue_up(deps, tickets)
    officers = [Officer(f"o{i}", f"O{i}", "dukcapil") for i in range(16)]
    for i, officer in enumerate(officers):
        handlers.open_counter(deps, officer, 100 + i)
    passed: list[str] = []  # numbers skipped so far, for anyone to try to bring back
    held_by: dict[int, list[str]] = {i: [] for i in range(16)}
    lock = threading.Lock()
    start = threading.Barrier(16)

    def work(i: int) -> Counter[str]:
        me, desk, rng = officers[i], 100 + i, random.Random(i)
        done: Counter[str] = Counter()

        def attempt(name: str, action: Callable[..., object], *args: object) -> object | None:
            try:
                result = action(deps, me, desk, *args)
            except (Conflict, NotFound) as refused:
                done[f"refused:{name}:{refused.code}"] += 1
                return None
            done[name if result is not None else f"{name}:none"] += 1
            return result

        start.wait()
        for _ in range(rounds):
            if queries.station(deps, desk).current:
                choice = rng.choice(["complete", "skip", "hold", "start"])
                if choice == "complete":
                    attempt("complete", handlers.complete)
                elif choice == "skip":
                    skipped = attempt("skip", handlers.skip)
                    if isinstance(skipped, QueuedTicket):
                        with lock:
                            passed.append(skipped.number)
                elif choice == "hold":
                    held = attempt("hold", out_of_turn.hold)
                    if isinstance(held, QueuedTicket):
                        held_by[i].append(held.number)
                else:
                    attempt("start", handlers.start_serving)
                continue
            choice = rng.choice(["next", "number", "number", "return", "return", "held"])
            if choice == "next":
                attempt("next", handlers.call_next)
            elif choice == "number":  # a few hot numbers: officers really collide
                attempt("number", out_of_turn.call_number, f"A-{rng.randint(1, 24):03d}")
            elif choice == "return":
                with lock:
                    gone = rng.choice(passed) if passed else None
                if gone is None and held_by[i]:
                    gone = held_by[i][0]
                if (
                    gone is not None
                    and attempt("return", out_of_turn.bring_back, gone)
                    and gone in held_by[i]
                ):
                    held_by[i].remove(gone)
            else:  # my own held citizen, or another counter's (refused)
                theirs = list(held_by[rng.randrange(16)])  # a copy: its owner changes it
                wanted = held_by[i][0] if held_by[i] and rng.random() < 0.8 else (theirs[0] if theirs else "")
                if wanted and attempt("held", out_of_turn.call_held, wanted) and wanted in held_by[i]:
                    held_by[i].remove(wanted)
        return done

    with ThreadPoolExecutor(16) as pool:
        tallies = list(pool.map(work, range(16)))
    total = sum(tallies, Counter())

    # Every ticket in exactly one place.
    with deps.uow.read() as conn:
        ids = [r.id for r in conn.execute(select(queue_table.c.id))]
        rows = [t for i in ids if (t := repo.get_ticket(conn, i)) is not None]
    stations = queries.all_stations(deps)
    assert len(rows) == tickets and len({t.id for t in rows}) == tickets
    at_desk = {s.current: s.number for s in stations if s.current}
    for t in rows:
        if t.state in (State.CALLED, State.SERVING):
            assert at_desk.get(t.id) == t.counter, f"{t.number} {t.state} at {t.counter} but not its desk"
        else:
            assert t.id not in at_desk
        if t.state == State.HELD:
            assert t.counter is not None and t.held_at is not None
        if t.state == State.WAITING:
            assert t.counter is None
    assert len(at_desk) == sum(t.state in (State.CALLED, State.SERVING) for t in rows)

    # The events tell the same story, each change once.
    messages = events(deps)
    ticket_events = [m for m in messages if hasattr(m, "ticket")]
    replayed = replay(ticket_events)
    for t in rows:
        assert replayed.get(t.id, ("waiting", None))[0] == t.state.value, t.number
    kinds = Counter(type(m).__name__ for m in ticket_events)
    assert kinds["TicketHeld"] == total["hold"] and kinds["TicketReturned"] == total["return"]
    assert kinds["TicketCalled"] == total["next"] + total["number"] + total["held"]
    chosen = sum(1 for m in ticket_events if isinstance(m, pb.TicketCalled) and m.kind == pb.CALL_KIND_CHOSEN)
    assert chosen == total["number"]
    # They really collided, and the work was really shared.
    assert total["refused:number:ticket_not_waiting"] > 0
    assert sum(1 for t in tallies if t["number"]) > 1 and sum(1 for t in tallies if t["return"]) > 1
    assert total["hold"] > 0 and total["held"] > 0

    # None lost: every ticket can still be served to the end, once.
    for i, officer in enumerate(officers):
        desk = 100 + i
        if queries.station(deps, desk).current:
            handlers.complete(deps, officer, desk)
        for t in [t for t in queries.aside(deps, desk) if t.state == State.HELD]:
            out_of_turn.call_held(deps, officer, desk, t.number)
            handlers.complete(deps, officer, desk)
    for t in [t for t in rows if t.state in (State.SKIPPED, State.NO_SHOW)]:
        out_of_turn.bring_back(deps, officers[0], 100, t.number)
    while handlers.call_next(deps, officers[1], 101) is not None:
        handlers.complete(deps, officers[1], 101)
    completed = Counter(m.ticket.ticket_id for m in events(deps, pb.TicketCompleted))
    assert len(completed) == tickets and set(completed.values()) == {1}
    replay([m for m in events(deps) if hasattr(m, "ticket")])
