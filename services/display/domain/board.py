"""What a zone's board shows: who is being called at which counter ("sedang dipanggil"), the last
calls, and how many people wait per service today.

The board mirrors facts owned by the counters and ticketing services, learned from their events.
Events may come twice (the inbox drops those) or out of order (several replicas, calls on a
consumer of their own, redelivery after an outage); every transition here therefore takes the
moment its event happened and ignores a report older than what the board already knows from
the same source, so a late event never moves a board backwards, and each counter's slot is the
same whatever order its events arrived in. Times of two services are never compared: their
clocks may disagree by seconds, and a call judged "older" than the issue of its ticket would
leave the hall silent.

Invariants:
- at most one call per counter: the latest one (a counter serves one citizen at a time);
- a call leaves the board when its ticket completes, is skipped or transferred, or when its
  counter closes; it stays while the ticket is being served, so a citizen who looked away still
  finds the counter; a finished ticket never comes back with its late call;
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
    # While paused: why, as counter.paused carries it (a code of PAUSE_REASONS, or the officer's
    # or agency's own words); empty when none was given.
    reason: str = ""


# The pause reasons a board names in both languages, by the code counter.paused carries; any
# other reason is someone's own words, shown as written.
PAUSE_REASONS = {
    "break": ("Istirahat", "Break"),
    "prayer": ("Sholat", "Prayer"),
    "system": ("Gangguan sistem", "System fault"),
}
NO_REASON = ("Tutup sementara", "Paused")
SHOWN_REASON = 40  # characters of someone's own words a board shows


def pause_words(reason: str) -> tuple[str, str]:
    """What a paused counter's slot says, Indonesian and English."""
    known = PAUSE_REASONS.get(reason.strip().lower())
    if known is not None:
        return known
    words = " ".join(reason.split())
    if not words:
        return NO_REASON
    if len(words) > SHOWN_REASON:
        words = words[: SHOWN_REASON - 1].rstrip() + "…"
    return words, words


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


# ---- now calling: each counter's slot ----
#
# After an outage or a redelivery a counter's events arrive in any order: the calls on their own
# consumer, the rest on the board's. A slot therefore keeps the newest fact applied to it (also
# once it is empty, so that an older call never refills it), and what it shows is a function of
# the set of facts applied, not of their order: every order of the same events gives one board.


class Fact(StrEnum):
    """What a counter's event says of its slot; declared in the order of a ticket's life."""

    CALLED = "called"
    RECALLED = "recalled"
    SERVING = "serving"
    RELEASED = "released"  # completed, skipped, transferred away, or the counter closed


_RANK = {Fact.CALLED: 0, Fact.RECALLED: 1, Fact.SERVING: 2, Fact.RELEASED: 3}


@dataclass(frozen=True)
class CounterFact:
    """One event about a counter's slot. ``at`` is the event's moment on the counters' clock;
    ``ticket_id`` is empty when the counter closed."""

    counter: int
    kind: Fact
    at: dt.datetime
    ticket_id: str = ""
    number: str = ""
    service: str = ""
    counter_name: str = ""
    zone: str = ""
    recalls: int = 0

    def key(self) -> tuple[dt.datetime, int, int, str]:
        """The facts of one counter in a total order (so that the newest one is the same in every
        order of arrival). Time first; two facts of one instant follow a ticket's life, which
        never happens with a real clock: each action at a counter is a transaction of its own."""
        return (self.at, _RANK[self.kind], self.recalls, self.ticket_id)


@dataclass(frozen=True)
class Slot:
    """A counter's place on the board: the newest fact applied (``last``) and what is known of
    ``last``'s ticket since ``floor``, each the latest of its kind.

    ``floor`` is the newest moment known, older than ``last``, that ended an earlier visit at
    this counter (a release, a close, another ticket's fact): a ticket called here again later
    in the day (transferred back) must not take its first visit's call or recalls along.
    """

    last: CounterFact
    floor: dt.datetime | None = None
    called_at: dt.datetime | None = None
    recalled_at: dt.datetime | None = None
    recalls: int = 0
    serving_at: dt.datetime | None = None


def apply_fact(slot: Slot | None, fact: CounterFact) -> Slot:
    """The slot after a fact, whatever order the facts come in (every order of one set of facts
    gives the same shown call).

    The newest fact decides which ticket the slot is about, or that it is empty. An older fact
    of that ticket's visit completes what is known of it (the call that arrived after the
    serving); an older release, close or other ticket's fact only tells where the visit began;
    nothing older ever refills an empty slot (a finished ticket's late call).
    """
    if slot is None:
        return _learn(Slot(last=fact), fact)
    last = slot.last
    if fact.key() > last.key():
        if _visit(last) == fact.ticket_id != "":
            return _learn(replace(slot, last=fact), fact)
        return _learn(Slot(last=fact, floor=last.at), fact)
    if fact.key() == last.key() or last.kind == Fact.RELEASED:
        return slot
    if _visit(fact) == last.ticket_id:
        return _learn(slot, fact)
    return _above(slot, fact.at)


def _visit(fact: CounterFact) -> str:
    """The ticket whose visit a fact is part of ("" for a release: it ends the visit)."""
    return "" if fact.kind == Fact.RELEASED else fact.ticket_id


def _learn(slot: Slot, fact: CounterFact) -> Slot:
    """Keep the latest call, recall and serving of the slot's visit (the latest is order-free)."""
    if slot.floor is not None and fact.at <= slot.floor:
        return slot
    if fact.kind == Fact.CALLED and (slot.called_at is None or fact.at > slot.called_at):
        return replace(slot, called_at=fact.at)
    if fact.kind == Fact.RECALLED and (
        slot.recalled_at is None or (fact.at, fact.recalls) > (slot.recalled_at, slot.recalls)
    ):
        return replace(slot, recalled_at=fact.at, recalls=fact.recalls)
    if fact.kind == Fact.SERVING and (slot.serving_at is None or fact.at > slot.serving_at):
        return replace(slot, serving_at=fact.at)
    return slot


def _above(slot: Slot, floor: dt.datetime) -> Slot:
    """Raise the floor: what was learnt at or before it belonged to an earlier visit."""
    if slot.floor is not None and floor <= slot.floor:
        return slot

    def kept(at: dt.datetime | None) -> dt.datetime | None:
        return at if at is not None and at > floor else None

    recalled = kept(slot.recalled_at)
    return replace(
        slot,
        floor=floor,
        called_at=kept(slot.called_at),
        recalled_at=recalled,
        recalls=slot.recalls if recalled else 0,
        serving_at=kept(slot.serving_at),
    )


def shown(slot: Slot) -> Call | None:
    """The call a slot shows: none when its newest fact is a release. Facts of the ticket from
    before its latest call belong to an earlier visit and do not count; a board that has not
    (yet) heard the call shows the ticket from the earliest fact it has."""
    last = slot.last
    if last.kind == Fact.RELEASED:
        return None
    # The newest fact is of the visit even when it shares its instant with the floor.
    slot = _learn(replace(slot, floor=None), last)
    since = slot.called_at
    recalled = slot.recalled_at if slot.recalled_at and (since is None or slot.recalled_at >= since) else None
    serving = slot.serving_at is not None and (since is None or slot.serving_at >= since)
    if since is None:
        since = min(t for t in (slot.recalled_at, slot.serving_at, last.at) if t is not None)
    return Call(
        counter=last.counter,
        counter_name=last.counter_name,
        zone=last.zone,
        ticket_id=last.ticket_id,
        number=last.number,
        service=last.service,
        called_at=since,
        announced_at=max(since, recalled) if recalled else since,
        recalls=slot.recalls if recalled else 0,
        serving=serving,
    )


def on_fact(now_calling: NowCalling, slot: Slot | None, fact: CounterFact) -> tuple[Slot, dict[int, Call]]:
    """Apply a fact to its counter's slot; the new slot and what the board shows after it."""
    after = apply_fact(slot, fact)
    calls = {n: c for n, c in now_calling.items() if n != fact.counter}
    call = shown(after)
    if call is not None:
        calls[fact.counter] = call
    return after, calls


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
