"""Which waiting ticket a counter calls next: small pure policies over what the counter may call.

A policy sees the callable tickets of the services the counter serves (today's only) and the
counter's priority streak, and returns one of them or None. Ties in time break on the ticket id so
that a decision is reproducible.

- :func:`fifo`: first come, first served across the counter's services, by the time each ticket
  joined its queue.
- :class:`PriorityLane`: the UU 25/2009 priority groups go first, but a counter never calls more
  than ``max_streak`` priority tickets in a row while a regular ticket waits. A regular ticket
  therefore gets at least one call in every ``max_streak + 1`` at each counter serving it: the lane
  cannot starve the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from antre.hall.model import QueueRules


@dataclass(frozen=True)
class Candidate:
    ticket_id: str
    service: str
    priority: bool
    queued_at: dt.datetime


Policy = Callable[[Sequence[Candidate], int], Candidate | None]


def _first(tickets: Sequence[Candidate]) -> Candidate | None:
    return min(tickets, key=lambda c: (c.queued_at, c.ticket_id), default=None)


def fifo(waiting: Sequence[Candidate], streak: int = 0) -> Candidate | None:
    return _first(waiting)


@dataclass(frozen=True)
class PriorityLane:
    max_streak: int = 3

    def __call__(self, waiting: Sequence[Candidate], streak: int = 0) -> Candidate | None:
        priority = _first([c for c in waiting if c.priority])
        regular = _first([c for c in waiting if not c.priority])
        if priority is None or regular is None:
            return priority or regular
        return regular if streak >= self.max_streak else priority


def next_streak(chosen: Candidate, waiting: Sequence[Candidate], streak: int) -> int:
    """Priority calls in a row made while a regular ticket waited; any regular call resets it."""
    if not chosen.priority:
        return 0
    if any(not c.priority for c in waiting):
        return streak + 1
    return 0


def policy_for(rules: QueueRules) -> Policy:
    if rules.dispatch == "fifo":
        return fifo
    return PriorityLane(rules.priority_max_streak)


def position(me: Candidate, waiting: Sequence[Candidate], rules: QueueRules) -> int:
    """1 for the next to be called in the ticket's service, if no one else arrived and every
    counter serving it called from this service alone. Under the priority lane a regular ticket
    counts every waiting priority ticket as ahead (the streak rule may in fact let it go sooner).
    Bookings refine this in :func:`.blending.position`."""
    same = [c for c in waiting if c.service == me.service and c.ticket_id != me.ticket_id]
    key = (me.queued_at, me.ticket_id)

    def earlier(c: Candidate) -> bool:
        return (c.queued_at, c.ticket_id) < key

    if rules.dispatch == "fifo":
        ahead = sum(1 for c in same if earlier(c))
    elif me.priority:
        ahead = sum(1 for c in same if c.priority and earlier(c))
    else:
        ahead = sum(1 for c in same if c.priority or earlier(c))
    return ahead + 1
