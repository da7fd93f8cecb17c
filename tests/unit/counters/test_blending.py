"""The blend policies and their promises, alone and composed with the priority lane."""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import random
from collections.abc import Callable, Sequence
from typing import Literal

import pytest

from antre.hall.model import Booking, Hall, QueueRules, Service, Session
from antre.problems import Invalid
from services.counters.domain import dispatch
from services.counters.domain.blending import (
    Blended,
    BlendPolicy,
    CheckIn,
    CounterState,
    NearSlot,
    Ratio,
    booked_in_session_order,
    check_in_key,
    choose,
    counter_policy,
    effective_time,
    next_ratio_state,
    next_state,
    policy_of,
    position,
)
from services.counters.domain.dispatch import Candidate

T0 = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)  # 08:00 WITA
LANE = QueueRules(dispatch="priority_lane", priority_max_streak=3)
FIFO = QueueRules(dispatch="fifo")
POLICIES: list[BlendPolicy] = [CheckIn(), NearSlot(), NearSlot(dt.timedelta(minutes=20)), Ratio(1), Ratio(3)]


def minute(m: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=m)


def walk_in(name: str, at: float, priority: bool = False, service: str = "ktp-el") -> Blended:
    return Blended(Candidate(name, service, priority, minute(at)))


def booked(name: str, at: float, session: float, priority: bool = False, service: str = "ktp-el") -> Blended:
    return Blended.of(Candidate(name, service, priority, minute(at)), minute(session))


def ids(tickets: Sequence[Blended | None]) -> list[str | None]:
    return [t.ticket_id if t else None for t in tickets]


def drain(
    waiting: list[Blended], policy: BlendPolicy, rules: QueueRules, now: dt.datetime, state: CounterState
) -> list[str]:
    """Call everything at one counter at ``now``, in order."""
    pool, order = list(waiting), []
    while pool:
        pick = choose(pool, state, policy, rules, now)
        assert pick is not None
        state = next_state(pick, pool, state, policy, rules)
        pool.remove(pick)
        order.append(pick.ticket_id)
    return order


# ---- the ticket as blending sees it ----


def test_booked_means_checked_in_by_the_session_start() -> None:
    on_time = booked("b", at=-10, session=0)
    at_start = booked("s", at=0, session=0)
    late = booked("l", at=5, session=0)
    assert on_time.booked and at_start.booked
    assert not late.booked and late.session_start is None  # late: a walk-in from check-in
    assert effective_time(on_time) == minute(0) and effective_time(late) == minute(5)
    with pytest.raises(ValueError):
        Blended(Candidate("x", "ktp-el", False, T0), booked=True)


# ---- (a) check-in order ----


def test_check_in_is_one_line_in_check_in_order() -> None:
    waiting = [booked("b1", at=-20, session=30), walk_in("w1", at=-10), booked("b2", at=-5, session=0)]
    assert drain(waiting, CheckIn(), FIFO, minute(0), CounterState()) == ["b1", "w1", "b2"]


# ---- (b) near the session ----


def test_near_slot_counts_a_booking_from_its_session_start() -> None:
    waiting = [
        booked("b9", at=-25, session=60),  # checked in early for 09:00
        walk_in("w1", at=-20),
        booked("b8", at=-15, session=0),
        walk_in("w2", at=0),  # same moment as b8's session: booked first
        walk_in("w3", at=5),
    ]
    assert drain(waiting, NearSlot(), FIFO, minute(10), CounterState()) == ["w1", "b8", "w2", "w3", "b9"]


def test_a_walk_in_who_came_before_the_session_goes_first() -> None:
    """Near the slot, not ahead of it: walk-ins already there when the session starts keep their
    place; only those after it go behind."""
    waiting = [walk_in("w_before", at=-1), booked("b", at=-20, session=0), walk_in("w_after", at=1)]
    assert drain(waiting, NearSlot(), FIFO, minute(2), CounterState()) == ["w_before", "b", "w_after"]


def test_with_a_bound_an_overdue_booking_waits_for_no_walk_in() -> None:
    waiting = [walk_in(f"w{i}", at=-30 + i) for i in range(10)] + [booked("b", at=-10, session=0)]
    bound = NearSlot(dt.timedelta(minutes=20))
    assert ids([choose(waiting, CounterState(), bound, FIFO, minute(19))]) == ["w0"]
    assert ids([choose(waiting, CounterState(), bound, FIFO, minute(20))]) == ["b"]
    assert ids([choose(waiting, CounterState(), NearSlot(), FIFO, minute(60))]) == ["w0"]


def test_overdue_bookings_keep_their_session_order() -> None:
    waiting = [booked("b9", at=50, session=60), booked("b8", at=-5, session=0), walk_in("w", at=-40)]
    bound = NearSlot(dt.timedelta(minutes=10))
    assert drain(waiting, bound, FIFO, minute(80), CounterState()) == ["b8", "b9", "w"]


# ---- (c) ratio ----


def test_ratio_makes_k_booked_calls_per_walk_in_call() -> None:
    waiting = [booked(f"b{i}", at=-30 + i, session=0) for i in range(6)] + [
        walk_in(f"w{i}", at=-60 + i) for i in range(4)
    ]
    order = drain(waiting, Ratio(2), LANE, minute(0), CounterState())
    assert order == ["b0", "b1", "w0", "b2", "b3", "w1", "b4", "b5", "w2", "w3"]


def test_ratio_streak_counts_booked_calls_while_a_walk_in_waits() -> None:
    b, w = booked("b", at=-5, session=0), walk_in("w", at=-9)
    assert next_ratio_state(b, [b, w], 1) == 2
    assert next_ratio_state(b, [b], 1) == 0  # nobody was passed over
    assert next_ratio_state(w, [b, w], 2) == 0


def test_ratio_calls_either_stream_alone_in_its_order() -> None:
    only_booked = [booked("b9", at=-2, session=60), booked("b8", at=-1, session=0)]
    assert ids([choose(only_booked, CounterState(booked_streak=99), Ratio(2), LANE, T0)]) == ["b8"]
    only_walk_ins = [walk_in("w2", at=-1), walk_in("w1", at=-2)]
    assert ids([choose(only_walk_ins, CounterState(), Ratio(2), LANE, T0)]) == ["w1"]


def test_a_priority_call_does_not_interrupt_the_ratio() -> None:
    regular = [booked("b1", at=-5, session=0), walk_in("w1", at=-9)]
    state = CounterState(booked_streak=1)
    after = next_state(
        walk_in("p", at=-1, priority=True),
        [*regular, walk_in("p", at=-1, priority=True)],
        state,
        Ratio(2),
        LANE,
    )
    assert after.booked_streak == 1 and after.priority_streak == 1


# ---- composed with the priority lane ----


def test_priority_still_goes_first_and_blending_orders_each_lane() -> None:
    waiting = [
        walk_in("w1", at=-30),
        booked("b1", at=-20, session=0),
        walk_in("pw", at=-10, priority=True),
        booked("pb", at=-25, session=0, priority=True),
        walk_in("pw2", at=5, priority=True),
    ]
    # Priority lane under near_slot: pb (from 08:00) after pw (07:50); pw2 after both.
    assert drain(waiting, NearSlot(), LANE, minute(10), CounterState()) == ["pw", "pb", "pw2", "w1", "b1"]


def test_the_priority_streak_limit_holds_under_every_policy() -> None:
    rules = QueueRules(dispatch="priority_lane", priority_max_streak=2)
    waiting = [walk_in(f"p{i}", at=i, priority=True) for i in range(6)] + [booked("b", at=-5, session=0)]
    for policy in POLICIES:
        order = drain(waiting, policy, rules, minute(10), CounterState())
        assert order[:3] == ["p0", "p1", "b"], policy


def heads(waiting: list[Blended], policy: BlendPolicy, rules: QueueRules) -> list[Blended]:
    """What the store reads: the first of each of the four streams, walk-ins by check-in and the
    booked in the order :func:`booked_in_session_order` gives their lane."""
    out = []
    for prio in (False, True):
        walk_ins = [t for t in waiting if t.priority == prio and not t.booked]
        out += [min(walk_ins, key=check_in_key)] if walk_ins else []
        booked_ = [t for t in waiting if t.priority == prio and t.booked]
        by_session = booked_in_session_order(policy, rules, prio)
        key = (lambda t: (t.session_start, *check_in_key(t))) if by_session else check_in_key
        out += [min(booked_, key=key)] if booked_ else []
    return out


@pytest.mark.parametrize("rules", [LANE, FIFO, QueueRules(dispatch="priority_lane", priority_max_streak=1)])
def test_the_streams_heads_make_the_same_choice_as_the_whole_queue(rules: QueueRules) -> None:
    """Booked citizens of a priority group included: under ratio they are in the priority lane,
    which keeps check-in order, so that stream is read in check-in order."""
    rng = random.Random(7)
    for _ in range(400):
        waiting = []
        for i in range(rng.randint(1, 12)):
            prio = rng.random() < 0.4
            at = rng.uniform(-40, 30)
            if rng.random() < 0.5:
                session = rng.choice([-30.0, -15.0, 0.0, 15.0, 30.0])
                waiting.append(booked(f"t{i}", at=min(at, session), session=session, priority=prio))
            else:
                waiting.append(walk_in(f"t{i}", at=at, priority=prio))
        state = CounterState(rng.randint(0, 3), rng.randint(0, 3))
        now = minute(rng.uniform(0, 60))
        for policy in POLICIES:
            whole = choose(waiting, state, policy, rules, now)
            assert choose(heads(waiting, policy, rules), state, policy, rules, now) is whole, policy


# ---- a simulated day ----


@dataclasses.dataclass(frozen=True)
class Call:
    at: dt.datetime
    counter: int
    ticket: Blended
    waiting: tuple[Blended, ...]  # as seen when choosing, the called ticket included


def simulate(
    arrivals: list[Blended],
    pick: Callable[[list[Blended], object, dt.datetime], Blended | None],
    advance: Callable[[Blended, list[Blended], object], object],
    start: object,
    counters: int,
    rng: random.Random,
) -> list[Call]:
    """Counters call as soon as they are free (service 2-12 minutes) from everyone who has arrived;
    each counter keeps its own state."""
    pending = sorted(arrivals, key=lambda t: t.candidate.queued_at)
    waiting: list[Blended] = []
    states = {c: start for c in range(counters)}
    free = [(pending[0].candidate.queued_at, c) for c in range(counters)]
    heapq.heapify(free)
    calls: list[Call] = []
    while pending or waiting:
        now, counter = heapq.heappop(free)
        while pending and pending[0].candidate.queued_at <= now:
            waiting.append(pending.pop(0))
        chosen = pick(waiting, states[counter], now) if waiting else None
        if chosen is None:
            heapq.heappush(free, (pending[0].candidate.queued_at if pending else now, counter))
            continue
        calls.append(Call(now, counter, chosen, tuple(waiting)))
        states[counter] = advance(chosen, waiting, states[counter])
        waiting.remove(chosen)
        heapq.heappush(free, (now + dt.timedelta(minutes=rng.uniform(2, 12)), counter))
    return calls


def random_day(rng: random.Random, with_bookings: bool, services: int = 2) -> list[Blended]:
    """Walk-ins from 07:30 for six hours; bookings in hourly sessions from 08:00, checking in
    from 30 minutes early to 15 minutes late; one in eight of each a priority group."""
    day: list[Blended] = []
    for i in range(rng.randint(20, 90)):
        service = f"s{rng.randrange(services)}"
        day.append(walk_in(f"w{i}", rng.uniform(-30, 330), rng.random() < 0.125, service))
    if with_bookings:
        for i in range(rng.randint(5, 60)):
            session = 60 * rng.randrange(6)
            service = f"s{rng.randrange(services)}"
            day.append(
                booked(f"b{i}", session + rng.uniform(-30, 15), session, rng.random() < 0.125, service)
            )
    return day


def blended_run(
    policy: BlendPolicy, rules: QueueRules
) -> tuple[Callable[..., Blended | None], Callable[..., object]]:
    def pick(waiting: list[Blended], state: object, now: dt.datetime) -> Blended | None:
        assert isinstance(state, CounterState)
        return choose(waiting, state, policy, rules, now)

    def advance(chosen: Blended, waiting: list[Blended], state: object) -> CounterState:
        assert isinstance(state, CounterState)
        return next_state(chosen, waiting, state, policy, rules)

    return pick, advance


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
@pytest.mark.parametrize(
    "rules", [LANE, FIFO, QueueRules(priority_max_streak=1)], ids=["lane3", "fifo", "lane1"]
)
def test_without_bookings_every_policy_calls_exactly_as_today(policy: BlendPolicy, rules: QueueRules) -> None:
    today = dispatch.policy_for(rules)

    def pick_today(waiting: list[Blended], streak: object, now: dt.datetime) -> Blended | None:
        assert isinstance(streak, int)
        found = today([t.candidate for t in waiting], streak)
        return next((t for t in waiting if t.candidate == found), None)

    def advance_today(chosen: Blended, waiting: list[Blended], streak: object) -> int:
        assert isinstance(streak, int)
        return dispatch.next_streak(chosen.candidate, [t.candidate for t in waiting], streak)

    pick, advance = blended_run(policy, rules)
    for seed in range(60):
        arrivals = random_day(random.Random(seed), with_bookings=False)
        expected = simulate(arrivals, pick_today, advance_today, 0, 3, random.Random(seed))
        got = simulate(arrivals, pick, advance, CounterState(), 3, random.Random(seed))
        assert [(c.at, c.counter, c.ticket.ticket_id) for c in got] == [
            (c.at, c.counter, c.ticket.ticket_id) for c in expected
        ], seed
        for call in got:
            me = call.ticket
            assert position(me, call.waiting, policy, rules, call.at) == dispatch.position(
                me.candidate, [t.candidate for t in call.waiting], rules
            )


def same_lane(a: Blended, b: Blended, rules: QueueRules) -> bool:
    return rules.dispatch == "fifo" or a.priority == b.priority


@pytest.mark.parametrize("bound", [None, dt.timedelta(minutes=10), dt.timedelta(minutes=30)])
@pytest.mark.parametrize("rules", [LANE, FIFO], ids=["lane", "fifo"])
def test_near_slot_promise_over_random_days(bound: dt.timedelta | None, rules: QueueRules) -> None:
    """A citizen who checked in on time is never passed over by a walk-in of their lane who came
    at or after their session's start; with a bound, by no walk-in of their lane once their session
    started ``bound`` ago. Checking in early gains nothing: a booked citizen is not called ahead of
    a walk-in of their lane who came before their session started (unless overdue). And the
    priority streak limit still holds."""
    policy = NearSlot(bound)
    pick, advance = blended_run(policy, rules)
    passed_over_by_early_walk_ins = 0
    for seed in range(100):
        rng = random.Random(seed)
        calls = simulate(
            random_day(rng, with_bookings=True), pick, advance, CounterState(), rng.randint(1, 3), rng
        )
        run: dict[int, int] = {}
        for call in calls:
            x = call.ticket
            if (
                x.booked
                and x.session_start is not None
                and (bound is None or call.at - x.session_start < bound)
            ):
                assert not any(
                    not w.booked and same_lane(w, x, rules) and w.candidate.queued_at < x.session_start
                    for w in call.waiting
                ), (seed, x)
            for b in call.waiting:
                if b is x or not b.booked or x.booked or not same_lane(b, x, rules):
                    continue
                assert b.session_start is not None
                assert x.candidate.queued_at < b.session_start, (seed, x, b)
                if bound is not None:
                    assert call.at - b.session_start < bound, (seed, x, b)
                passed_over_by_early_walk_ins += 1
            regular_waiting = any(not t.priority for t in call.waiting)
            run[call.counter] = run.get(call.counter, 0) + 1 if x.priority and regular_waiting else 0
            if rules.dispatch == "priority_lane":
                assert run[call.counter] <= rules.priority_max_streak
    assert passed_over_by_early_walk_ins > 0  # the days were busy enough to test something


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("rules", [LANE, FIFO], ids=["lane", "fifo"])
def test_ratio_promise_over_random_days(k: int, rules: QueueRules) -> None:
    """At each counter, in the main line: never more than k booked calls in a row while a walk-in
    waits in it, and after a walk-in call the next call is booked if a booked ticket waits."""
    pick, advance = blended_run(Ratio(k), rules)
    contended = 0
    for seed in range(100):
        rng = random.Random(seed)
        calls = simulate(
            random_day(rng, with_bookings=True), pick, advance, CounterState(), rng.randint(1, 3), rng
        )
        booked_run: dict[int, int] = {}
        last_main_was_walk_in: dict[int, bool] = {}
        for call in calls:
            x = call.ticket
            if rules.dispatch == "priority_lane" and x.priority:
                continue  # priority lane: check-in order, the ratio is the main line's
            main = [t for t in call.waiting if rules.dispatch == "fifo" or not t.priority]
            booked_waits = any(t.booked for t in main)
            walk_in_waits = any(not t.booked for t in main)
            if x.booked and walk_in_waits:
                booked_run[call.counter] = booked_run.get(call.counter, 0) + 1
                contended += 1
            else:
                booked_run[call.counter] = 0
            assert booked_run[call.counter] <= k, seed
            if last_main_was_walk_in.get(call.counter) and booked_waits:
                assert x.booked, seed
            last_main_was_walk_in[call.counter] = not x.booked
    assert contended > 0


def test_ratio_gives_k_to_one_while_both_streams_are_long() -> None:
    waiting = [booked(f"b{i:02d}", at=-30, session=0) for i in range(30)] + [
        walk_in(f"w{i:02d}", at=-40 + i) for i in range(30)
    ]
    order = drain(waiting, Ratio(3), LANE, minute(0), CounterState())
    head = order[:40]
    assert sum(1 for t in head if t.startswith("b")) == 30 and head[3::4] == [f"w{i:02d}" for i in range(10)]


# ---- position ----


def test_position_under_near_slot_counts_walk_ins_before_the_session() -> None:
    b = booked("b", at=-20, session=0)
    waiting = [walk_in("w_before", at=-10), b, walk_in("w_after", at=5)]
    assert position(b, waiting, NearSlot(), LANE, minute(6)) == 2
    assert position(waiting[2], waiting, NearSlot(), LANE, minute(6)) == 3
    assert position(b, waiting, CheckIn(), LANE, minute(6)) == 1


def test_position_under_ratio_errs_late() -> None:
    bs = [booked(f"b{i}", at=-30 + i, session=0) for i in range(5)]
    ws = [walk_in(f"w{i}", at=-60 + i) for i in range(3)]
    waiting = bs + ws
    # w1: w0 ahead, and two booked calls before each of w0 and w1.
    assert position(ws[1], waiting, Ratio(2), LANE, T0) == 1 + 1 + 4
    # b2: b0, b1 ahead, and the walk-ins' turn first, then one after b0 b1: w0 and w1.
    assert position(bs[2], waiting, Ratio(2), LANE, T0) == 1 + 2 + 2
    # Never earlier than the calls really made at one counter from any state.
    for streak in range(3):
        order = drain(waiting, Ratio(2), LANE, T0, CounterState(booked_streak=streak))
        for t in waiting:
            assert order.index(t.ticket_id) + 1 <= position(t, waiting, Ratio(2), LANE, T0)


# ---- from the hall file ----


def test_policies_from_the_kendari_hall(kendari: Hall) -> None:
    def services(number: int) -> list[Service]:
        counter = kendari.counter(number)
        assert counter is not None
        return [s for s in kendari.services if s.code in counter.services]

    assert counter_policy(services(1)) == NearSlot()  # ktp-el
    assert counter_policy(services(6)) == NearSlot()  # ktp-el beside walk-in-only services
    assert counter_policy(services(15)) == Ratio(2)  # skck
    assert counter_policy(services(3)) == CheckIn()  # walk-in only


def test_a_counter_mixing_blend_policies_is_refused(kendari: Hall) -> None:
    ktp, skck = kendari.service("ktp-el"), kendari.service("skck")
    assert ktp is not None and skck is not None
    with pytest.raises(Invalid) as mixed:
        counter_policy([ktp, skck])
    assert mixed.value.code == "blend_mixed"


def test_policy_of_each_blend() -> None:
    def booking(blend: Literal["check_in", "near_slot", "ratio"], ratio: int = 2, bound: int = 0) -> Booking:
        return Booking(
            sessions=(Session(dt.time(8), dt.time(9), 1),),
            daily_quota=2,
            online_quota=1,
            blend=blend,
            ratio=ratio,
            near_slot_bound_minutes=bound,
        )

    assert policy_of(None) == CheckIn()
    assert policy_of(booking("check_in")) == CheckIn()
    assert policy_of(booking("near_slot")) == NearSlot()
    assert policy_of(booking("near_slot", bound=5)) == NearSlot(dt.timedelta(minutes=5))
    assert policy_of(booking("ratio", 4)) == Ratio(4)
    with pytest.raises(ValueError):
        Ratio(0)
