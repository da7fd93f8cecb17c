"""Queries of people's accounts: officers in their roles, their sessions and failed sign-ins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Table, delete, select, update
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.db import utc
from antre.roles import Role
from services.counters.adapters.tables import officers, sessions, sign_in_failures
from services.counters.domain.stations import Officer


@dataclass(frozen=True)
class Account:
    officer: Officer
    password_hash: str
    disabled_at: dt.datetime | None


def _insert(conn: Connection) -> Callable[[Table], pg.Insert | sqlite.Insert]:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def officer_of(row: Row[*tuple[Any, ...]]) -> Officer:
    return Officer(row.username, row.name, row.agency, Role(row.role))


def account(conn: Connection, username: str) -> Account | None:
    row = conn.execute(select(officers).where(officers.c.username == username)).first()
    if row is None:
        return None
    return Account(officer_of(row), row.password_hash, utc(row.disabled_at))


def accounts(conn: Connection, agency: str = "") -> list[Account]:
    query = select(officers).order_by(officers.c.username)
    if agency:
        query = query.where(officers.c.agency == agency)
    return [Account(officer_of(r), r.password_hash, utc(r.disabled_at)) for r in conn.execute(query)]


def save(conn: Connection, officer: Officer, password_hash: str | None) -> None:
    """Create or update an account; ``password_hash`` None keeps the password it has."""
    values = {
        "username": officer.username,
        "name": officer.name,
        "agency": officer.agency,
        "role": officer.role.value,
    }
    changed = dict(values)
    if password_hash is not None:
        changed["password_hash"] = password_hash
    stmt = _insert(conn)(officers).values(**values, password_hash=password_hash or "!")
    conn.execute(stmt.on_conflict_do_update(index_elements=[officers.c.username], set_=changed))


def replace_hash(conn: Connection, username: str, old: str, new: str) -> None:
    """Change a password's hash only if it is still ``old`` (not changed since it was read)."""
    conn.execute(
        update(officers)
        .where(officers.c.username == username, officers.c.password_hash == old)
        .values(password_hash=new)
    )


def set_disabled(conn: Connection, username: str, when: dt.datetime | None) -> None:
    conn.execute(update(officers).where(officers.c.username == username).values(disabled_at=when))


def end_sessions(conn: Connection, username: str, keep_token_hash: str = "") -> int:
    """End every session of ``username`` but the one ``keep_token_hash`` names; how many ended."""
    stmt = delete(sessions).where(sessions.c.username == username)
    if keep_token_hash:
        stmt = stmt.where(sessions.c.token_hash != keep_token_hash)
    return conn.execute(stmt).rowcount


def blocked_until(conn: Connection, keys: Iterable[str]) -> dt.datetime | None:
    """The latest end of a block on any of ``keys`` (None: none was ever set)."""
    query = select(sign_in_failures.c.blocked_until).where(sign_in_failures.c.key.in_(list(keys)))
    ends = [utc(r.blocked_until) for r in conn.execute(query)]
    return max((e for e in ends if e is not None), default=None)


def failures(conn: Connection, key: str) -> int:
    row = conn.execute(select(sign_in_failures.c.failures).where(sign_in_failures.c.key == key)).first()
    return int(row.failures) if row else 0


def record_failure(conn: Connection, key: str, failures: int, blocked_until: dt.datetime) -> None:
    stmt = _insert(conn)(sign_in_failures).values(key=key, failures=failures, blocked_until=blocked_until)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[sign_in_failures.c.key],
            set_={"failures": failures, "blocked_until": blocked_until},
        )
    )


def forget_failures(conn: Connection, key: str) -> None:
    conn.execute(delete(sign_in_failures).where(sign_in_failures.c.key == key))
