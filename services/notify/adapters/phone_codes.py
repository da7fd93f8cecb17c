"""Notify's queries about one-time codes (:mod:`services.notify.domain.phone_codes`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, delete, func, select, update

from antre.db import utc
from services.notify.adapters.tables import deliveries, phone_codes
from services.notify.domain.phone_codes import EVENT, CodeState, PhoneCode


def add(conn: Connection, code: PhoneCode) -> None:
    conn.execute(phone_codes.insert().values(**_row(code)))


def get(conn: Connection, code_id: str, lock: bool = False) -> PhoneCode | None:
    query = select(phone_codes).where(phone_codes.c.id == code_id)
    if lock:
        query = query.with_for_update()  # parallel answers to one code take turns (PostgreSQL)
    row = conn.execute(query).first()
    return _code(row) if row else None


def save(conn: Connection, code: PhoneCode) -> None:
    conn.execute(update(phone_codes).where(phone_codes.c.id == code.id).values(**_row(code)))


def sent_since(conn: Connection, since: dt.datetime, *, address: str = "", client: str = "") -> int:
    t = phone_codes
    query = select(func.count()).select_from(t).where(t.c.created_at > since)
    query = query.where(t.c.address == address) if address else query.where(t.c.client == client)
    return int(conn.execute(query).scalar_one())


def purge(conn: Connection, before: dt.datetime) -> int:
    """Codes made before ``before`` and the messages that carried them."""
    conn.execute(delete(deliveries).where(deliveries.c.event == EVENT, deliveries.c.created_at < before))
    return conn.execute(delete(phone_codes).where(phone_codes.c.created_at < before)).rowcount


def _row(code: PhoneCode) -> dict[str, object]:
    row = dataclasses.asdict(code)
    row["state"] = code.state.value
    return row


def _code(row: Row[*tuple[Any, ...]]) -> PhoneCode:
    m = dict(row._mapping)
    m["created_at"], m["expires_at"] = utc(m["created_at"]), utc(m["expires_at"])
    m["state"] = CodeState(m["state"])
    return PhoneCode(**m)


def demo_messages(
    conn: Connection, since: dt.datetime, limit: int = 50
) -> list[tuple[dt.datetime, str, str]]:
    """The demo channel's messages (when, to which address, the payload), newest first."""
    d, c = deliveries, phone_codes
    query = (
        select(d.c.created_at, c.c.address, d.c.payload)
        .join(c, c.c.id == d.c.event_id)
        .where(d.c.channel == "demo", d.c.created_at > since)
        .order_by(d.c.created_at.desc())
        .limit(limit)
    )
    return [(utc(r.created_at), r.address, r.payload) for r in conn.execute(query)]
