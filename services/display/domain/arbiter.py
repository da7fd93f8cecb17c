"""The arbiter's two decisions beyond "next in line": grouping a burst, and a service message
going ahead of waiting calls.

Both change entries that are still *waiting*: scheduled to start later than ``now + lock``, so
that no board has begun them (a speaker page hands its clips to the audio thread a fraction of a
second before a slot). A changed entry is never edited in place: the plan appends a new entry
that ``replaces`` it, and boards drop the replaced one. That keeps the log's invariants for the
entries that stand (not replaced), which are what boards play:

- within a zone they do not overlap and keep ``gap`` between them (see :mod:`.announcements`);
- their seq order is their start order, so "never play a seq at or below the last one played"
  still means "never play one twice";
- every call is in exactly one standing entry, and calls are said in the order they came.

Grouping: when a new call's own slot would start more than ``group_lag`` after the call, and the
zone's last entry is still waiting, is no message and holds fewer than ``group_max`` calls, the
call joins it: one chime and one gap for several calls, so a burst costs the hall less time.

A message goes right behind the messages already waiting and ahead of the waiting calls: those
move back by the message's length and a gap. The entry being spoken (or about to be) is never cut.

Messages never silence a call. A call past its stale deadline (``stale_after`` after the counter
called) is no use to the hall, so a message goes ahead only of the calls it does not push past
theirs (it waits behind the others), and a call whose own slot, behind waiting messages, would
begin past its deadline goes ahead of as many of those messages as it must.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from services.display.domain.announcements import Announcement, Kind, Part, Segment, schedule

# Entries starting within this of now are left as they are: a board may be about to play them.
LOCK = dt.timedelta(seconds=3)

# What the words of some calls are, in the hall's languages, and how long they take to say.
Render = Callable[[tuple[Part, ...]], tuple[str, tuple[Segment, ...], dt.timedelta]]


@dataclass(frozen=True)
class Policy:
    gap: dt.timedelta
    group_lag: dt.timedelta = dt.timedelta(seconds=15)
    group_max: int = 3
    lock: dt.timedelta = LOCK
    # A call is not spoken once it is this old (None: messages may delay calls without bound).
    stale_after: dt.timedelta | None = None


@dataclass(frozen=True)
class Plan:
    """Entries to append to the zone's log, in this order, and where the zone's voice is then
    booked until. ``grouped``: the call joined a waiting entry."""

    entries: tuple[Announcement, ...]
    last_end: dt.datetime
    grouped: bool = False
    lag: dt.timedelta = dt.timedelta(0)  # a call's wait for a slot of its own (grouped or not)

    @property
    def replaced(self) -> tuple[int, ...]:
        """The standing entries this plan replaces (each new entry's first; the rest of its
        ``replaces`` were replaced before, see :func:`_chain`)."""
        return tuple(entry.replaces[0] for entry in self.entries if entry.replaces)


def plan_call(
    *,
    zone: str,
    part: Part,
    waiting: Sequence[Announcement],
    last_end: dt.datetime | None,
    now: dt.datetime,
    policy: Policy,
    render: Render,
) -> Plan:
    """Where a call goes: its own slot, or into the zone's last waiting entry (see the module)."""
    text, segments, duration = render((part,))
    starts = schedule(last_end, now, duration, policy.gap)
    tail = waiting[-1] if waiting else None
    if (
        tail is not None
        and starts - now > policy.group_lag
        and tail.kind != Kind.MESSAGE
        and len(tail.calls) < policy.group_max
    ):
        parts = (*tail.calls, part)
        text, segments, duration = render(parts)
        first = parts[0]
        group = Announcement(
            seq=0,
            zone=zone,
            ticket_id=first.ticket_id,
            number=first.number,
            counter=first.counter,
            text=text,
            kind=Kind.GROUP,
            created_at=tail.created_at,
            starts_at=tail.starts_at,
            duration=duration,
            parts=parts,
            segments=segments,
            replaces=_chain(tail),
        )
        return Plan((group,), group.ends_at, grouped=True, lag=starts - now)
    own = Announcement(
        seq=0,
        zone=zone,
        ticket_id=part.ticket_id,
        number=part.number,
        counter=part.counter,
        text=text,
        kind=part.kind,
        created_at=now,
        starts_at=starts,
        duration=duration,
        parts=(part,),
        segments=segments,
    )
    at = _call_place(own, waiting, policy)
    if at == len(waiting):
        return Plan((own,), own.ends_at, lag=starts - now)
    entry = replace(own, starts_at=waiting[at].starts_at)
    moved = _moved(waiting[at:], entry.duration + policy.gap)
    return Plan((entry, *moved), moved[-1].ends_at, lag=entry.starts_at - now)


def stale_deadline(entry: Announcement, stale_after: dt.timedelta) -> dt.datetime | None:
    """When a call entry stops being worth saying: ``stale_after`` after its first call. None
    for a message (it has no counter waiting on it)."""
    if entry.kind == Kind.MESSAGE:
        return None
    return min(p.created_at for p in entry.calls) + stale_after


def _pushed_past(entry: Announcement, shift: dt.timedelta, policy: Policy) -> bool:
    """Whether moving ``entry`` back by ``shift`` makes it start past its deadline (a call
    already past it is not made any worse)."""
    if policy.stale_after is None:
        return False
    deadline = stale_deadline(entry, policy.stale_after)
    return deadline is not None and entry.starts_at <= deadline < entry.starts_at + shift


def _call_place(call: Announcement, waiting: Sequence[Announcement], policy: Policy) -> int:
    """Where a new call goes among the waiting entries: at the end, unless it would begin past
    its deadline there; then ahead of the fewest trailing messages that lets it start in time
    (ahead of all of them when none does). Never ahead of a waiting call: calls keep their order."""
    deadline = stale_deadline(call, policy.stale_after) if policy.stale_after is not None else None
    if deadline is None or call.starts_at <= deadline:
        return len(waiting)
    first = len(waiting)
    while first > 0 and waiting[first - 1].kind == Kind.MESSAGE:
        first -= 1
    in_time = [at for at in range(first, len(waiting)) if waiting[at].starts_at <= deadline]
    return in_time[-1] if in_time else first


def _moved(entries: Sequence[Announcement], shift: dt.timedelta) -> tuple[Announcement, ...]:
    """Waiting entries moved back by ``shift``, each a new entry that replaces the old one."""
    return tuple(replace(e, seq=0, starts_at=e.starts_at + shift, replaces=_chain(e)) for e in entries)


def _chain(entry: Announcement) -> tuple[int, ...]:
    """What a new entry standing for ``entry`` replaces: ``entry`` and all it replaced. A board's
    feed may never see ``entry`` (replaced again before the feed read it), so the newest entry
    must name the whole chain, or a board would play one it was never told was replaced."""
    return (entry.seq, *entry.replaces)


def plan_message(
    *,
    zone: str,
    text: str,
    segments: tuple[Segment, ...],
    duration: dt.timedelta,
    waiting: Sequence[Announcement],
    last_end: dt.datetime | None,
    now: dt.datetime,
    policy: Policy,
) -> Plan:
    """A service message: behind the waiting messages, ahead of the waiting calls it does not
    push past their deadline (see the module)."""
    shift = duration + policy.gap
    at = _message_place(waiting, shift, policy)
    if at == len(waiting):
        starts = schedule(last_end, now, duration, policy.gap)
        message = _message(zone, text, segments, duration, now, starts)
        return Plan((message,), message.ends_at)
    message = _message(zone, text, segments, duration, now, waiting[at].starts_at)
    moved = _moved(waiting[at:], shift)
    return Plan((message, *moved), moved[-1].ends_at)


def _message_place(waiting: Sequence[Announcement], shift: dt.timedelta, policy: Policy) -> int:
    """The earliest place behind every waiting message (messages keep their order) from which
    moving the rest back by ``shift`` pushes no call past its deadline."""
    after_messages = 1 + max((i for i, e in enumerate(waiting) if e.kind == Kind.MESSAGE), default=-1)
    movable = len(waiting)  # waiting[movable:] may all move back
    while movable > after_messages and not _pushed_past(waiting[movable - 1], shift, policy):
        movable -= 1
    return max(movable, after_messages)


def _message(
    zone: str,
    text: str,
    segments: tuple[Segment, ...],
    duration: dt.timedelta,
    now: dt.datetime,
    starts: dt.datetime,
) -> Announcement:
    return Announcement(
        seq=0,
        zone=zone,
        ticket_id="",
        number="",
        counter=0,
        text=text,
        kind=Kind.MESSAGE,
        created_at=now,
        starts_at=starts,
        duration=duration,
        segments=segments,
    )
