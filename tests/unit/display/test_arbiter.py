"""The arbiter's burst grouping and priority messages: every call said exactly once, in call order,
nothing already begun ever changed, and the zone's voice never overlapping itself."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Literal

import pytest

from antre.hall.model import Announcements
from services.display.domain.announcements import Announcement, Kind, Part
from services.display.domain.arbiter import LOCK, Plan, Policy, stale_deadline
from services.display.domain.wording import Wording
from tests.unit.display.arbiters import Voice

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
GAP = dt.timedelta(seconds=1)
ZONE = "z"


def s(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


def voice(
    group_lag: float = 15,
    group_max: int = 3,
    languages: tuple[Literal["id", "en"], ...] = ("id",),
    stale_after: dt.timedelta | None = None,
) -> Voice:
    wording = Wording(Announcements(languages=languages))
    return Voice(Policy(GAP, s(group_lag), group_max, stale_after=stale_after), wording.calls)


def post(v: Voice, now: dt.datetime, text: str = "Mohon perhatian") -> Plan:
    _, segments, length = Wording(Announcements()).message(None, text, None)
    return v.message(ZONE, text, segments, length, now)


def part(n: int, counter: int, at: dt.datetime, kind: Kind = Kind.CALL) -> Part:
    return Part(f"t{n}", f"A-{n:03d}", counter, kind, at)


def spoken_calls(entries: tuple[Announcement, ...]) -> list[str]:
    return [p.ticket_id for entry in entries for p in entry.calls]


def assert_sound(entries: tuple[Announcement, ...], gap: dt.timedelta = GAP) -> None:
    for a, b in itertools.pairwise(entries):
        assert a.seq < b.seq
        assert b.starts_at >= a.ends_at + gap, (a, b)


def test_calls_that_keep_up_are_never_grouped() -> None:
    v = voice()
    for n in range(1, 6):
        v.call(ZONE, part(n, n, T0 + s(10 * n)), T0 + s(10 * n))
    assert [e.kind for e in v.standing(ZONE)] == [Kind.CALL] * 5


def test_a_burst_is_grouped_into_the_last_waiting_announcement() -> None:
    v = voice(group_lag=10, group_max=3)
    plans = [v.call(ZONE, part(n, n, T0), T0) for n in range(1, 9)]
    standing = v.standing(ZONE)
    # Each call alone lasts 2 + 10 x 0.35 = 5.5 s: the second starts at 6.5 s, the third would
    # start at 13 s, past the lag, so it joins the second (still waiting), and so does the fourth.
    assert [len(e.calls) for e in standing] == [1, 3, 3, 1]
    assert [p.grouped for p in plans] == [False, False, True, True, False, True, True, False]
    assert spoken_calls(standing) == [f"t{n}" for n in range(1, 9)]  # each once, in call order
    assert_sound(standing)
    group = standing[1]
    assert group.kind == Kind.GROUP and group.tokens.count("_chime") == 1
    assert group.text == (
        "Nomor antrean A nol nol dua, silakan menuju loket dua; "
        "nomor antrean A nol nol tiga, silakan menuju loket tiga; "
        "nomor antrean A nol nol empat, silakan menuju loket empat"
    )
    # A group keeps the slot of the entry it grew from and replaces it.
    replaced = {seq for e in v.log(ZONE) for seq in e.replaces}
    assert replaced and all(r not in {e.seq for e in standing} for r in replaced)


def test_grouping_keeps_the_hall_from_falling_behind() -> None:
    calls = 24
    grouped, single = voice(group_lag=10, group_max=4), voice(group_max=1)
    for v in (grouped, single):
        for n in range(1, calls + 1):
            v.call(ZONE, part(n, n % 12 + 1, T0 + s(n * 0.5)), T0 + s(n * 0.5))
    last = {name: v.standing(ZONE)[-1].ends_at - T0 for name, v in (("grouped", grouped), ("single", single))}
    assert last["grouped"] < last["single"] - s(40)  # one chime and gap per group, not per call
    assert spoken_calls(grouped.standing(ZONE)) == [f"t{n}" for n in range(1, calls + 1)]


def test_an_announcement_about_to_begin_is_never_changed() -> None:
    v = voice(group_lag=0)  # group whenever the zone is busy
    first = v.call(ZONE, part(1, 1, T0), T0).entries[0]
    # The second call comes while the first is being said: it cannot join it.
    v.call(ZONE, part(2, 2, T0 + s(1)), T0 + s(1))
    # The third comes when the second is due within the lock: it cannot join that one either.
    second = v.standing(ZONE)[1]
    now = second.starts_at - LOCK + s(0.5)
    v.call(ZONE, part(3, 3, now), now)
    assert [len(e.calls) for e in v.standing(ZONE)] == [1, 1, 1]
    assert v.standing(ZONE)[0] == first


def test_group_max_one_never_groups() -> None:
    v = voice(group_lag=0, group_max=1)
    for n in range(1, 6):
        v.call(ZONE, part(n, n, T0), T0)
    assert [len(e.calls) for e in v.standing(ZONE)] == [1] * 5


def test_a_bilingual_group_says_every_call_in_indonesian_then_english() -> None:
    v = voice(group_lag=0, languages=("id", "en"))
    for n in (1, 2, 3):
        v.call(ZONE, part(n, 2 * n, T0), T0)
    group = v.standing(ZONE)[-1]
    assert [seg.lang for seg in group.spoken] == ["id", "en"]
    assert group.spoken[1].text == (
        "Number A zero zero two, please go to counter four; "
        "number A zero zero three, please go to counter six"
    )


def test_a_message_goes_ahead_of_waiting_calls_but_never_cuts_one() -> None:
    v = voice(group_max=1)
    for n in range(1, 5):
        v.call(ZONE, part(n, n, T0), T0)
    now = T0 + s(2)  # the first call is being said
    wording = Wording(Announcements())
    text, segments, length = wording.message("break", None, 3)
    plan = v.message(ZONE, text, segments, length, now)
    standing = v.standing(ZONE)
    assert [e.kind for e in standing] == [Kind.CALL, Kind.MESSAGE, Kind.CALL, Kind.CALL, Kind.CALL]
    assert standing[1].text == "Loket tiga istirahat sebentar"
    assert standing[0].seq == 1  # the one being said stands as it was
    assert standing[1].starts_at == standing[0].ends_at + GAP
    assert spoken_calls(standing) == ["t1", "t2", "t3", "t4"]
    assert_sound(standing)
    assert len(plan.replaced) == 3  # the three waiting calls moved back


def test_messages_keep_their_order_among_themselves() -> None:
    v = voice(group_max=1)
    for n in range(1, 4):
        v.call(ZONE, part(n, n, T0), T0)
    now = T0 + s(1)
    for text in ("Mohon perhatian satu", "Mohon perhatian dua"):
        _, segments, length = Wording(Announcements()).message(None, text, None)
        v.message(ZONE, text, segments, length, now)
    kinds = [(e.kind, e.text.split()[-1]) for e in v.standing(ZONE)]
    assert [k for k, _ in kinds] == [Kind.CALL, Kind.MESSAGE, Kind.MESSAGE, Kind.CALL, Kind.CALL]
    assert [t for k, t in kinds if k == Kind.MESSAGE] == ["satu", "dua"]
    assert_sound(v.standing(ZONE))


def test_calls_after_a_message_are_not_grouped_into_it() -> None:
    v = voice(group_lag=0)
    v.call(ZONE, part(1, 1, T0), T0)
    _, segments, length = Wording(Announcements()).message(None, "Mohon perhatian", None)
    v.message(ZONE, "Mohon perhatian", segments, length, T0)
    v.call(ZONE, part(2, 2, T0), T0)
    assert [e.kind for e in v.standing(ZONE)] == [Kind.CALL, Kind.MESSAGE, Kind.CALL]


@pytest.mark.parametrize("seed", range(20))
def test_random_bursts_and_messages_keep_every_promise(seed: int) -> None:
    rng = random.Random(seed)
    v = voice(group_lag=rng.choice([0, 5, 15]), group_max=rng.randint(1, 4))
    now, n = T0, 0
    for _ in range(60):
        now += s(rng.expovariate(0.8))
        standing_before = {e.seq: e for e in v.standing(ZONE)}
        if rng.random() < 0.1:
            _, segments, length = Wording(Announcements()).message(None, "Mohon perhatian", None)
            plan = v.message(ZONE, "Mohon perhatian", segments, length, now)
        else:
            n += 1
            kind = Kind.RECALL if rng.random() < 0.15 else Kind.CALL
            plan = v.call(ZONE, part(n, rng.randint(1, 20), now, kind), now)
        # Nothing that began, or begins within the lock, was replaced.
        for seq in plan.replaced:
            assert standing_before[seq].starts_at > now + LOCK
        standing = v.standing(ZONE)
        assert_sound(standing)
        said_before = spoken_calls(standing)
        assert said_before == [f"t{k}" for k in range(1, n + 1)]
        assert all(e.starts_at >= e.created_at for e in standing)


# ---- messages never silence a call ----

STALE = s(30)


def test_thirty_messages_never_push_a_waiting_call_past_its_stale_age() -> None:
    """One officer's thirty messages used to push another agency's call minutes out, where it
    went stale and was never said. Messages go ahead of it only while it stays in time."""
    v = voice(group_max=1, stale_after=STALE)
    for n in (1, 2):
        v.call(ZONE, part(n, n, T0), T0)
    for k in range(30):
        post(v, T0 + s(1), f"Mohon perhatian {k}")
    standing = v.standing(ZONE)
    call = next(e for e in standing if e.calls and e.calls[0].ticket_id == "t2")
    assert call.starts_at <= T0 + STALE  # said while the citizen still listens
    assert [e.kind for e in standing].count(Kind.MESSAGE) == 30  # every message still said
    messages = [e.text.split()[-1] for e in standing if e.kind == Kind.MESSAGE]
    assert messages == [str(k) for k in range(30)]  # in the order posted
    assert standing.index(call) > 1  # the first messages did go ahead of it
    assert_sound(standing)


def test_a_call_behind_waiting_messages_goes_ahead_of_enough_of_them() -> None:
    v = voice(stale_after=STALE)
    for k in range(20):
        post(v, T0, f"Mohon perhatian {k}")
    plan = v.call(ZONE, part(1, 3, T0 + s(5)), T0 + s(5))
    standing = v.standing(ZONE)
    call = next(e for e in standing if e.calls)
    assert call.starts_at <= T0 + s(5) + STALE
    assert plan.replaced  # the messages behind it moved back, each said once
    assert [e.text.split()[-1] for e in standing if e.kind == Kind.MESSAGE] == [str(k) for k in range(20)]
    # As late as still in time: the messages that fit before its deadline stay ahead of it.
    assert standing.index(call) > 0
    assert_sound(standing)


def test_without_a_stale_age_messages_go_ahead_of_every_call() -> None:
    v = voice(group_max=1)
    v.call(ZONE, part(1, 1, T0), T0)
    v.call(ZONE, part(2, 2, T0), T0)
    for k in range(10):
        post(v, T0 + s(1), f"Mohon perhatian {k}")
    assert [e.kind for e in v.standing(ZONE)][-1] == Kind.CALL


def test_a_call_already_past_its_deadline_does_not_hold_messages_back() -> None:
    v = voice(group_max=1, stale_after=STALE)
    late = T0 - s(120)  # a backlog replayed after an outage: stale whatever happens
    v.call(ZONE, part(1, 1, T0), T0)
    v.call(ZONE, part(2, 2, late), T0)
    post(v, T0 + s(1))
    assert [e.kind for e in v.standing(ZONE)] == [Kind.CALL, Kind.MESSAGE, Kind.CALL]


@pytest.mark.parametrize("seed", range(20))
def test_random_messages_never_push_a_call_past_its_deadline(seed: int) -> None:
    rng = random.Random(seed)
    v = voice(group_lag=rng.choice([0, 5, 15]), group_max=rng.randint(1, 4), stale_after=STALE)
    now, n = T0, 0
    for _ in range(80):
        now += s(rng.expovariate(1.5))
        before = {e.seq: e for e in v.standing(ZONE)}
        if rng.random() < 0.4:
            plan = post(v, now)
            for entry in plan.entries[1:]:
                old = before[entry.replaces[0]]
                deadline = stale_deadline(old, STALE)
                if deadline is not None and old.starts_at <= deadline:
                    assert entry.starts_at <= deadline, (old, entry)
        else:
            n += 1
            v.call(ZONE, part(n, rng.randint(1, 20), now), now)
        standing = v.standing(ZONE)
        assert_sound(standing)
        assert spoken_calls(standing) == [f"t{k}" for k in range(1, n + 1)]
        assert all(e.starts_at >= e.created_at for e in standing)
