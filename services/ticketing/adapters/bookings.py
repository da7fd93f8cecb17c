"""Ticketing's queries for bookings, the day's pools, session counts, no-shows and rate
windows. Every take is one conditional statement, so no interleaving grants more than there is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, Table, and_, select, update
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.db import utc
from antre.hall import model
from services.ticketing.adapters.tables import bookings, day_pools, no_shows, rate_windows, session_counts
from services.ticketing.domain.bookings import DayPool
from services.ticketing.domain.citizen_bookings import Booking, State


def _insert(conn: Connection) -> Callable[[Table], pg.Insert | sqlite.Insert]:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


# ---- the day's pool ----


def ensure_pool(conn: Connection, service: str, day: dt.date, rules: model.Booking) -> None:
    values = {
        "service": service,
        "day": day,
        "daily_quota": rules.daily_quota,
        "online_quota": rules.online_quota,
        "online_used": 0,
        "walk_in_used": 0,
    }
    conn.execute(_insert(conn)(day_pools).values(**values).on_conflict_do_nothing())


def take_from_pool(conn: Connection, service: str, day: dt.date, side: str) -> bool:
    """``side`` is "online" or "walk_in": one more of it, if its share is not used up."""
    p = day_pools.c
    key = and_(p.service == service, p.day == day)
    if side == "online":
        stmt = (
            update(day_pools).where(key, p.online_used < p.online_quota).values(online_used=p.online_used + 1)
        )
    else:
        room = p.walk_in_used < p.daily_quota - p.online_quota
        stmt = update(day_pools).where(key, room).values(walk_in_used=p.walk_in_used + 1)
    return conn.execute(stmt).rowcount == 1


def release_online(conn: Connection, service: str, day: dt.date) -> None:
    p = day_pools.c
    stmt = update(day_pools).where(p.service == service, p.day == day, p.online_used > 0)
    conn.execute(stmt.values(online_used=p.online_used - 1))


def release_walk_in(conn: Connection, service: str, day: dt.date) -> None:
    """A walk-in number that never reached the queue (its print failed) gives its place back."""
    p = day_pools.c
    stmt = update(day_pools).where(p.service == service, p.day == day, p.walk_in_used > 0)
    conn.execute(stmt.values(walk_in_used=p.walk_in_used - 1))


def pool(conn: Connection, service: str, day: dt.date, rules: model.Booking) -> DayPool:
    row = conn.execute(
        select(day_pools).where(day_pools.c.service == service, day_pools.c.day == day)
    ).first()
    if row is None:
        return DayPool.of(rules)
    return DayPool(row.daily_quota, row.online_quota, row.online_used, row.walk_in_used)


# ---- sessions ----


def take_session(conn: Connection, service: str, start: dt.datetime, capacity: int) -> bool:
    s = session_counts.c
    values = {"service": service, "session_start": start, "capacity": capacity, "booked": 0}
    conn.execute(_insert(conn)(session_counts).values(**values).on_conflict_do_nothing())
    stmt = update(session_counts).where(s.service == service, s.session_start == start, s.booked < s.capacity)
    return conn.execute(stmt.values(booked=s.booked + 1)).rowcount == 1


def release_session(conn: Connection, service: str, start: dt.datetime) -> None:
    s = session_counts.c
    stmt = update(session_counts).where(s.service == service, s.session_start == start, s.booked > 0)
    conn.execute(stmt.values(booked=s.booked - 1))


def sessions_booked(conn: Connection, service: str, starts: list[dt.datetime]) -> dict[dt.datetime, int]:
    s = session_counts.c
    query = select(s.session_start, s.booked).where(s.service == service, s.session_start.in_(starts))
    return {utc(start): booked for start, booked in conn.execute(query)}


# ---- bookings ----


def add(conn: Connection, booking: Booking) -> None:
    conn.execute(bookings.insert(), _row(booking))


def save(conn: Connection, booking: Booking) -> None:
    """Everything but the count of wrong NIKs, which only :func:`count_nik_failure` and
    :func:`reset_nik_failures` write: a save never undoes a failure counted meanwhile."""
    row = _row(booking)
    del row["nik_failures"]
    stmt = update(bookings).where(bookings.c.id == booking.id)
    conn.execute(stmt.values(**row))


def count_nik_failure(conn: Connection, booking_id: str) -> int:
    """One more wrong NIK for this booking, in one statement; returns the count so far."""
    r = bookings.c
    stmt = (
        update(bookings)
        .where(r.id == booking_id)
        .values(nik_failures=r.nik_failures + 1)
        .returning(r.nik_failures)
    )
    return int(conn.execute(stmt).scalar_one())


def reset_nik_failures(conn: Connection, booking_id: str, now: dt.datetime) -> None:
    stmt = update(bookings).where(bookings.c.id == booking_id)
    conn.execute(stmt.values(nik_failures=0, updated_at=now))


def by_code(conn: Connection, code: str, *, lock: bool = False) -> Booking | None:
    query = select(bookings).where(bookings.c.code == code)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _booking(row) if row else None


def due_for_no_show(conn: Connection, started_before: dt.datetime) -> list[Booking]:
    query = select(bookings).where(
        bookings.c.state == State.BOOKED.value, bookings.c.session_start < started_before
    )
    return [_booking(r) for r in conn.execute(query.limit(500))]


def add_no_show(conn: Connection, booking: Booking) -> None:
    values = {"reservation_id": booking.id, "nik_key": booking.nik_key, "day": booking.day}
    conn.execute(_insert(conn)(no_shows).values(**values).on_conflict_do_nothing())


def no_show_days(conn: Connection, nik_key: str, since: dt.date) -> list[dt.date]:
    query = select(no_shows.c.day).where(no_shows.c.nik_key == nik_key, no_shows.c.day >= since)
    return list(conn.execute(query).scalars())


# ---- rate limits ----


def hit(conn: Connection, key: str, window: dt.datetime) -> int:
    """Count one request in the key's window; returns the window's count so far."""
    insert = _insert(conn)(rate_windows).values(key=key, window=window, hits=1)
    counted = insert.on_conflict_do_update(
        index_elements=[rate_windows.c.key, rate_windows.c.window], set_={"hits": rate_windows.c.hits + 1}
    ).returning(rate_windows.c.hits)
    return int(conn.execute(counted).scalar_one())


def hits_so_far(conn: Connection, key: str, window: dt.datetime) -> int:
    query = select(rate_windows.c.hits).where(rate_windows.c.key == key, rate_windows.c.window == window)
    return int(conn.execute(query).scalar_one_or_none() or 0)


def forget_windows(conn: Connection, before: dt.datetime) -> int:
    """Delete the windows that began before ``before``; returns how many."""
    return conn.execute(rate_windows.delete().where(rate_windows.c.window < before)).rowcount


def _row(booking: Booking) -> dict[str, object]:
    row = asdict(booking)
    row["state"] = booking.state.value
    return row


def _booking(row: Row[*tuple[Any, ...]]) -> Booking:
    m = dict(row._mapping)
    for key in ("session_start", "session_end", "created_at", "updated_at"):
        m[key] = utc(m[key])
    m["state"] = State(m["state"])
    return Booking(**m)
