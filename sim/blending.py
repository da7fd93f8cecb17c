"""How booked and walk-in citizens share one queue: a blending policy narrows what a counter may
call, and then the counters' own dispatch policy picks from that.

A blend is a pure function of ``(waiting, now)`` (Ciw's queue disciplines have that shape), so the
live counters service can adopt these unchanged. The counters domain has no blending policy yet;
these two live here until it does, and should then be imported from there instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.counters.domain.dispatch import Candidate


@dataclass(frozen=True, slots=True)
class Waiting:
    candidate: Candidate
    slot: dt.datetime | None = None  # booked: the slot's start; walk-in: None


Blend = Callable[[Sequence[Waiting], dt.datetime], Sequence[Candidate]]


def join_at_checkin(waiting: Sequence[Waiting], now: dt.datetime) -> Sequence[Candidate]:
    """A booking only reserves a place in the day: the citizen queues from check-in like anyone."""
    return [w.candidate for w in waiting]


@dataclass(frozen=True)
class BookedFirst:
    """Booked citizens who have checked in and whose slot starts within ``due`` of now are
    called before walk-ins; a booking is thus an appointment, not just a ticket. Early arrivals
    wait like walk-ins until their slot comes near."""

    due: dt.timedelta = dt.timedelta(minutes=10)

    def __call__(self, waiting: Sequence[Waiting], now: dt.datetime) -> Sequence[Candidate]:
        horizon = now + self.due
        due = [w.candidate for w in waiting if w.slot is not None and w.slot <= horizon]
        return due or [w.candidate for w in waiting]


def blend_for(name: str, due_minutes: float = 10.0) -> Blend:
    if name == "checkin_fifo":
        return join_at_checkin
    if name == "booked_first":
        return BookedFirst(dt.timedelta(minutes=due_minutes))
    raise ValueError(f"unknown blending policy {name!r} (checkin_fifo, booked_first)")


BLENDS = ("checkin_fifo", "booked_first")
