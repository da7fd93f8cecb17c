"""Devices' identities: a kiosk or a board is enrolled by a hall manager and holds a token that
names it. The service the device talks to keeps the enrolment (ticketing its kiosks, the display
its boards), so checking a token costs one indexed read in the request's own transaction and no
call to another service. Only the token's SHA-256 is stored; a token is 256 random bits, so its
hash needs no salt or slow function. Enrolling again gives a new token and the old one stops
working; revoking stops it with none."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    MetaData,
    String,
    Table,
    false,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.audit import audit_event
from antre.db import utc
from antre.problems import Unauthorized
from antre.roles import Person
from antre.uow import UnitOfWork


@dataclass(frozen=True)
class Device:
    id: str
    kind: str  # kiosk, board
    enrolled_at: dt.datetime
    revoked_at: dt.datetime | None


def devices_table(metadata: MetaData) -> Table:
    return Table(
        "devices",
        metadata,
        Column("id", String(64), primary_key=True),
        Column("kind", String(16), nullable=False),
        Column("token_hash", String(64), nullable=False, unique=True),
        Column("enrolled_at", DateTime(timezone=True), nullable=False),
        Column("revoked_at", DateTime(timezone=True)),
        # Its last heartbeat written (at most one write per device every few seconds, see
        # antre.heartbeats); empty: never heard from since it was enrolled.
        Column("last_seen_at", DateTime(timezone=True)),
        # A board's last word on whether it can be heard; kiosks keep the default.
        Column("sound", Boolean, nullable=False, default=True, server_default=true()),
        # What was last published of it (device.status): a change is published once, by the job
        # whose conditional update moves these.
        Column("reported_silent", Boolean, nullable=False, default=False, server_default=false()),
        Column("reported_sound", Boolean, nullable=False, default=True, server_default=true()),
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def enrol(conn: Connection, table: Table, device_id: str, kind: str, now: dt.datetime) -> str:
    """A new token for the device (any earlier one stops working); returned once, never stored.
    The device starts again as never heard from: a replaced kiosk is no alert until its first
    heartbeat (what was reported of the old one stays, so its alert is cleared)."""
    token = secrets.token_urlsafe(32)
    values = {
        "id": device_id,
        "kind": kind,
        "token_hash": token_hash(token),
        "enrolled_at": now,
        "last_seen_at": None,
        "sound": True,
    }
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(**values, revoked_at=None)
    conn.execute(stmt.on_conflict_do_update(index_elements=[table.c.id], set_={**values, "revoked_at": None}))
    return token


def revoke(conn: Connection, table: Table, device_id: str, now: dt.datetime) -> bool:
    """Whether there was a live token to revoke."""
    stmt = update(table).where(table.c.id == device_id, table.c.revoked_at.is_(None)).values(revoked_at=now)
    return bool(conn.execute(stmt).rowcount)


def listed(conn: Connection, table: Table) -> list[Device]:
    rows = conn.execute(select(table).order_by(table.c.id))
    return [Device(r.id, r.kind, utc(r.enrolled_at), utc(r.revoked_at)) for r in rows]


def device_for(conn: Connection, table: Table, token: str, kind: str) -> Device:
    """The live device of ``kind`` the token names, or a refusal that says what is needed."""
    query = select(table).where(
        table.c.token_hash == token_hash(token), table.c.kind == kind, table.c.revoked_at.is_(None)
    )
    row = conn.execute(query).first() if token else None
    if row is None:
        raise device_required(kind)
    return Device(row.id, row.kind, utc(row.enrolled_at), None)


DEVICE_NAMES = {"kiosk": ("kios", "kiosk"), "board": ("papan", "board")}


def device_required(kind: str) -> Unauthorized:
    name, name_en = DEVICE_NAMES.get(kind, (kind, kind))
    return Unauthorized(
        "device_required",
        f"Hanya {name} yang terdaftar di MPP yang boleh melakukan ini; minta pengelola mendaftarkannya",
        f"Only a {name_en} enrolled by the hall may do this; ask the hall manager to enrol it",
    )


def bearer_of(authorization: str) -> str:
    """The token of an ``Authorization: Bearer`` header, or empty."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


# ---- enrolment, each in the audit log ----


def enrol_audited(
    uow: UnitOfWork, table: Table, hall: str, actor: Person | None, device_id: str, kind: str
) -> str:
    """Enrol (or enrol again) and record it in the same transaction; the new token."""
    with uow.begin() as tx:
        token = enrol(tx.conn, table, device_id, kind, tx.now)
        tx.publish(audit_event(hall, tx.now, actor, "device.enrolled", device_id, kind))
    return token


def revoke_audited(
    uow: UnitOfWork, table: Table, hall: str, actor: Person | None, device_id: str, kind: str
) -> bool:
    with uow.begin() as tx:
        revoked = revoke(tx.conn, table, device_id, tx.now)
        if revoked:
            tx.publish(audit_event(hall, tx.now, actor, "device.revoked", device_id, kind))
    return revoked


def listed_of(uow: UnitOfWork, table: Table, kind: str) -> list[Device]:
    with uow.read() as conn:
        return [d for d in listed(conn, table) if d.kind == kind]
