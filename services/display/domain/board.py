"""What a zone's board shows: who is being called at which counter ("sedang dipanggil"), the last
calls, and how many people wait per service today.

The board mirrors facts owned by the counters and ticketing services, learned from their events.
Events may come twice (the inbox drops those) or, with several replicas, out of order; every
transition here therefore takes the moment its event happened and ignores a report older than
what the board already shows from the same source, so a late event never moves a board
backwards. Times of two services are never compared: their clocks may disagree by seconds, and
a call judged "older" than the issue of its ticket would leave the hall silent.

Invariants:
- at most one call per counter: the latest one (a counter serves one citizen at a time);
- a call leaves the board when its ticket completes, is skipped, transferred or cancelled, or when
  its counter closes; it stays while the ticket is being served, so a citizen who looked away
  still finds the counter;
- a ticket waits when it was issued (or transferred into a service) and nobody called it since;
  waiting counts only the given hall day, so yesterday's leftovers never inflate today's board.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from antre.hall.model import Hall, Service, Zone
from antre.problems import NotFound
from services.display.domain.announcements import Announcement


class Stage(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"  # completed, skipped or cancelled: gone from the queue and the board


class Source(StrEnum):
    """Who reported a ticket's stage: ticketing (issued, cancelled before any call) or the
    counters (everything from the first call on, transfers included)."""

    TICKETING = "ticketing"
    COUNTERS = "counters"


class CounterStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


@dataclass(frozen=True)
class TicketSeen:
    """The board's view of one ticket: the latest stage reported and when it happened."""

    ticket_id: str
    number: str
    service: str
    hall_day: dt.date
    stage: Stage
    at: dt.datetime
    source: Source = Source.COUNTERS


@dataclass(frozen=True)
class CounterSeen:
    number: int
    zone: str
    status: CounterStatus
    at: dt.datetime


@dataclass(frozen=True)
class Call:
    """A number shown at a counter. ``announced_at`` is the latest call or recall (what the
    board highlights); ``called_at`` the first call at this counter."""

    counter: int
    counter_name: str
    zone: str
    ticket_id: str
    number: str
    service: str
    called_at: dt.datetime
    announced_at: dt.datetime
    recalls: int = 0
    serving: bool = False


NowCalling = Mapping[int, Call]  # by counter number


@dataclass(frozen=True)
class Board:
    zone: str
    now_calling: tuple[Call, ...]  # newest announced first
    recent: tuple[Announcement, ...]  # newest first
    waiting: tuple[tuple[Service, int], ...]  # in the hall file's order
    counters: tuple[CounterSeen, ...]


# ---- tickets and counters: newest report wins ----


def advance(current: TicketSeen | None, new: TicketSeen) -> TicketSeen | None:
    """The ticket's state after a report, or None when the report changes nothing.

    Ticketing speaks only before the counters do: once the counters reported on a ticket, a
    late issue or cancel is ignored, and the counters' first report always applies over
    ticketing's, whatever the two clocks say. Between reports of one source the newer wins; a
    report of the same moment is applied (stream order decides between events of one instant).
    """
    if current is None:
        return new
    if new.source != current.source:
        return new if new.source == Source.COUNTERS else None
    return None if new.at < current.at else new


def advance_counter(current: CounterSeen | None, new: CounterSeen) -> CounterSeen | None:
    if current is not None and new.at < current.at:
        return None
    return new


def waiting_counts(tickets: Iterable[TicketSeen], day: dt.date) -> dict[str, int]:
    """Waiting tickets per service on one hall day (the database runs the same count in SQL)."""
    counts: dict[str, int] = {}
    for ticket in tickets:
        if ticket.stage == Stage.WAITING and ticket.hall_day == day:
            counts[ticket.service] = counts.get(ticket.service, 0) + 1
    return counts


# ---- now calling ----


def on_called(now_calling: NowCalling, call: Call) -> dict[int, Call]:
    """A counter called a ticket: it replaces whatever that counter showed, unless the counter
    has shown a newer call since."""
    shown = now_calling.get(call.counter)
    if shown is not None and shown.announced_at > call.called_at:
        return dict(now_calling)
    return {**now_calling, call.counter: call}


def on_recalled(now_calling: NowCalling, call: Call) -> dict[int, Call]:
    """A recall highlights the call again. A board that missed the first call (it started
    later) learns it from the recall."""
    shown = now_calling.get(call.counter)
    if shown is not None and shown.ticket_id == call.ticket_id:
        again = replace(shown, announced_at=max(shown.announced_at, call.announced_at), recalls=call.recalls)
        return {**now_calling, call.counter: again}
    return on_called(now_calling, call)


def on_serving(now_calling: NowCalling, ticket_id: str) -> dict[int, Call]:
    return {n: replace(c, serving=True) if c.ticket_id == ticket_id else c for n, c in now_calling.items()}


def on_released(now_calling: NowCalling, ticket_id: str, at: dt.datetime) -> dict[int, Call]:
    """The ticket is done at its counter (completed, skipped, transferred, cancelled)."""
    return {n: c for n, c in now_calling.items() if not (c.ticket_id == ticket_id and c.called_at <= at)}


def on_counter_closed(now_calling: NowCalling, counter: int, at: dt.datetime) -> dict[int, Call]:
    return {n: c for n, c in now_calling.items() if not (n == counter and c.announced_at <= at)}


def changed(before: NowCalling, after: NowCalling) -> tuple[dict[int, Call], set[int]]:
    """What to write: calls new or changed, and counters whose call left."""
    upserts = {n: c for n, c in after.items() if before.get(n) != c}
    return upserts, set(before) - set(after)


# ---- the hall's geography ----


def resolve_zone(hall: Hall, code: str) -> Zone:
    zone = next((z for z in hall.zones if z.code == code), None)
    if zone is None:
        raise NotFound("unknown_zone", f"Zona '{code}' tidak dikenal", f"Unknown zone '{code}'")
    return zone


def zone_services(hall: Hall, zone: str) -> tuple[Service, ...]:
    """Services whose waiting counts a zone's board shows: those its counters serve, and those
    of agencies placed in the zone (a service with no open counter still has people waiting)."""
    served = {code for c in hall.counters if c.zone == zone for code in c.services}
    placed = {a.code for a in hall.agencies if a.zone == zone}
    return tuple(s for s in hall.services if s.code in served or s.agency in placed)


def service_zones(hall: Hall, service: str) -> frozenset[str]:
    return frozenset(
        z.code for z in hall.zones if any(s.code == service for s in zone_services(hall, z.code))
    )


def counter_zone(hall: Hall, number: int, reported: str = "") -> str:
    """The zone a counter's calls are heard in: the hall file's, else what the event said (a
    counter added to the hall file after the event was published)."""
    counter = hall.counter(number)
    return counter.zone if counter is not None else reported


def build(
    zone: str,
    now_calling: Iterable[Call],
    recent: Iterable[Announcement],
    waiting: Mapping[str, int],
    services: Iterable[Service],
    counters: Iterable[CounterSeen] = (),
) -> Board:
    """A board snapshot in display order: the newest call first, every zone service listed
    (zero waiting included, so the board's layout does not jump)."""
    mine = [c for c in now_calling if c.zone == zone]
    mine.sort(key=lambda c: (c.announced_at, c.counter), reverse=True)
    return Board(
        zone=zone,
        now_calling=tuple(mine),
        recent=tuple(sorted((a for a in recent if a.zone == zone), key=lambda a: a.seq, reverse=True)),
        waiting=tuple((s, waiting.get(s.code, 0)) for s in services),
        counters=tuple(sorted((c for c in counters if c.zone == zone), key=lambda c: c.number)),
    )
