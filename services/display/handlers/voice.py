"""The hall's voice as units of work: a call put in its zone's log (alone or grouped), and what
speaker boards report of each entry (a service message: :mod:`.messages`). Each decision
is written with its events in one transaction (the outbox), so what the bus hears of the arbiter
is exactly what it decided.

Events (see ``proto/antre/v1/events.proto``): ``announcement.scheduled`` for every entry
appended, ``announcement.grouped`` when a call joined a waiting entry, ``announcement.stale``
for an entry whose slot had passed the stale age when it was scheduled (or that a board got too
late), ``announcement.spoken`` on a speaker board's first report that it began an entry.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from antre import devices
from antre.inputs import INT64
from antre.problems import Conflict, Invalid, NotFound
from antre.uow import Transaction
from services.display.adapters import repository as repo
from services.display.adapters import tables
from services.display.domain.announcements import Announcement, Kind, Part
from services.display.domain.arbiter import LOCK, Plan, Policy, plan_call
from services.display.domain.board import resolve_zone
from services.display.handlers import wire
from services.display.handlers.deps import Deps, VoiceDeps, topic

log = logging.getLogger(__name__)

MAX_SEQ = INT64[1]  # seqs are the databases' 64-bit integers
_EVENT_IDS = uuid.UUID("6f1f2c1e-7d0b-4d8e-9a57-0c6d2f3b8e11")  # namespace of entries a plan moved


@dataclass(frozen=True)
class Decision:
    """A plan written to the log: its entries with their seqs, for metrics and the boards."""

    zone: str
    entries: tuple[Announcement, ...]
    kind: Kind  # what was decided: a call, a recall or a message
    grouped: bool = False
    delay: dt.timedelta = dt.timedelta(0)  # the call's wait for its slot (or its group's)


def policy(deps: VoiceDeps) -> Policy:
    voice = deps.hall.announcements
    return Policy(
        gap=dt.timedelta(seconds=deps.hall.announcement_gap_seconds),
        group_lag=dt.timedelta(seconds=voice.group_lag_seconds),
        group_max=voice.group_max,
        lock=LOCK,
        stale_after=deps.stale_after,
    )


def told(deps: Deps, decisions: Sequence[Decision]) -> None:
    """Count the arbiter's committed decisions and wake the zones' feeds."""
    for decision in decisions:
        deps.metrics.announcements.labels(decision.zone, decision.kind.value).inc()
        deps.metrics.delay.labels(decision.zone).observe(max(decision.delay.total_seconds(), 0.0))
        if decision.grouped:
            deps.metrics.grouped.labels(decision.zone).inc()
        for entry in decision.entries:
            deps.live.publish(topic(decision.zone), ("announcement", entry))


def report(
    deps: Deps,
    zone: str,
    seq: int,
    outcome: Literal["spoken", "stale"],
    via: str,
    at: dt.datetime | None,
    device_token: str | None = None,
) -> bool:
    """A speaker board's report on an entry; True when it was the first. ``device_token``: an
    enrolled board's, checked in the report's own transaction (None: a call from inside)."""
    with deps.uow.begin() as tx:
        if device_token is not None:
            devices.device_for(tx.conn, tables.devices, device_token, "board")
        first = _report(deps, tx, zone, seq, outcome, via, at)
    if first:
        deps.metrics.outcomes.labels(zone, outcome).inc()
    return first


def announce_call(deps: VoiceDeps, tx: Transaction, zone: str, part: Part, event_id: str) -> Decision | None:
    """Put a call (or recall) in its zone's log. None for a number no voice can read: the board
    shows it, the hall does not hear nonsense."""
    wording = deps.wording()
    try:
        wording.calls((part,))
    except ValueError as exc:
        log.warning("display: not announcing %s at counter %s: %s", part.number, part.counter, exc)
        return None
    last_end = repo.lock_zone(tx.conn, zone)
    # A call only ever joins the zone's last waiting entry: read that one, not the backlog;
    # behind waiting messages it may go ahead of them (arbiter), so then read them all.
    waiting = repo.last_waiting_entry(tx.conn, zone, tx.now + LOCK)
    if waiting and waiting[-1].kind == Kind.MESSAGE:
        waiting = repo.waiting_entries(tx.conn, zone, tx.now + LOCK)
    plan = plan_call(
        zone=zone,
        part=part,
        waiting=waiting,
        last_end=last_end,
        now=part.created_at,
        policy=policy(deps),
        render=wording.calls,
    )
    entries = write(deps, tx, zone, plan, event_id)
    if plan.grouped:
        group = entries[0]
        grouped_id = moved_id(event_id, "grouped")
        tx.publish(wire.grouped(deps.hall.id, tx.now, grouped_id, group, plan.replaced[0], part, plan.lag))
    own = entries[0]
    delay = own.starts_at - part.created_at
    return Decision(zone, entries, part.kind, plan.grouped, max(delay, dt.timedelta(0)))


def _report(
    deps: VoiceDeps,
    tx: Transaction,
    zone: str,
    seq: int,
    outcome: Literal["spoken", "stale"],
    via: str,
    started_at: dt.datetime | None,
) -> bool:
    """A speaker board's report on an entry; the first one counts (True when it was that one)."""
    resolve_zone(deps.hall, zone)
    if not 1 <= seq <= MAX_SEQ:  # a seq the log cannot hold: the database would fail on it
        raise Invalid(
            "bad_seq",
            f"Nomor pengumuman harus 1 sampai {MAX_SEQ}",
            f"The announcement number must be 1 to {MAX_SEQ}",
        )
    entry = repo.announcement(tx.conn, zone, seq)
    if entry is None:
        raise NotFound(
            "unknown_announcement",
            f"Pengumuman {seq} tidak ada di zona '{zone}'",
            f"No announcement {seq} in zone '{zone}'",
        )
    if repo.superseded(tx.conn, seq):
        raise Conflict(
            "announcement_replaced",
            f"Pengumuman {seq} sudah diganti dan tidak diucapkan",
            f"Announcement {seq} was replaced and is not spoken",
        )
    at = started_at or tx.now
    if not repo.add_outcome(tx.conn, zone, seq, outcome, via, at):
        return False
    outcome_id = moved_id(f"{zone}/{seq}", outcome)
    if outcome == "spoken":
        tx.publish(wire.spoken(deps.hall.id, tx.now, outcome_id, entry, at, via))
    else:
        tx.publish(wire.stale(deps.hall.id, tx.now, outcome_id, entry, "board"))
    return True


def write(deps: VoiceDeps, tx: Transaction, zone: str, plan: Plan, event_id: str) -> tuple[Announcement, ...]:
    """Append the plan's entries, book the zone's voice, and tell the bus."""
    written = []
    for i, entry in enumerate(plan.entries):
        row_id = event_id if i == 0 else moved_id(event_id, str(entry.replaces[0]))
        seq = repo.add_announcement(tx.conn, entry, row_id)
        entry = replace(entry, seq=seq)
        written.append(entry)
        tx.publish(wire.scheduled(deps.hall.id, tx.now, moved_id(row_id, "scheduled"), entry))
        if entry.is_stale(tx.now, deps.stale_after):
            tx.publish(wire.stale(deps.hall.id, tx.now, moved_id(row_id, "stale"), entry, "late"))
    repo.book_zone(tx.conn, zone, plan.last_end)
    return tuple(written)


def moved_id(event_id: str, what: str) -> str:
    """A stable id derived from the event that caused a decision: a redelivery that got past
    the inbox (it cannot) would still be dropped by JetStream and the log's unique event ids."""
    return str(uuid.uuid5(_EVENT_IDS, f"{event_id}/{what}"))
