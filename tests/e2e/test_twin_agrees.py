"""The twin and the live services agree: the same arrivals and the same clicks, fed to the running
hall (ticketing and counters as processes, real PostgreSQL and NATS, on a shared hall clock moved
forward step by step) and to the twin (:class:`sim.script.ScriptedDay`), give the same call order.

"The same arrivals" means: the same citizens at the same moments of the same day (the hall's
local time), each for the same service, with the same priority (any group, the counters see one
lane), and a booked citizen with the same booking (made the evening before) for the same session
checking in at the same moment. Also held equal: the hall file (Kendari's, with a priority streak
of 2 so that the streak is reached often), the counters open (1, 3 and 6 of the civil registry,
which share services), and the moments at which each counter finishes its citizen and calls the
next one. The live moments trail the script's by the milliseconds each request takes (checked:
every called ticket's queue time and every call's time as the counters record them); every
moment in the script is at least a minute from any other and from every session's start, so no
rule can see that difference, and no two tickets tie on queue time (ties break on ticket ids,
which the two worlds draw differently). What is compared: the sequence of (counter, ticket
number) of every call, an empty call (nobody waiting) adding nothing in either world.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from antre.hall.load import load_hall, read_document
from sim.model import Scenario
from sim.script import Arrival, Call, Script, ScriptedDay, order
from tests.support.clock import HallClock
from tests.support.hall import RunningHall
from tests.support.infra import KENDARI
from tests.support.twin_live import LivePlay

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Makassar")  # the Kendari hall's
DAY = dt.date(2026, 3, 10)  # a Tuesday, no holiday
EVE = dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(9), TZ)
GAP = 60.0  # seconds between any two moments of the script
STREAK = 2  # Kendari's is 3; at 2 a short script reaches it at every counter
COUNTERS = [1, 3, 6]  # 1: ktp-el; 3: kartu-keluarga, pindah-datang; 6: ktp-el, kartu-keluarga, akta


def hm(text: str) -> float:
    t = dt.time.fromisoformat(text)
    return t.hour * 3600.0 + t.minute * 60.0


def walk(at: str, service: str, priority: bool = False) -> Arrival:
    return Arrival(hm(at), service, priority)


def booked(at: str, session: str) -> Arrival:
    return Arrival(hm(at), "ktp-el", session=hm(session))


def call(at: str, counter: int) -> Call:
    return Call(hm(at), counter)


A, B, C, E = "ktp-el", "kartu-keluarga", "akta-kelahiran", "pindah-datang"
P = True  # a priority group

# A queue forms before the first call, then calls and arrivals alternate. Priority walk-ins come
# in runs, so each counter reaches its streak of 2 while regulars wait; ktp-el blends near_slot:
# one booking for 08:00 checked in before opening, two for 09:00 checked in early (walk-ins who
# came before 09:00 still go first), one for 09:00 checked in late (a walk-in of 09:06).
SCRIPT = Script(
    arrivals=(
        booked("07:50", "08:00"),
        walk("08:01", A),
        walk("08:02", A, P),
        walk("08:03", B),
        walk("08:04", A, P),
        walk("08:05", A, P),
        walk("08:06", C),
        walk("08:07", B, P),
        walk("08:08", A),
        walk("08:13", A, P),
        walk("08:15", E),
        walk("08:18", B, P),
        walk("08:21", B, P),
        booked("08:40", "09:00"),
        walk("08:42", A),
        walk("08:44", A, P),
        booked("08:46", "09:00"),
        walk("08:50", A),
        walk("09:02", A),
        booked("09:06", "09:00"),
        walk("09:07", A, P),
        walk("09:09", B),
        walk("09:11", C, P),
    ),
    calls=(
        call("08:10", 1),
        call("08:11", 6),
        call("08:12", 3),
        call("08:14", 1),
        call("08:16", 1),
        call("08:17", 6),
        call("08:19", 6),
        call("08:20", 3),
        call("08:22", 3),
        call("08:24", 1),
        call("08:52", 1),
        call("08:54", 6),
        call("08:56", 1),
        call("09:04", 1),
        call("09:08", 6),
        call("09:10", 1),
        call("09:12", 1),
        call("09:13", 6),
        call("09:14", 3),
        call("09:16", 6),
        call("09:18", 1),
        call("09:20", 6),
        call("09:22", 3),
        call("09:24", 6),
    ),
)


def test_the_twin_and_the_live_hall_call_in_the_same_order(
    tmp_path: Path, nats_url: str, pg_url: str | None
) -> None:
    clock = HallClock(tmp_path / "hall-clock", EVE - dt.timedelta(minutes=5))
    env = {"ANTRE_DEMO": "0", "ANTRE_NIK_SECRET": "kunci-nik-kembaran-0123456789"}  # the hall keeps its hours
    rules = {**read_document(KENDARI.read_text())["queue"], "priority_max_streak": STREAK}
    hall = RunningHall(tmp_path, nats_url, pg_url, ("ticketing", "counters"), env, clock=clock, queue=rules)
    try:
        hall.start()
        model = load_hall(hall.hall_file)
        twin = order(ScriptedDay(model, DAY, SCRIPT).run())
        play = LivePlay(hall, clock, DAY, model.timezone)
        try:
            play.book(SCRIPT, EVE)
            clock.jump_to(dt.datetime.combine(DAY, dt.time(7, 45), TZ))
            play.open(COUNTERS, "dukcapil")
            live = play.play(SCRIPT)
        finally:
            play.close()
    finally:
        hall.stop()
    assert len(twin) == len(SCRIPT.arrivals)  # everyone was called, in both worlds
    assert live == twin
    # The live moments were the script's: late by less than half the script's smallest gap, and
    # never early (a queue time before its moment would mean the clock or the counters slipped).
    assert min(play.lags) >= 0.0 and max(play.lags) < GAP / 2, (min(play.lags), max(play.lags))


def test_the_scripts_moments_are_a_gap_apart() -> None:
    """What lets a live moment trail the script's by a fraction of a second without any rule
    seeing it: no two steps, and no step and a session's start, closer than ``GAP``."""
    moments = sorted([a.at for a in SCRIPT.arrivals] + [c.at for c in SCRIPT.calls])
    assert all(later - earlier >= GAP for earlier, later in pairwise(moments))
    sessions = {a.session for a in SCRIPT.arrivals if a.session is not None}
    assert all(abs(m - s) >= GAP for m in moments for s in sessions)


def _twin(scenario: Scenario, streak: int = STREAK) -> list[tuple[int, str]]:
    hall = load_hall(KENDARI)
    hall = dataclasses.replace(hall, queue=dataclasses.replace(hall.queue, priority_max_streak=streak))
    return order(ScriptedDay(hall, DAY, SCRIPT, scenario).run())


def test_the_script_tells_the_rules_apart() -> None:
    """Else agreeing on it would prove little: another dispatch, another streak or another blend
    each gives another call order on this very script."""
    ours = _twin(Scenario())
    assert _twin(Scenario(dispatch="fifo")) != ours
    assert _twin(Scenario(), streak=STREAK + 1) != ours
    assert _twin(Scenario(), streak=STREAK - 1) != ours
    assert _twin(Scenario(blend="check_in")) != ours
