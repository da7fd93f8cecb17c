"""A paused counter's reason on the boards: counter.paused carries it (break, prayer, system, or
someone's own words), the display keeps it with the counter while paused, and the board names it
in both languages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from antre.events import as_event
from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from services.display import handlers
from services.display.domain.board import CounterStatus, pause_words
from tests.unit.display import display_factories as f
from tests.unit.display.display_factories import T0, Clock

ZONE = "lantai-1-a"


@pytest.fixture
def deps(tmp_path: Path, kendari: Hall) -> handlers.Deps:
    return f.display_deps(tmp_path, kendari, Clock())


def paused(hall: Hall, counter: int, at: dt.datetime, reason: str) -> f.Envelope:
    envelope = f.counter_event(hall, "paused", counter, at)
    as_event(envelope.message, pb.CounterPaused).reason = reason
    return envelope


def counters(deps: handlers.Deps) -> list[tuple[int, CounterStatus, str]]:
    return [(c.number, c.status, c.reason) for c in handlers.board(deps, ZONE).board.counters]


def test_the_reason_is_kept_while_paused_and_dropped_on_resume(deps: handlers.Deps, kendari: Hall) -> None:
    second = dt.timedelta(seconds=1)
    handlers.on_hall_events(
        deps,
        [
            paused(kendari, 1, T0, "prayer"),
            paused(kendari, 2, T0, "break"),
            paused(kendari, 3, T0, "Rapat koordinasi"),
            paused(kendari, 4, T0, ""),
        ],
    )
    assert counters(deps) == [
        (1, CounterStatus.PAUSED, "prayer"),
        (2, CounterStatus.PAUSED, "break"),
        (3, CounterStatus.PAUSED, "Rapat koordinasi"),
        (4, CounterStatus.PAUSED, ""),
    ]
    handlers.on_hall_events(deps, [f.counter_event(kendari, "resumed", 1, T0 + second)])
    handlers.on_hall_events(deps, [paused(kendari, 2, T0 - second, "system")])  # late: changes nothing
    assert counters(deps)[:2] == [(1, CounterStatus.OPEN, ""), (2, CounterStatus.PAUSED, "break")]


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("break", ("Istirahat", "Break")),
        ("prayer", ("Sholat", "Prayer")),
        ("system", ("Gangguan sistem", "System fault")),
        (" Prayer ", ("Sholat", "Prayer")),
        ("", ("Tutup sementara", "Paused")),
        ("Rapat  koordinasi\n", ("Rapat koordinasi", "Rapat koordinasi")),  # someone's own words
        ("x" * 60, ("x" * 39 + "…", "x" * 39 + "…")),  # a slot shows at most 40 characters
    ],
)
def test_what_the_slot_says(reason: str, words: tuple[str, str]) -> None:
    assert pause_words(reason) == words
