"""Notify's queries about citizens: the contacts of bookings and the opted-out addresses."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Row, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.db import utc
from services.notify.adapters.tables import contacts, opt_outs
from services.notify.domain.citizens import Contact, Stage


def add(conn: Connection, contact: Contact) -> bool:
    """Insert a contact; False if the booking already has one."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(contacts).values(**_row(contact)).on_conflict_do_nothing()
    return conn.execute(stmt.returning(contacts.c.booking_id)).first() is not None


def save(conn: Connection, contact: Contact) -> None:
    t = contacts
    conn.execute(update(t).where(t.c.booking_id == contact.booking_id).values(**_row(contact)))


def get(conn: Connection, booking_id: str) -> Contact | None:
    row = conn.execute(select(contacts).where(contacts.c.booking_id == booking_id)).first()
    return _contact(row) if row else None


def by_ticket(conn: Connection, ticket_id: str) -> Contact | None:
    if not ticket_id:
        return None
    row = conn.execute(select(contacts).where(contacts.c.ticket_id == ticket_id)).first()
    return _contact(row) if row else None


def remove(conn: Connection, booking_id: str) -> None:
    conn.execute(delete(contacts).where(contacts.c.booking_id == booking_id))


def queue_moved(conn: Connection, service: str | None) -> int:
    """Flag every booked ticket waiting in ``service`` (None: in any service) that still awaits its
    "turn near" for a position check; returns how many."""
    t = contacts
    query = (
        update(t)
        .where(t.c.stage == Stage.WAITING.value, t.c.turn_near_sent.is_(False))
        .values(position_check=t.c.position_check + 1)
    )
    if service is not None:
        query = query.where(t.c.service == service)
    return conn.execute(query).rowcount


def position_checks_due(conn: Connection, limit: int) -> list[Contact]:
    t = contacts
    query = (
        select(t)
        .where(t.c.stage == Stage.WAITING.value, t.c.position_check > 0, t.c.turn_near_sent.is_(False))
        .order_by(t.c.booking_id)
        .limit(limit)
    )
    return [_contact(r) for r in conn.execute(query)]


def position_checked(conn: Connection, booking_id: str, seen: int) -> bool:
    """Clear the flag, unless the queue moved again since it was read (then it stays for the next
    round); False in that case."""
    t = contacts
    query = update(t).where(t.c.booking_id == booking_id, t.c.position_check == seen).values(position_check=0)
    return conn.execute(query).rowcount == 1


def reminder_candidates(conn: Connection, up_to_day: str, now: dt.datetime) -> list[Contact]:
    """Booked, not yet reminded for their day, the day at most ``up_to_day``, the session ahead;
    the domain decides which of them are due. At most two days of bookings: no limit needed."""
    t = contacts
    query = (
        select(t)
        .where(
            t.c.stage == Stage.BOOKED.value,
            t.c.reminded_day != t.c.day,
            t.c.day <= up_to_day,
            t.c.session_start > now,
        )
        .order_by(t.c.session_start, t.c.booking_id)
    )
    return [_contact(r) for r in conn.execute(query)]


def due_for_purge(conn: Connection, now: dt.datetime, limit: int) -> list[str]:
    t = contacts
    query = select(t.c.booking_id).where(t.c.purge_after <= now).order_by(t.c.purge_after).limit(limit)
    return [r.booking_id for r in conn.execute(query)]


def remove_many(conn: Connection, booking_ids: Collection[str]) -> int:
    if not booking_ids:
        return 0
    return conn.execute(delete(contacts).where(contacts.c.booking_id.in_(list(booking_ids)))).rowcount


# ---- opt-outs ----


def opt_out(conn: Connection, digest: str, now: dt.datetime) -> bool:
    """Record an opted-out address's digest; False if it already was."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(opt_outs).values(digest=digest, created_at=now).on_conflict_do_nothing()
    return conn.execute(stmt.returning(opt_outs.c.digest)).first() is not None


def opted_out(conn: Connection, digests: Collection[str]) -> set[str]:
    if not digests:
        return set()
    query = select(opt_outs.c.digest).where(opt_outs.c.digest.in_(list(digests)))
    return {r.digest for r in conn.execute(query)}


def _row(contact: Contact) -> dict[str, object]:
    row = dataclasses.asdict(contact)
    row["stage"] = contact.stage.value
    return row


def _contact(row: Row[*tuple[Any, ...]]) -> Contact:
    m = dict(row._mapping)
    for name in ("session_start", "session_end", "created_at", "purge_after"):
        m[name] = utc(m[name])
    m["stage"] = Stage(m["stage"])
    m["turn_near_sent"] = bool(m["turn_near_sent"])
    return Contact(**m)
