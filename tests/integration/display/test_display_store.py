"""The display's store on every backend (SQLite; PostgreSQL where the environment has one): one
announcement per call, and one voice per zone even when many replicas schedule at once."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from antre.hall.model import Hall
from services.display import handlers
from services.display.bootstrap import MIGRATIONS
from tests.support.stores import drop_schema, make_store
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
