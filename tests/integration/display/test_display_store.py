"""The display's store on every backend (SQLite; PostgreSQL where the environment has one): one
announcement per call, and one voice per zone even when many replicas schedule at once."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from antre import db
from antre.hall.model import Hall
from services.display import handlers
from services.display.adapters import repository as repo
from services.display.bootstrap import MIGRATIONS
from services.display.domain import board
from services.display.domain.board import Call
from tests.support.infra import unique
from tests.support.stores import drop_schema, make_store, pg_url
from tests.unit.display import display_factories as f
from tests.unit.display.display_factories import T0, Clock

ZONE = "lantai-1-a"


@pytest.fixture
def deps(backend: str, tmp_path: Path, kendari: Hall) -> Iterator[handlers.Deps]:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        yield f.deps_over(engine, kendari, Clock(T0 + dt.timedelta(seconds=1)))
    finally:
        engine.dispose()
        drop_schema(schema)


def test_a_call_is_announced_once(deps: handlers.Deps, kendari: Hall) -> None:
    call = f.called(kendari, "t1", "A-012", "ktp-el", 3, T0)
    handlers.on_hall_events(deps, [call, call])
    handlers.on_hall_events(deps, [call])
    assert [a.number for a in handlers.announcements_after(deps, ZONE, 0, 10)] == ["A-012"]


def test_the_board_on_this_backend(deps: handlers.Deps, kendari: Hall) -> None:
    handlers.on_hall_events(deps, [f.issued(kendari, f"t{n}", f"A-{n:03d}", "ktp-el", T0) for n in (1, 2)])
    handlers.on_hall_events(deps, [f.called(kendari, "t1", "A-001", "ktp-el", 1, T0)])
    handlers.on_hall_events(deps, [f.serving(kendari, "t1", "A-001", "ktp-el", 1, T0)])
    view = handlers.board(deps, ZONE)
    assert [(c.number, c.serving) for c in view.board.now_calling] == [("A-001", True)]
    assert dict((s.code, n) for s, n in view.board.waiting)["ktp-el"] == 1
    assert view.last_seq >= 1 and view.board.recent[0].number == "A-001"
    handlers.on_hall_events(deps, [f.counter_event(kendari, "closed", 1, T0 + dt.timedelta(minutes=5))])
    assert handlers.board(deps, ZONE).board.now_calling == ()


def test_replicas_calling_at_once_never_share_the_voice(deps: handlers.Deps, kendari: Hall) -> None:
    """Twelve consumers (replicas) schedule twelve calls of one zone at the same moment."""
    calls = [f.called(kendari, f"t{n}", f"A-{n:03d}", "ktp-el", 1 + n % 6, T0) for n in range(12)]
    start = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def work(envelope: f.Envelope) -> None:
        start.wait()
        try:
            handlers.on_hall_events(deps, [envelope])
        except BaseException as exc:  # collected: a failed thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log = handlers.announcements_after(deps, ZONE, 0, 100)
    # Each call once among the entries that stand, grouped or not (the zone's row lock
    # serialises grouping too: no two replicas grow the same entry).
    said = [p.number for a in log for p in a.calls]
    assert sorted(said) == [f"A-{n:03d}" for n in range(12)]
    assert len(log) < 12  # twelve at once: the later ones were grouped
    gap = dt.timedelta(seconds=kendari.announcement_gap_seconds)
    for a, b in itertools.pairwise(log):
        assert b.starts_at >= a.ends_at + gap, (a, b)


def _a_morning(hall: Hall) -> list[f.Envelope]:
    """Four counters' facts as the counters published them, oldest first."""
    at = [T0 + dt.timedelta(seconds=10 * n) for n in range(20)]
    return [
        f.issued(hall, "t1", "A-001", "ktp-el", at[0]),
        f.issued(hall, "t2", "A-002", "ktp-el", at[0]),
        f.called(hall, "t1", "A-001", "ktp-el", 1, at[1]),
        f.recalled(hall, "t1", "A-001", "ktp-el", 1, at[2]),
        f.serving(hall, "t1", "A-001", "ktp-el", 1, at[3]),  # counter 1 serves A-001
        f.called(hall, "t2", "A-002", "ktp-el", 2, at[4]),
        f.serving(hall, "t2", "A-002", "ktp-el", 2, at[5]),
        f.completed(hall, "t2", "A-002", "ktp-el", 2, at[6]),
        f.called(hall, "t3", "A-003", "ktp-el", 2, at[7]),  # counter 2 called the next one
        f.called(hall, "t4", "A-004", "ktp-el", 3, at[8]),
        f.skipped(hall, "t4", "A-004", "ktp-el", 3, at[9]),  # counter 3 is empty
        f.called(hall, "t5", "A-005", "ktp-el", 4, at[10]),
        f.transferred(hall, "t5", "A-005", "ktp-el", "kartu-keluarga", 4, at[11]),
        f.counter_event(hall, "closed", 4, at[12]),  # counter 4 closed
    ]


def test_the_board_is_the_same_whatever_order_the_events_arrive_in(
    backend: str, tmp_path: Path, kendari: Hall
) -> None:
    """After an outage the consumers deliver calls and the rest in any order: the board must
    still show what the counters did (before, a serving applied before its late call left the
    counter empty until its next call)."""
    morning = _a_morning(kendari)
    boards = []
    for name, events in (("in-order", morning), ("reversed", morning[::-1])):
        folder = tmp_path / name
        folder.mkdir()
        engine, schema = make_store(backend, folder, MIGRATIONS)
        try:
            deps = f.deps_over(engine, kendari, Clock(T0 + dt.timedelta(minutes=5)))
            for event in events:
                handlers.on_hall_events(deps, [event])
            boards.append(handlers.board(deps, ZONE).board.now_calling)
        finally:
            engine.dispose()
            drop_schema(schema)
    in_order, reversed_ = boards
    assert [(c.counter, c.number, c.recalls, c.serving) for c in in_order] == [
        (2, "A-003", 0, False),
        (1, "A-001", 1, True),
    ]
    assert reversed_ == in_order


def test_the_upgrade_makes_each_shown_call_its_counters_slot(backend: str, tmp_path: Path) -> None:
    """A hall upgraded mid-day keeps its board: the calls shown become the slots, so an older
    event that arrives after the upgrade does not replace them."""
    if backend == "sqlite":
        engine, schema = db.make_engine(f"sqlite:///{tmp_path / 'up.db'}"), ""
    else:
        schema = unique("t_")
        engine = db.make_engine(pg_url() or "", schema)
        db.ensure_schema(engine, schema)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    shown = [
        Call(1, "Loket 1", ZONE, "t1", "A-001", "ktp-el", T0, T0 + dt.timedelta(seconds=30), 1, True),
        Call(2, "Loket 2", ZONE, "t2", "A-002", "ktp-el", T0, T0, 0, False),
    ]
    try:
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
            repo.write_calls(conn, {c.counter: c for c in shown}, set())
            command.upgrade(config, "head")
            conn.commit()
        with db.read(engine) as conn:
            slots = {n: repo.slot(conn, n) for n in (1, 2)}
        assert [board.shown(s) if s else None for s in slots.values()] == shown
    finally:
        engine.dispose()
        drop_schema(schema)
