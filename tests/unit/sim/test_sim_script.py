"""A scripted day calls only at the script's moments, arrivals of the same instant first, and
nothing in it is drawn: the same script gives the same day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from antre.hall.load import load_hall
from sim.script import Arrival, Call, Script, ScriptedDay, order

HALL = load_hall(Path(__file__).resolve().parents[3] / "examples" / "kendari.yaml")
DAY = dt.date(2026, 3, 10)  # a Tuesday
H = 3600.0


def test_counters_call_only_at_the_scripts_moments() -> None:
    script = Script(
        arrivals=(Arrival(8 * H + 60, "jkn"), Arrival(8 * H + 120, "jkn"), Arrival(8 * H + 180, "jkn")),
        calls=(Call(8 * H + 30, 17), Call(8 * H + 600, 17), Call(8 * H + 900, 17)),
    )
    log = ScriptedDay(HALL, DAY, script).run()
    # 08:00:30 nobody waits yet (and a free counter does not call when someone comes later).
    assert [(t, n) for t, _, n, _, _ in log.calls] == [(8 * H + 600, "R-001"), (8 * H + 900, "R-002")]
    assert len(log.stays) == 1  # the second call finished the first citizen; the last is still served


def test_an_arrival_comes_before_a_call_of_the_same_instant() -> None:
    script = Script(arrivals=(Arrival(9 * H, "jkn"),), calls=(Call(9 * H, 17),))
    assert order(ScriptedDay(HALL, DAY, script).run()) == [(17, "R-001")]


def test_the_same_script_gives_the_same_day() -> None:
    arrivals = tuple(Arrival(8 * H + 37.0 * i, "ktp-el", priority=i % 3 == 0) for i in range(1, 30))
    calls = tuple(Call(8 * H + 60.0 * i, 1 + i % 2) for i in range(1, 40))
    script = Script(arrivals, calls)
    first, second = ScriptedDay(HALL, DAY, script).run(), ScriptedDay(HALL, DAY, script).run()
    assert order(first) == order(second) and len(order(first)) == 29
    assert first.picks == second.picks


def test_a_counter_the_hall_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\[99\]"):
        ScriptedDay(HALL, DAY, Script((), (Call(9 * H, 99),)))
