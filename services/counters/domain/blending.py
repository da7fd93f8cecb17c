"""How booked and walk-in tickets share a counter: the blend policy a service chooses in the hall
file (``booking.blend``), composed with the priority lane of :mod:`.dispatch`.

Two steps per call, so the priority promises of :mod:`.dispatch` hold unchanged:

1. **Which lane.** Under ``priority_lane`` dispatch the UU 25/2009 priority groups go first, but
   never more than ``priority_max_streak`` priority calls in a row while a regular ticket waits
   (exactly :class:`.dispatch.PriorityLane`). Under ``fifo`` dispatch there is one line. The
   regular lane, or the one line under ``fifo``, is the *main line*.
2. **Which ticket in the lane.** The blend policy:

   - :class:`CheckIn` (``check_in``): check-in order, booked or not: FIFO on the queue time.
   - :class:`NearSlot` (``near_slot``): a booked ticket counts from its session's start, a walk-in
     from its arrival (:func:`effective_time`); earliest first, a booked ticket first on a tie.
     *Promises*: a citizen who checked in on time is called before every walk-in of their lane
     who joined at or after their session's start, so their wait past the session's start is
     bounded by the work already ahead of them at that moment (tickets of the lane that joined
     by then), plus the priority lane's calls when they are in the regular lane. Checking in
     early gains nothing: they are not called ahead of a walk-in of their lane who came before
     their session started (this is what sets it apart from ``check_in``, which also keeps the
     first promise). With a ``bound``, once their session started ``bound`` ago or more, no
     walk-in of their lane is called before them at all: walk-ins wait while they are served.
   - :class:`Ratio` (``ratio``): in the main line, ``k`` booked calls per walk-in call while both
     wait; a counter-level streak (:func:`next_ratio_state`) like the priority streak. Booked
     tickets go in session order, walk-ins in arrival order. The priority lane, served first and
     short, keeps check-in order.

Without booked tickets every policy makes exactly the choices of :func:`.dispatch.fifo` and
:class:`.dispatch.PriorityLane`, so a hall without bookings sees no change.

A ticket is *booked* when it came from a booking checked in on time (by its session's start).
A late check-in joins as a walk-in at its check-in time (ticketing's late rule), so it carries no
session here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from antre.hall.model import Booking, QueueRules, Service
from antre.problems import Invalid

from .dispatch import Candidate, next_streak


@dataclass(frozen=True)
class Blended:
    """A waiting ticket as a blend policy sees it. ``session_start`` is set exactly for booked
    tickets."""

    candidate: Candidate
    booked: bool = False
    session_start: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.booked != (self.session_start is not None):
            raise ValueError("a booked ticket has a session start, a walk-in has none")

    @classmethod
    def of(cls, candidate: Candidate, session_start: dt.datetime | None) -> Blended:
        """From what the queue stores: a ticket with a session is booked when it joined the queue
        by the session's start (checked in on time); otherwise it is a walk-in."""
        if session_start is not None and candidate.queued_at <= session_start:
            return cls(candidate, True, session_start)
        return cls(candidate)

    @property
    def ticket_id(self) -> str:
        return self.candidate.ticket_id

    @property
    def priority(self) -> bool:
        return self.candidate.priority


@dataclass(frozen=True)
class CheckIn:
    """``check_in``: one line in check-in order."""


@dataclass(frozen=True)
class NearSlot:
    """``near_slot``: booked tickets from their session's start; ``bound`` (None: none) after
    which an on-time booked ticket waits for no walk-in of its lane."""

    bound: dt.timedelta | None = None


@dataclass(frozen=True)
class Ratio:
    """``ratio``: ``k`` booked calls per walk-in call while both wait in the main line."""

    k: int = 2

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("a ratio needs at least one booked call per walk-in call")


BlendPolicy = CheckIn | NearSlot | Ratio


@dataclass(frozen=True)
class CounterState:
    """What a counter remembers between calls (the station row): the priority streak of
    :func:`.dispatch.next_streak` and the booked streak of :func:`next_ratio_state`."""

    priority_streak: int = 0
    booked_streak: int = 0


# ---- orders within a lane ----


def effective_time(ticket: Blended) -> dt.datetime:
    """When a ticket counts as having joined under ``near_slot``: its session's start if booked
    (an on-time ticket joined by then), else its queue time."""
    return ticket.session_start if ticket.session_start is not None else ticket.candidate.queued_at


def check_in_key(ticket: Blended) -> tuple[dt.datetime, str]:
    return ticket.candidate.queued_at, ticket.ticket_id


def near_slot_key(
    ticket: Blended, now: dt.datetime, bound: dt.timedelta | None = None
) -> tuple[int, dt.datetime, int, dt.datetime, str]:
    """Overdue booked tickets (session started ``bound`` ago or more) first; then by effective
    time, booked first on a tie, then queue time and id. A store fetching a lane's heads orders
    each stream by this key's tail: booked by (session_start, queued_at, id), walk-ins by
    (queued_at, id)."""
    candidate, start = ticket.candidate, ticket.session_start
    effective = start if start is not None else candidate.queued_at  # effective_time, inline: hot
    overdue = ticket.booked and bound is not None and now - effective >= bound
    return (
        0 if overdue else 1,
        effective,
        0 if ticket.booked else 1,
        candidate.queued_at,
        candidate.ticket_id,
    )


def _booked_key(ticket: Blended) -> tuple[dt.datetime, dt.datetime, str]:
    return effective_time(ticket), ticket.candidate.queued_at, ticket.ticket_id


def pick_ratio(lane: Sequence[Blended], streak: int, k: int) -> Blended | None:
    """The main line under ``ratio``: booked while fewer than ``k`` booked calls were made in a row
    with a walk-in waiting, else the walk-in; either stream alone is called in its order."""
    booked = min((t for t in lane if t.booked), key=_booked_key, default=None)
    walk_in = min((t for t in lane if not t.booked), key=check_in_key, default=None)
    if booked is None or walk_in is None:
        return booked or walk_in
    return booked if streak < k else walk_in


def next_ratio_state(chosen: Blended, waiting: Sequence[Blended], streak: int) -> int:
    """Booked calls in a row made while a walk-in waited in the same line; a walk-in call, or a
    booked call with no walk-in waiting, resets it (as :func:`.dispatch.next_streak` does)."""
    if chosen.booked and any(not t.booked for t in waiting):
        return streak + 1
    return 0


# ---- a counter's choice ----


def booked_in_session_order(policy: BlendPolicy, rules: QueueRules, priority: bool) -> bool:
    """Whether a lane's booked tickets wait in session order (else in check-in order), as
    :func:`choose` takes them: under ``check_in`` never; under ``ratio`` the priority lane keeps
    check-in order (a booked citizen of a priority group is in it); otherwise by session. A store
    that reads each stream's heads orders the booked streams by this."""
    if isinstance(policy, CheckIn):
        return False
    return not (isinstance(policy, Ratio) and priority and rules.dispatch != "fifo")


def _lanes(waiting: Sequence[Blended], rules: QueueRules) -> tuple[list[Blended], list[Blended]]:
    """(priority lane, main line); under ``fifo`` the priority lane is empty."""
    if rules.dispatch == "fifo":
        return [], list(waiting)
    return [t for t in waiting if t.priority], [t for t in waiting if not t.priority]


def _in_lane(
    lane: Sequence[Blended], main: bool, policy: BlendPolicy, state: CounterState, now: dt.datetime
) -> Blended | None:
    if isinstance(policy, NearSlot):
        bound = policy.bound
        if bound is None and len(lane) == 1:  # without a bound the key cannot fail: the one is it
            return lane[0]
        # min() by near_slot_key, the first of equals, written out: no closure per call.
        best: Blended | None = None
        best_key: tuple[int, dt.datetime, int, dt.datetime, str] | None = None
        for t in lane:
            key = near_slot_key(t, now, bound)
            if best_key is None or key < best_key:
                best, best_key = t, key
        return best
    if isinstance(policy, Ratio) and main:
        return pick_ratio(lane, state.booked_streak, policy.k)
    return min(lane, key=check_in_key, default=None)


def choose(
    waiting: Sequence[Blended],
    state: CounterState,
    policy: BlendPolicy,
    rules: QueueRules,
    now: dt.datetime,
) -> Blended | None:
    """The ticket a counter calls next among ``waiting`` (callable tickets of its services, today's
    only): the lane by the priority rules, then the blend policy within it."""
    priority, main = _lanes(waiting, rules)
    if priority and (not main or state.priority_streak < rules.priority_max_streak):
        return _in_lane(priority, False, policy, state, now)
    return _in_lane(main, True, policy, state, now)


def next_state(
    chosen: Blended,
    waiting: Sequence[Blended],
    state: CounterState,
    policy: BlendPolicy,
    rules: QueueRules,
) -> CounterState:
    """The counter's state after calling ``chosen`` from ``waiting`` (as seen when choosing). The
    priority streak follows :func:`.dispatch.next_streak` as today. The booked streak moves only
    on main-line calls under ``ratio`` (a priority call between two regular calls interrupts no
    ratio) and is 0 under the other policies."""
    candidate = chosen.candidate
    # next_streak reads the others only after a priority call; a regular call resets it anyway.
    others = [t.candidate for t in waiting] if candidate.priority else []
    priority_streak = next_streak(candidate, others, state.priority_streak)
    booked_streak = 0
    if isinstance(policy, Ratio):
        _, main = _lanes(waiting, rules)
        on_main = rules.dispatch == "fifo" or not chosen.priority
        booked_streak = (
            next_ratio_state(chosen, main, state.booked_streak) if on_main else state.booked_streak
        )
    if priority_streak == state.priority_streak and booked_streak == state.booked_streak:
        return state  # the same value (frozen): no new object on most calls
    return CounterState(priority_streak, booked_streak)


def position(
    me: Blended, waiting: Sequence[Blended], policy: BlendPolicy, rules: QueueRules, now: dt.datetime
) -> int:
    """1 for the next to be called in the ticket's service, on the assumptions of
    :func:`.dispatch.position` (no one else arrives; counters call from this service alone), and
    erring late: a regular ticket counts every waiting priority ticket as ahead, and under
    ``ratio`` the other stream is assumed to have its turn first. Without booked tickets it equals
    :func:`.dispatch.position`. Under ``near_slot`` with a bound it can only improve as time
    passes."""
    same = [t for t in waiting if t.candidate.service == me.candidate.service and t.ticket_id != me.ticket_id]
    if rules.dispatch == "fifo":
        always, lane, main = 0, same, True
    elif me.priority:
        always, lane, main = 0, [t for t in same if t.priority], False
    else:
        always = sum(1 for t in same if t.priority)
        lane, main = [t for t in same if not t.priority], True
    if isinstance(policy, NearSlot):
        mine = near_slot_key(me, now, policy.bound)
        ahead = sum(1 for t in lane if near_slot_key(t, now, policy.bound) < mine)
    elif isinstance(policy, Ratio) and main:
        ahead = _ahead_under_ratio(me, lane, policy.k)
    else:
        ahead = sum(1 for t in lane if check_in_key(t) < check_in_key(me))
    return always + ahead + 1


def _ahead_under_ratio(me: Blended, lane: Sequence[Blended], k: int) -> int:
    booked = [t for t in lane if t.booked]
    walk_ins = [t for t in lane if not t.booked]
    if me.booked:
        before = sum(1 for t in booked if _booked_key(t) < _booked_key(me))
        # The walk-in's turn first, then one more after every k booked calls.
        return before + min(len(walk_ins), 1 + before // k)
    before = sum(1 for t in walk_ins if check_in_key(t) < check_in_key(me))
    # k booked calls before each walk-in call, this one's included.
    return before + min(len(booked), k * (before + 1))


# ---- from the hall file ----


def policy_of(booking: Booking | None) -> BlendPolicy:
    """A service's policy; a walk-in-only service has nothing to blend (check-in order)."""
    if booking is None or booking.blend == "check_in":
        return CheckIn()
    if booking.blend == "ratio":
        return Ratio(booking.ratio)
    return NearSlot(dt.timedelta(minutes=booking.near_slot_bound_minutes) or None)


def counter_policy(services: Sequence[Service]) -> BlendPolicy:
    """The policy of a counter: the one its booking services agree on (walk-in-only services blend
    with anything). A counter serving booking services with different policies is a hall-file
    mistake, refused rather than guessed: one streak and one order per counter."""
    policies = {policy_of(s.booking) for s in services if s.booking is not None}
    if len(policies) > 1:
        codes = ", ".join(sorted(s.code for s in services if s.booking is not None))
        raise Invalid(
            "blend_mixed",
            f"Layanan dengan reservasi di satu loket ({codes}) harus memakai kebijakan blend yang sama",
            f"Booking services at one counter ({codes}) must use the same blend policy",
        )
    return policies.pop() if policies else CheckIn()
