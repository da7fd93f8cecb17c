"""The figures of a report cut by PostgreSQL: the same numbers as
:func:`services.reports.domain.figures.grouped`, to the digit, without bringing a month's legs
into Python.

Why a second path: on a hall-month (some 31,500 legs) fetching the rows and turning them into
Python values costs more than the figures themselves; PostgreSQL groups them where they lie. The
Python figures stay the reference: a test holds this path to them on every dimension of a known
day, and SQLite (``make run``) uses only them.

How each figure is kept exact:

- p50 and p90 are ``percentile_disc``, which takes the value at rank ``ceil(p * n)``: the
  nearest rank of the domain. PostgreSQL computes ``p * n`` in double precision; for 0.5 and 0.9
  that equals the integer ceiling for every n up to at least two million (checked), far beyond
  any group a hall produces;
- a mean is the sum and the count (integers) divided here in Python, as the domain divides;
- a ticket's channel and priority are those of its first leg in the group (no earlier leg of the
  ticket in the range and the group), as the domain takes them;
- outcomes, channels and priorities are counted for the values the record writes; a row with any
  other value (none is written today) makes the caller fall back to the Python figures, so that
  an unexpected value is counted the domain's way rather than dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    String,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql

from services.reports.adapters.tables import bookings, legs
from services.reports.domain.figures import (
    BOOKED_BY,
    BOOKING_STATES,
    CHANNELS,
    OPEN,
    OUTCOMES,
    PRIORITIES,
    Bookings,
    Dimension,
    Figures,
    Key,
    Stats,
    share,
)

CLOSED = [o for o in OUTCOMES if o != "open"]
PERCENTILES = postgresql.array([literal(0.5, Float), literal(0.9, Float)])


class Unexpected(Exception):
    """A leg with an outcome, channel or priority the record does not write: use the domain."""


@dataclass(frozen=True)
class Scope:
    """Which legs and bookings: of one hall or several (a city's record in one database), days
    inclusive, one agency and one service (empty: all)."""

    halls: tuple[str, ...]
    start: dt.date
    end: dt.date
    agency: str = ""
    service: str = ""


def _where(table: Any, scope: Scope) -> list[ColumnElement[bool]]:
    # The halls by name, never "any hall": the index leads with the hall, so each named hall's
    # days are one range of it, and a city's month is twenty ranges, not the whole table.
    conditions = [table.c.hall.in_(scope.halls), table.c.day.between(scope.start, scope.end)]
    if scope.agency:
        conditions.append(table.c.agency == scope.agency)
    if scope.service:
        conditions.append(table.c.service == scope.service)
    return conditions


def _key(table: Any, by: Dimension) -> ColumnElement[Any]:
    if by is Dimension.HALL:
        return literal("")
    column: ColumnElement[Any] = table.c[by.value]
    return column.collate("C") if isinstance(column.type, String) else column


def prepare(conn: Connection) -> None:
    """For the rest of this read: room to sort a range's legs in memory (a hall-month's are some
    5 MB), and no JIT compiling, which costs more than it saves on a few tens of thousands of rows."""
    conn.execute(text("SET LOCAL work_mem = '64MB'"))
    conn.execute(text("SET LOCAL jit = off"))


def _limit(targets: Mapping[str, int]) -> ColumnElement[Any]:
    """Each leg's standard in seconds, null for a service the hall file no longer names."""
    if not targets:
        return literal(None)
    return case({code: minutes * 60 for code, minutes in targets.items()}, value=legs.c.service, else_=None)


def _first_in_group(scope: Scope, by: Dimension) -> ColumnElement[bool]:
    """A leg is its ticket's first in the group unless an earlier leg of the ticket is in the
    range asked and in the same group. Leg 0 always is; the rest (a transfer's, a few in a
    hundred) are looked up by the primary key, which costs less than sorting every leg."""
    earlier = legs.alias("earlier")
    same = [earlier.c.ticket_id == legs.c.ticket_id, earlier.c.leg < legs.c.leg, *_where(earlier, scope)]
    if by is not Dimension.HALL:
        same.append(earlier.c[by.value].is_not_distinct_from(legs.c[by.value]))
    return or_(legs.c.leg == 0, ~exists().where(*same))


def _legs_statement(scope: Scope, by: Dimension, targets: Mapping[str, int]) -> Any:
    inner = (
        select(
            _key(legs, by).label("key"),
            legs.c.outcome,
            legs.c.channel,
            legs.c.priority,
            legs.c.wait_seconds,
            legs.c.service_seconds,
            _limit(targets).label("lim"),
            _first_in_group(scope, by).label("first"),
        )
        .where(*_where(legs, scope))
        # OFFSET 0 keeps the subquery whole: pulled up, its lookup would run once per use below.
        .offset(0)
        .subquery()
    )
    c = inner.c
    first = c.first
    waited = c.wait_seconds.is_not(None)
    served = (c.outcome == "served") & c.service_seconds.is_not(None)
    columns: list[Any] = [
        c.key,
        func.count().label("queued"),
        func.count().filter(first).label("visits"),
        func.count(c.wait_seconds).label("wait_n"),
        func.sum(c.wait_seconds).label("wait_sum"),
        # Both percentiles from one sort of the group's values.
        func.percentile_disc(PERCENTILES).within_group(c.wait_seconds).label("wait_pct"),
        func.count().filter(served).label("service_n"),
        func.sum(c.service_seconds).filter(served).label("service_sum"),
        func.percentile_disc(PERCENTILES).within_group(c.service_seconds).filter(served).label("service_pct"),
        func.count().filter(waited & c.lim.is_not(None)).label("wait_of"),
        func.count().filter(waited & (c.wait_seconds <= c.lim)).label("wait_within"),
        func.count().filter(served & c.lim.is_not(None)).label("served_of"),
        func.count().filter(served & (c.service_seconds <= c.lim)).label("served_within"),
        func.count().filter(c.outcome.in_(sorted(OPEN))).label("o_open"),
        *(func.count().filter(c.outcome == o).label(f"o_{o}") for o in CLOSED),
        *(func.count().filter(first & (c.channel == ch)).label(f"c_{ch}") for ch in CHANNELS),
        *(func.count().filter(first & (c.priority == p)).label(f"p_{p}") for p in PRIORITIES),
        func.count()
        .filter(
            or_(
                c.outcome.not_in([*CLOSED, *OPEN]),
                first & c.channel.not_in(CHANNELS),
                first & c.priority.not_in(PRIORITIES),
            )
        )
        .label("unexpected"),
    ]
    return select(*columns).group_by(c.key)


def _stats(n: int, total: int | None, p50_p90: list[int] | None) -> Stats:
    if not n or total is None or p50_p90 is None:
        return Stats()
    return Stats(n, total / n, p50_p90[0], p50_p90[1])


def _figures(row: Any, booked: Bookings | None) -> Figures:
    outcomes = {o: row._mapping[f"o_{o}"] for o in OUTCOMES}
    return Figures(
        visits=row.visits,
        queued=row.queued,
        outcomes=outcomes,
        wait=_stats(row.wait_n, row.wait_sum, row.wait_pct),
        service=_stats(row.service_n, row.service_sum, row.service_pct),
        service_within_target=share(row.served_within, row.served_of),
        wait_within_target=share(row.wait_within, row.wait_of),
        channels={ch: row._mapping[f"c_{ch}"] for ch in CHANNELS},
        priorities={p: row._mapping[f"p_{p}"] for p in PRIORITIES},
        bookings=booked,
    )


def _bookings(conn: Connection, scope: Scope, by: Dimension) -> dict[Key, Bookings]:
    key = _key(bookings, by)
    stmt = (
        select(key.label("key"), bookings.c.state, func.count().label("n"))
        .where(*_where(bookings, scope))
        .group_by(key, bookings.c.state)
    )
    counts: dict[Key, dict[str, int]] = {}
    for row in conn.execute(stmt):
        per_state = counts.setdefault(row.key, {})
        per_state[row.state] = per_state.get(row.state, 0) + row.n
    return {
        k: Bookings(made=sum(states.values()), **{s: states.get(s, 0) for s in BOOKING_STATES})
        for k, states in counts.items()
    }


def grouped(
    conn: Connection,
    scope: Scope,
    by: Dimension,
    targets: Mapping[str, int],
    keys: Iterable[Key] = (),
) -> dict[Key, Figures]:
    """As :func:`services.reports.domain.figures.grouped`, the groups cut by the database.
    Raises :class:`Unexpected` when a leg holds a value the figures do not name."""
    rows = conn.execute(_legs_statement(scope, by, targets)).all()
    if any(row.unexpected for row in rows):
        raise Unexpected(f"{sum(row.unexpected for row in rows)} legs with an unknown value")
    booked = _bookings(conn, scope, by) if by in BOOKED_BY else {}
    empty = Bookings() if by in BOOKED_BY else None
    found = {row.key: _figures(row, booked.get(row.key, empty)) for row in rows}
    wanted = dict.fromkeys([*keys, *found, *booked])
    return {k: found.get(k) or Figures(bookings=booked.get(k, empty)) for k in wanted}


def is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"
