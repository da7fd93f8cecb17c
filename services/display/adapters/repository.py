"""All of the display's queries."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Row, Table, bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.db import utc
from services.display.adapters.tables import (
    announcement_outcomes,
    announcements,
    board_counters,
    board_slots,
    board_tickets,
    now_calling,
    skm_index,
    zone_voices,
)
from services.display.domain.announcements import Announcement, Kind, Part, Segment
from services.display.domain.board import (
    Call,
    CounterFact,
    CounterSeen,
    CounterStatus,
    Fact,
    Slot,
    Source,
    Stage,
    TicketSeen,
)
from services.display.domain.ikm import MonthIndex

# ---- the voice ----


def lock_zone(conn: Connection, zone: str) -> dt.datetime | None:
    """Take the zone's voice for this transaction and say where it is booked until. The row
    lock (PostgreSQL) or the write transaction (SQLite) serialises scheduling within a zone."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(zone_voices).values(zone=zone, last_end=None).on_conflict_do_nothing())
    query = select(zone_voices.c.last_end).where(zone_voices.c.zone == zone)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return utc(conn.execute(query).scalar_one())


def add_announcement(conn: Connection, entry: Announcement, event_id: str) -> int:
    """Append to the zone's log and book its voice until the entry ends; returns the seq. The
    entries it ``replaces`` are marked superseded by it."""
    values = {
        "zone": entry.zone,
        "ticket_id": entry.ticket_id,
        "number": entry.number,
        "counter": entry.counter,
        "text": entry.text,
        "kind": entry.kind.value,
        "created_at": entry.created_at,
        "starts_at": entry.starts_at,
        "duration_seconds": entry.duration.total_seconds(),
        "event_id": event_id,
        "parts": json.dumps([_part_json(p) for p in entry.parts]) if entry.parts else "",
        "segments": json.dumps([[g.lang, g.text] for g in entry.segments]) if entry.segments else "",
        "replaces": json.dumps(list(entry.replaces)) if entry.replaces else "",
        "posted_by": entry.posted_by,
    }
    seq = conn.execute(announcements.insert().values(**values).returning(announcements.c.seq)).scalar_one()
    if entry.replaces:
        t = announcements
        conn.execute(t.update().where(t.c.seq.in_(entry.replaces)).values(superseded_by=seq))
    return int(seq)


def book_zone(conn: Connection, zone: str, last_end: dt.datetime) -> None:
    """Where the zone's voice is booked until, once a plan's entries are in its log."""
    conn.execute(zone_voices.update().where(zone_voices.c.zone == zone).values(last_end=last_end))


def waiting_entries(conn: Connection, zone: str, after: dt.datetime) -> list[Announcement]:
    """The zone's standing entries (not replaced) that start after ``after``, in seq order."""
    t = announcements
    query = (
        select(t)
        .where(t.c.zone == zone, t.c.starts_at > after, t.c.superseded_by.is_(None))
        .order_by(t.c.seq)
    )
    return [_announcement(r) for r in conn.execute(query)]


def last_waiting_entry(conn: Connection, zone: str, after: dt.datetime) -> list[Announcement]:
    """The zone's last standing entry if it starts after ``after`` (seq order is start order, so
    no other standing entry does when it does not)."""
    t = announcements
    query = select(t).where(t.c.zone == zone, t.c.superseded_by.is_(None)).order_by(t.c.seq.desc()).limit(1)
    return [entry for r in conn.execute(query) if (entry := _announcement(r)).starts_at > after]


def announcement(conn: Connection, zone: str, seq: int) -> Announcement | None:
    t = announcements
    row = conn.execute(select(t).where(t.c.zone == zone, t.c.seq == seq)).first()
    return _announcement(row) if row else None


def superseded(conn: Connection, seq: int) -> bool:
    t = announcements
    return conn.execute(select(t.c.superseded_by).where(t.c.seq == seq)).scalar_one_or_none() is not None


def add_outcome(conn: Connection, zone: str, seq: int, outcome: str, via: str, at: dt.datetime) -> bool:
    """The first report of what became of an entry; False when one was already kept."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(announcement_outcomes).values(zone=zone, seq=seq, outcome=outcome, via=via, at=at)
    kept = stmt.on_conflict_do_nothing().returning(announcement_outcomes.c.seq)
    return conn.execute(kept).scalar_one_or_none() is not None


def outcomes(conn: Connection, zone: str) -> dict[int, str]:
    t = announcement_outcomes
    return {int(r.seq): r.outcome for r in conn.execute(select(t.c.seq, t.c.outcome).where(t.c.zone == zone))}


def announcements_after(conn: Connection, zone: str, after: int, limit: int) -> list[Announcement]:
    """The zone's log after ``after``, oldest first; at most the newest ``limit`` of them."""
    t = announcements
    query = (
        select(t)
        .where(t.c.zone == zone, t.c.seq > after, t.c.superseded_by.is_(None))
        .order_by(t.c.seq.desc())
        .limit(limit)
    )
    return [_announcement(r) for r in reversed(list(conn.execute(query)))]


def latest_calls(conn: Connection, zone: str, limit: int) -> list[Announcement]:
    t = announcements
    calls = (Kind.CALL.value, Kind.GROUP.value)
    query = (
        select(t)
        .where(t.c.zone == zone, t.c.kind.in_(calls), t.c.superseded_by.is_(None))
        .order_by(t.c.seq.desc())
        .limit(limit)
    )
    return [_announcement(r) for r in conn.execute(query)]


def upcoming(conn: Connection, zone: str, after: dt.datetime) -> list[Announcement]:
    """Announcements of the zone whose chime begins after ``after``, oldest first."""
    t = announcements
    query = (
        select(t)
        .where(t.c.zone == zone, t.c.starts_at > after, t.c.superseded_by.is_(None))
        .order_by(t.c.seq)
    )
    return [_announcement(r) for r in conn.execute(query)]


def recent_messages(conn: Connection, zone: str, since: dt.datetime, posted_by: str | None = None) -> int:
    """The zone's messages posted after ``since`` that stand (one each, however often moved),
    all of them or one officer's."""
    t = announcements
    query = select(func.count()).where(
        t.c.zone == zone, t.c.kind == Kind.MESSAGE.value, t.c.created_at > since, t.c.superseded_by.is_(None)
    )
    if posted_by is not None:
        query = query.where(t.c.posted_by == posted_by)
    return int(conn.execute(query).scalar_one())


def last_seq(conn: Connection, zone: str) -> int:
    query = select(func.max(announcements.c.seq)).where(announcements.c.zone == zone)
    return int(conn.execute(query).scalar_one() or 0)


# ---- now calling ----


def calls(conn: Connection) -> dict[int, Call]:
    return {r.counter: _call(r) for r in conn.execute(select(now_calling))}


def write_calls(conn: Connection, upserts: dict[int, Call], removed: set[int]) -> None:
    if removed:
        conn.execute(delete(now_calling).where(now_calling.c.counter.in_(removed)))
    for call in upserts.values():
        row = {
            "counter": call.counter,
            "counter_name": call.counter_name,
            "zone": call.zone,
            "ticket_id": call.ticket_id,
            "number": call.number,
            "service": call.service,
            "called_at": call.called_at,
            "announced_at": call.announced_at,
            "recalls": call.recalls,
            "serving": call.serving,
        }
        _upsert(conn, now_calling, row, ["counter"])


# The key space of the display's advisory locks (the second key is the counter's number).
_SLOT_LOCK = 0x626F6172  # "boar"


def slot(conn: Connection, counter: int) -> Slot | None:
    """The counter's slot, its facts taking turns: on PostgreSQL a transaction-level advisory lock
    on the counter, held to commit, so the calls consumer and the board consumer (and replicas)
    never both read one slot and overwrite each other's fact. A lock on the row alone would not
    do: a counter's first fact has no row yet. SQLite's writes take turns already."""
    if conn.dialect.name == "postgresql":
        lock = text("SELECT pg_advisory_xact_lock(:space, :counter)")
        conn.execute(lock, {"space": _SLOT_LOCK, "counter": counter})
    row = conn.execute(select(board_slots).where(board_slots.c.counter == counter)).first()
    if row is None:
        return None
    m = row._mapping
    last = CounterFact(
        counter=m["counter"],
        kind=Fact(m["kind"]),
        at=utc(m["at"]),
        ticket_id=m["ticket_id"],
        number=m["number"],
        service=m["service"],
        counter_name=m["counter_name"],
        zone=m["zone"],
        recalls=m["fact_recalls"],
    )
    return Slot(
        last=last,
        floor=utc(m["floor"]),
        called_at=utc(m["called_at"]),
        recalled_at=utc(m["recalled_at"]),
        recalls=m["recalls"],
        serving_at=utc(m["serving_at"]),
    )


def save_slot(conn: Connection, slot: Slot) -> None:
    last = slot.last
    row = {
        "counter": last.counter,
        "kind": last.kind.value,
        "at": last.at,
        "ticket_id": last.ticket_id,
        "number": last.number,
        "service": last.service,
        "counter_name": last.counter_name,
        "zone": last.zone,
        "fact_recalls": last.recalls,
        "floor": slot.floor,
        "called_at": slot.called_at,
        "recalled_at": slot.recalled_at,
        "recalls": slot.recalls,
        "serving_at": slot.serving_at,
    }
    _upsert(conn, board_slots, row, ["counter"])


# ---- tickets and counters ----


def ticket(conn: Connection, ticket_id: str) -> TicketSeen | None:
    row = conn.execute(select(board_tickets).where(board_tickets.c.ticket_id == ticket_id)).first()
    return _seen(row) if row is not None else None


def _seen(row: Row[*tuple[Any, ...]]) -> TicketSeen:
    m = row._mapping
    return TicketSeen(
        ticket_id=m["ticket_id"],
        number=m["number"],
        service=m["service"],
        hall_day=m["hall_day"],
        stage=Stage(m["stage"]),
        at=utc(m["at"]),
        source=Source(m["source"]),
    )


def tickets(conn: Connection, ticket_ids: Collection[str]) -> dict[str, TicketSeen]:
    """The board's rows of these tickets, by id (one statement for a batch of events)."""
    if not ticket_ids:
        return {}
    rows = conn.execute(select(board_tickets).where(board_tickets.c.ticket_id.in_(list(ticket_ids))))
    return {row.ticket_id: _seen(row) for row in rows}


def save_ticket(conn: Connection, seen: TicketSeen) -> None:
    _upsert(conn, board_tickets, _seen_row(seen), ["ticket_id"])


def save_tickets(conn: Connection, seen: Sequence[TicketSeen]) -> None:
    """Many rows in one statement (executemany: SQLAlchemy sends them as one multi-row insert)."""
    if seen:
        rows = [_seen_row(s) for s in seen]
        stmt = _upsert_statement(board_tickets, conn.dialect.name, tuple(rows[0]), ("ticket_id",))
        conn.execute(stmt, rows)


def _seen_row(seen: TicketSeen) -> dict[str, Any]:
    return {
        "ticket_id": seen.ticket_id,
        "number": seen.number,
        "service": seen.service,
        "hall_day": seen.hall_day,
        "stage": seen.stage.value,
        "at": seen.at,
        "source": seen.source.value,
    }


def waiting(conn: Connection, day: dt.date) -> dict[str, int]:
    t = board_tickets
    query = (
        select(t.c.service, func.count())
        .where(t.c.hall_day == day, t.c.stage == Stage.WAITING.value)
        .group_by(t.c.service)
    )
    return {service: int(count) for service, count in conn.execute(query)}


def prune_tickets(conn: Connection, before: dt.date) -> int:
    """Forget tickets of past hall days: they no longer count anywhere."""
    return conn.execute(delete(board_tickets).where(board_tickets.c.hall_day < before)).rowcount


def counter(conn: Connection, number: int) -> CounterSeen | None:
    row = conn.execute(select(board_counters).where(board_counters.c.number == number)).first()
    return _counter(row) if row else None


def counters(conn: Connection, zone: str) -> list[CounterSeen]:
    query = select(board_counters).where(board_counters.c.zone == zone).order_by(board_counters.c.number)
    return [_counter(r) for r in conn.execute(query)]


def save_counter(conn: Connection, seen: CounterSeen) -> None:
    row = {
        "number": seen.number,
        "zone": seen.zone,
        "status": seen.status.value,
        "at": seen.at,
        "reason": seen.reason,
    }
    _upsert(conn, board_counters, row, ["number"])


# ---- helpers ----


def _upsert(conn: Connection, table: Table, row: dict[str, Any], keys: list[str]) -> None:
    conn.execute(_upsert_statement(table, conn.dialect.name, tuple(row), tuple(keys)), row)


@functools.cache
def _upsert_statement(table: Table, dialect: str, columns: tuple[str, ...], keys: tuple[str, ...]) -> Insert:
    # Built once per table and shape with parameters: SQLAlchemy's compiled cache then serves
    # every event (building the statement anew costs more than running it).
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(table).values({c: bindparam(c) for c in columns})
    update = {c: stmt.excluded[c] for c in columns if c not in keys}
    return stmt.on_conflict_do_update(index_elements=[table.c[k] for k in keys], set_=update)


def _announcement(row: Row[*tuple[Any, ...]]) -> Announcement:
    m = row._mapping
    return Announcement(
        seq=int(m["seq"]),
        zone=m["zone"],
        ticket_id=m["ticket_id"],
        number=m["number"],
        counter=m["counter"],
        text=m["text"],
        kind=Kind(m["kind"]),
        created_at=utc(m["created_at"]),
        starts_at=utc(m["starts_at"]),
        duration=dt.timedelta(seconds=m["duration_seconds"]),
        parts=tuple(_part(p) for p in json.loads(m["parts"])) if m["parts"] else (),
        segments=tuple(Segment(lang, text) for lang, text in json.loads(m["segments"] or "[]")),
        replaces=tuple(json.loads(m["replaces"])) if m["replaces"] else (),
        posted_by=m["posted_by"] or "",
    )


def _part_json(part: Part) -> dict[str, Any]:
    return {
        "ticket_id": part.ticket_id,
        "number": part.number,
        "counter": part.counter,
        "kind": part.kind.value,
        "created_at": part.created_at.isoformat(),
        "agency": part.agency,
    }


def _part(data: dict[str, Any]) -> Part:
    return Part(
        ticket_id=data["ticket_id"],
        number=data["number"],
        counter=int(data["counter"]),
        kind=Kind(data["kind"]),
        created_at=dt.datetime.fromisoformat(data["created_at"]),
        agency=data.get("agency", ""),
    )


def _call(row: Row[*tuple[Any, ...]]) -> Call:
    m = row._mapping
    return Call(
        counter=m["counter"],
        counter_name=m["counter_name"],
        zone=m["zone"],
        ticket_id=m["ticket_id"],
        number=m["number"],
        service=m["service"],
        called_at=utc(m["called_at"]),
        announced_at=utc(m["announced_at"]),
        recalls=m["recalls"],
        serving=bool(m["serving"]),
    )


def _counter(row: Row[*tuple[Any, ...]]) -> CounterSeen:
    m = row._mapping
    return CounterSeen(
        number=m["number"],
        zone=m["zone"],
        status=CounterStatus(m["status"]),
        at=utc(m["at"]),
        reason=m["reason"],
    )


# ---- the hall's satisfaction index ----


def month_index(conn: Connection, month: str) -> MonthIndex | None:
    row = conn.execute(select(skm_index).where(skm_index.c.month == month)).first()
    if row is None:
        return None
    return MonthIndex(row.month, row.responses, row.ikm, row.grade, utc(row.at))


def save_month_index(conn: Connection, index: MonthIndex) -> None:
    """Kept unless the month's stored index was computed later (replicas' events may cross)."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(skm_index).values(
        month=index.month, responses=index.responses, ikm=index.ikm, grade=index.grade, at=index.at
    )
    changes = {name: stmt.excluded[name] for name in ("responses", "ikm", "grade", "at")}
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["month"], set_=changes, where=skm_index.c.at <= stmt.excluded.at
        )
    )
