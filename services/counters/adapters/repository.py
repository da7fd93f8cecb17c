"""All of the counters' queries."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Connection,
    Insert,
    Row,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.db import row_of, utc
from antre.hall.model import PriorityGroup
from antre.roles import Role
from services.counters.adapters.tables import officers, queue, sessions, stations
from services.counters.domain.blending import Blended
from services.counters.domain.dispatch import Candidate
from services.counters.domain.queue import QueuedTicket, State
from services.counters.domain.stations import Officer, Station, StationState


def _insert(conn: Connection) -> Callable[[Table], pg.Insert | sqlite.Insert]:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


# ---- queue ----


# Statements on the hot paths (a ticket joining, a call) are built once with parameters, so that
# SQLAlchemy's compiled cache serves them: building them anew costs more than the database here.


@functools.cache
def _add_ticket(dialect: str) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values: dict[str, BindParameter[Any]] = {c.name: bindparam(c.name) for c in queue.columns}
    stmt = insert(queue).values(values).on_conflict_do_nothing(index_elements=[queue.c.id])
    return stmt.returning(queue.c.id)


def add_tickets(conn: Connection, tickets: Sequence[QueuedTicket]) -> list[QueuedTicket]:
    """Many tickets in one statement (executemany: SQLAlchemy sends one multi-row insert); the
    ones that were not queued already."""
    if not tickets:
        return []
    rows = conn.execute(_add_ticket(conn.dialect.name), [_row(t) for t in tickets])
    added = {row[0] for row in rows}
    return [t for t in tickets if t.id in added]


def get_ticket(conn: Connection, ticket_id: str, *, lock: bool = False) -> QueuedTicket | None:
    query = select(queue).where(queue.c.id == ticket_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _ticket(row) if row else None


def ticket_by_number(
    conn: Connection, number: str, day: dt.date, *, lock: bool = False
) -> QueuedTicket | None:
    """The day's ticket with this number (one per day: each service has its own prefix, and a
    transfer keeps the number), locked on PostgreSQL when asked."""
    query = select(queue).where(queue.c.hall_day == day, queue.c.number == number)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query.order_by(queue.c.issued_at).limit(1)).first()
    return _ticket(row) if row else None


ASIDE = (State.HELD.value, State.SKIPPED.value, State.NO_SHOW.value)


def aside_at(conn: Connection, counter: int, day: dt.date, passed: int = 5) -> list[QueuedTicket]:
    """The day's tickets a counter put aside: every one it holds (earliest held first), then the
    latest ``passed`` it passed over (skipped or no-show), for its officer to bring back."""
    q = queue.c
    query = select(queue).where(q.state.in_(ASIDE), q.hall_day == day, q.counter == counter)
    rows = [_ticket(r) for r in conn.execute(query)]
    held = sorted((t for t in rows if t.state == State.HELD), key=lambda t: (t.held_at, t.id))
    gone = sorted((t for t in rows if t.state != State.HELD), key=lambda t: (t.finished_at, t.id))
    return held + gone[::-1][:passed]


def held_aside(conn: Connection, services: Sequence[str], day: dt.date) -> dict[int, list[str]]:
    """Per counter, the services of the day's tickets it holds aside (state held)."""
    q = queue.c
    query = select(q.counter, q.service).where(
        q.state == State.HELD.value, q.hall_day == day, q.service.in_(services)
    )
    out: dict[int, list[str]] = {}
    for r in conn.execute(query.order_by(q.held_at, q.id)):
        out.setdefault(r.counter, []).append(r.service)
    return out


def count_held(conn: Connection, counter: int, day: dt.date) -> int:
    q = queue.c
    query = select(func.count()).where(q.state == State.HELD.value, q.hall_day == day, q.counter == counter)
    return int(conn.execute(query).scalar_one())


def save_ticket(conn: Connection, ticket: QueuedTicket) -> None:
    conn.execute(update(queue).where(queue.c.id == bindparam("key")), {**_row(ticket), "key": ticket.id})


@functools.cache
def _claim() -> Update:
    waiting = queue.c.state == State.WAITING.value
    return update(queue).where(queue.c.id == bindparam("key"), waiting).returning(*queue.columns)


def claim(
    conn: Connection, ticket_id: str, counter: int, officer: str, now: dt.datetime
) -> QueuedTicket | None:
    """:func:`..domain.queue.call` as one compare-and-set statement: the ticket becomes this
    counter's only if it is still waiting (None otherwise), and comes back as called. Under
    PostgreSQL's read committed a concurrent claimer blocks on the row, then sees it called and
    updates nothing; under SQLite writers are serialised by BEGIN IMMEDIATE."""
    params = {"key": ticket_id, "state": State.CALLED.value, "counter": counter, "officer": officer}
    row = conn.execute(_claim(), {**params, "called_at": now, "recalls": 0}).first()
    return _ticket(row) if row is not None else None


def claim_holding(
    conn: Connection, ticket_id: str, held: Station, officer: str, now: dt.datetime
) -> QueuedTicket | None:
    """:func:`claim`, and if it succeeds the counter's new state ``held`` saved with it: on
    PostgreSQL in one statement (the station's update runs only if the claim returned a row), on
    SQLite as two."""
    if conn.dialect.name != "postgresql":
        called = claim(conn, ticket_id, held.number, officer, now)
        if called is not None:
            save_station(conn, held)
        return called
    station = {f"held_{k}": v for k, v in row_of(held).items()}
    station["held_state"] = held.state.value
    params = {"key": ticket_id, "counter": held.number, "officer": officer, "called_at": now, **station}
    row = conn.execute(_claim_holding(), params).first()
    return _ticket(row) if row is not None else None


@functools.cache
def _claim_holding() -> Select[*tuple[Any, ...]]:
    claimed = (
        update(queue)
        .where(queue.c.id == bindparam("key"), queue.c.state == State.WAITING.value)
        .values(
            state=State.CALLED.value,
            counter=bindparam("counter"),
            officer=bindparam("officer"),
            called_at=bindparam("called_at"),
            recalls=0,
        )
        .returning(*queue.columns)
        .cte("claimed")
    )
    changes: dict[str, BindParameter[Any]] = {
        c.name: bindparam(f"held_{c.name}") for c in stations.columns if c.name != "number"
    }
    held = (
        update(stations)
        .where(stations.c.number == bindparam("held_number"), exists(select(claimed.c.id)))
        .values(**changes)
        .cte("held")
    )
    return select(claimed).add_cte(held)


def candidates(
    conn: Connection,
    services: Sequence[str],
    day: dt.date,
    per_stream: int = 8,
    *,
    by_session: tuple[bool, bool] = (True, True),
    skip_locked: bool = True,
) -> list[Blended]:
    """The heads of the queue of these services, enough for any policy to choose from without
    reading the whole queue: per lane (priority, regular), the first walk-ins by arrival and the
    first booked tickets by session or by check-in (``by_session``: for the regular lane, then the
    priority lane; :func:`blending.booked_in_session_order` says which).

    On PostgreSQL the heads are locked with SKIP LOCKED, so counters calling at the same moment
    see disjoint heads instead of queueing behind one another's row locks; tickets called at the
    same instant are served in parallel, and the order among them is not meaningful."""
    lock = skip_locked and conn.dialect.name == "postgresql"
    stmt = _heads(tuple(services), per_stream, by_session, lock)
    return [_blended(r) for r in conn.execute(stmt, {"day": day})]


@functools.cache
def _heads(
    services: tuple[str, ...], per_stream: int, by_session: tuple[bool, bool], lock: bool
) -> CompoundSelect[*tuple[Any, ...]]:
    """The four lanes' heads in one statement (one round trip): each lane a CTE, since PostgreSQL
    allows row locks in a CTE but not in a branch of a UNION."""
    q = queue.c
    base = select(q.id, q.service, q.priority, q.queued_at, q.session_start).where(
        q.state == State.WAITING.value, q.hall_day == bindparam("day"), q.service.in_(services)
    )
    by_arrival = (q.queued_at, q.id)
    regular, priority = ((q.session_start, *by_arrival) if s else by_arrival for s in by_session)
    none = PriorityGroup.NONE.value
    streams = [
        base.where(q.priority == none, q.session_start.is_(None)).order_by(*by_arrival),
        base.where(q.priority != none, q.session_start.is_(None)).order_by(*by_arrival),
        base.where(q.priority == none, q.session_start.is_not(None)).order_by(*regular),
        base.where(q.priority != none, q.session_start.is_not(None)).order_by(*priority),
    ]
    lanes = []
    for i, stream in enumerate(streams):
        stream = stream.limit(per_stream)
        if lock:
            stream = stream.with_for_update(skip_locked=True)
        lanes.append(stream.cte(f"lane{i}"))
    first, *rest = (select(lane) for lane in lanes)
    return first.union_all(*rest)


def waiting_in(conn: Connection, services: Sequence[str], day: dt.date) -> list[Blended]:
    """Every waiting ticket of these services on the day (a position's queue, a forecast's
    snapshot)."""
    q = queue.c
    query = select(q.id, q.service, q.priority, q.queued_at, q.session_start).where(
        q.state == State.WAITING.value, q.hall_day == day, q.service.in_(services)
    )
    return [_blended(r) for r in conn.execute(query)]


def at_desks(conn: Connection, ticket_ids: Sequence[str]) -> dict[str, tuple[str, dt.datetime | None]]:
    """(service, called at) of the tickets at counters' desks (their ``current``), by id."""
    if not ticket_ids:
        return {}
    q = queue.c
    rows = conn.execute(select(q.id, q.service, q.called_at).where(q.id.in_(ticket_ids)))
    return {r.id: (r.service, utc(r.called_at)) for r in rows}


FINISHED = (State.COMPLETED.value, State.SKIPPED.value, State.NO_SHOW.value)


def counter_minutes(
    conn: Connection, services: Sequence[str], day: dt.date, per_service: int = 200
) -> dict[str, list[float]]:
    """Minutes each of today's finished tickets held its counter (called to finished), the latest
    ``per_service`` per service: what a counter's next call waits for, a no-show's wait included."""
    q = queue.c
    query = (
        select(q.service, q.called_at, q.finished_at)
        .where(q.hall_day == day, q.service.in_(services), q.state.in_(FINISHED), q.called_at.is_not(None))
        .order_by(q.finished_at.desc())
    )
    out: dict[str, list[float]] = {s: [] for s in services}
    for r in conn.execute(query):
        held = out[r.service]
        if len(held) < per_service and r.finished_at is not None:
            held.append((utc(r.finished_at) - utc(r.called_at)).total_seconds() / 60.0)
    return out


def joined_since(
    conn: Connection, services: Sequence[str], day: dt.date, since: dt.datetime
) -> list[tuple[str, bool, bool]]:
    """(service, priority, booked) of every ticket that joined these queues since ``since``,
    whatever became of it: the recent arrivals by stream."""
    q = queue.c
    query = select(q.service, q.priority, q.queued_at, q.session_start).where(
        q.hall_day == day, q.service.in_(services), q.queued_at >= since
    )
    return [
        (
            r.service,
            r.priority != PriorityGroup.NONE.value,
            r.session_start is not None and utc(r.queued_at) <= utc(r.session_start),
        )
        for r in conn.execute(query)
    ]


def waiting_counts(conn: Connection, day: dt.date) -> dict[str, int]:
    query = (
        select(queue.c.service, func.count())
        .where(queue.c.state == State.WAITING.value, queue.c.hall_day == day)
        .group_by(queue.c.service)
    )
    return {service: int(n) for service, n in conn.execute(query)}


def _blended(row: Row[*tuple[Any, ...]]) -> Blended:
    candidate = Candidate(
        ticket_id=row.id,
        service=row.service,
        priority=row.priority != PriorityGroup.NONE.value,
        queued_at=utc(row.queued_at),
    )
    return Blended.of(candidate, utc(row.session_start))


def _row(ticket: QueuedTicket) -> dict[str, object]:
    row = row_of(ticket)
    row["priority"] = ticket.priority.value
    row["state"] = ticket.state.value
    return row


def _ticket(row: Row[*tuple[Any, ...]]) -> QueuedTicket:
    m = dict(row._mapping)
    for key in (
        "issued_at",
        "queued_at",
        "called_at",
        "serving_started_at",
        "finished_at",
        "session_start",
        "held_at",
        "returned_at",
    ):
        m[key] = utc(m[key])
    m["priority"] = PriorityGroup(m["priority"])
    m["state"] = State(m["state"])
    return QueuedTicket(**m)


# ---- stations ----


def ensure_stations(conn: Connection, numbers: Iterable[int]) -> None:
    for number in numbers:
        stmt = _insert(conn)(stations).values(number=number, state=StationState.CLOSED.value)
        conn.execute(stmt.on_conflict_do_nothing(index_elements=[stations.c.number]))


@functools.cache
def _get_station(lock: bool) -> Select[*tuple[Any, ...]]:
    query = select(stations).where(stations.c.number == bindparam("number"))
    return query.with_for_update() if lock else query


def get_station(conn: Connection, number: int, *, lock: bool = False) -> Station | None:
    query = _get_station(lock and conn.dialect.name == "postgresql")
    row = conn.execute(query, {"number": number}).first()
    return _station(row) if row is not None else None


def _station(row: Row[*tuple[Any, ...]]) -> Station:
    m = {c.name: row._mapping[c.name] for c in stations.columns}
    m["state"] = StationState(m["state"])
    m["changed_at"] = utc(m["changed_at"])
    return Station(**m)


def desk(
    conn: Connection, number: int, token_hash: str, now: dt.datetime
) -> tuple[Station | None, Officer | None]:
    """A queue action's first read in one statement (a round trip of every button press): the
    counter's station row, locked on PostgreSQL, and the officer whose unexpired session the
    token opens (None for either that is not there)."""
    params = {"number": number, "token_hash": token_hash, "now": now}
    row = conn.execute(_desk(conn.dialect.name == "postgresql"), params).first()
    if row is None:
        return None, None
    officer = (
        Officer(row.signed_username, row.signed_name, row.signed_agency, Role(row.signed_role))
        if row.signed_username
        else None
    )
    return _station(row), officer


@functools.cache
def _desk(lock: bool) -> Select[*tuple[Any, ...]]:
    signed = _session_officer().subquery("signed")
    query = (
        select(
            stations,
            signed.c.username.label("signed_username"),
            signed.c.name.label("signed_name"),
            signed.c.agency.label("signed_agency"),
            signed.c.role.label("signed_role"),
        )
        .select_from(stations.outerjoin(signed, true()))
        .where(stations.c.number == bindparam("number"))
    )
    return query.with_for_update(of=stations) if lock else query


def idle_open_stations(conn: Connection) -> list[Station]:
    """Counters open or paused that hold no ticket, in one statement."""
    query = select(stations).where(stations.c.state != StationState.CLOSED.value, stations.c.current == "")
    return [_station(r) for r in conn.execute(query.order_by(stations.c.number))]


def all_stations(conn: Connection) -> list[Station]:
    numbers = [r.number for r in conn.execute(select(stations.c.number).order_by(stations.c.number))]
    return [s for n in numbers if (s := get_station(conn, n)) is not None]


def save_station(conn: Connection, station: Station) -> None:
    values = row_of(station)
    values["state"] = station.state.value
    values["key"] = values.pop("number")
    conn.execute(_save_station(), values)


@functools.cache
def _save_station() -> Update:
    return update(stations).where(stations.c.number == bindparam("key"))


# ---- officers ----


def add_session(conn: Connection, token_hash: str, username: str, expires_at: dt.datetime) -> None:
    conn.execute(sessions.insert().values(token_hash=token_hash, username=username, expires_at=expires_at))


@functools.cache
def _session_officer() -> Select[*tuple[Any, ...]]:
    return (
        select(officers)
        .join(sessions, sessions.c.username == officers.c.username)
        .where(
            sessions.c.token_hash == bindparam("token_hash"),
            sessions.c.expires_at > bindparam("now"),
            officers.c.disabled_at.is_(None),
        )
    )


def session_officer(conn: Connection, token_hash: str, now: dt.datetime) -> Officer | None:
    """The officer of a session that has not expired (every request of an officer asks)."""
    row = conn.execute(_session_officer(), {"token_hash": token_hash, "now": now}).first()
    return Officer(row.username, row.name, row.agency, Role(row.role)) if row else None


def signed_in(conn: Connection, username: str, now: dt.datetime) -> bool:
    """Whether the officer has a session that has not ended."""
    query = select(sessions.c.token_hash).where(sessions.c.username == username, sessions.c.expires_at > now)
    return conn.execute(query.limit(1)).first() is not None


def end_session(conn: Connection, token_hash: str, now: dt.datetime) -> None:
    conn.execute(
        delete(sessions).where(or_(sessions.c.token_hash == token_hash, sessions.c.expires_at <= now))
    )
