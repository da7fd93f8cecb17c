"""Reports over a range of hall days: what a request may ask (checked here, refused in both
languages), the read model's rows for it (one query per table, only the columns a report uses)
and the report built from them by :mod:`services.reports.domain.figures`.

A supervisor sees their own agency only: naming another is refused, naming none means theirs.
An empty range (a holiday, a day still to come, a day before the hall opened) is a report of
zeros, not a refusal: the question was fine, the answer is "nobody".

The figures are cut by PostgreSQL where the record lives there
(:mod:`services.reports.adapters.figures_sql`), and in Python from the rows elsewhere (SQLite, and
as the reference the database's figures are tested against): both give the same answer to the
digit. A hall-month is some 30,000 legs; on PostgreSQL they never leave the database.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from antre.hall.model import Hall
from antre.problems import Invalid
from antre.roles import Person, Role, require
from services.reports.adapters import figures_sql
from services.reports.adapters.tables import bookings, legs, surveys
from services.reports.domain import skm
from services.reports.domain.figures import (
    BookingRow,
    Dimension,
    Figures,
    Key,
    LegRow,
    grouped,
    parse_dimension,
)
from services.reports.domain.skm_form import UNSUR
from services.reports.handlers.deps import Deps

log = logging.getLogger(__name__)

MAX_DAYS = 366  # a leap year
MONTH = re.compile(r"(\d{4})-(\d{2})")
LEG_COLUMNS = [legs.c[name] for name in LegRow._fields]
BOOKING_COLUMNS = [bookings.c[name] for name in BookingRow._fields]
UNSUR_COLUMNS = [surveys.c[f"u{i}"] for i in range(1, len(UNSUR) + 1)]


@dataclass(frozen=True)
class Query:
    """A report's question, checked: ``start``..``end`` inclusive (hall days), grouped ``by``,
    narrowed to one agency and/or one service (empty: all)."""

    start: dt.date
    end: dt.date
    by: Dimension = Dimension.HALL
    agency: str = ""
    service: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Row:
    """One line of a report: what it is (key and its names) and its figures."""

    key: Key
    label: str
    label_en: str
    figures: Figures
    target_minutes: int | None = None  # a service's standard time (service rows only)


@dataclass(frozen=True)
class Report:
    hall_id: str
    hall_name: str
    query: Query
    totals: Figures
    rows: list[Row]


@dataclass(frozen=True)
class Rows:
    legs: list[LegRow]
    bookings: list[BookingRow]


# The figures per group of one dimension: cut in Python from rows, or by the database.
Cut = Callable[[Dimension], dict[Key, Figures]]


# ---- the question ----


def parse_day(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid(
            "invalid_date",
            f"Tanggal '{name}' harus berbentuk TTTT-BB-HH, bukan '{text}'",
            f"The date '{name}' must be YYYY-MM-DD, not '{text}'",
            field=name,
        ) from None


def scope(hall: Hall, person: Person, agency: str, service: str) -> tuple[str, str]:
    """The agency and service a person may ask for: a service must exist (and belong to the agency
    named with it), a person of one agency sees only that agency, whatever they name."""
    if service:
        found = hall.service(service)
        if found is None:
            raise Invalid(
                "unknown_service",
                f"Layanan '{service}' tidak ada di MPP ini",
                f"There is no service '{service}' in this hall",
            )
        if agency and found.agency != agency:
            raise Invalid(
                "service_of_other_agency",
                f"Layanan '{service}' bukan layanan instansi '{agency}'",
                f"The service '{service}' is not one of the agency '{agency}'",
            )
        agency = agency or found.agency
    require(person, Role.SUPERVISOR, agency)
    if agency and hall.agency(agency) is None:
        raise Invalid(
            "unknown_agency",
            f"Instansi '{agency}' tidak ada di MPP ini",
            f"There is no agency '{agency}' in this hall",
        )
    return agency or person.agency, service


def ask(
    hall: Hall,
    person: Person,
    today: dt.date,
    start: str = "",
    end: str = "",
    by: str = "hall",
    agency: str = "",
    service: str = "",
) -> Query:
    """The question from a request's words. Missing dates: one day (the one given, or today)."""
    first = parse_day(start, "from") if start else None
    last = parse_day(end, "to") if end else None
    first = first or last or today
    last = last or first
    if first > last:
        raise Invalid(
            "range_reversed",
            f"Tanggal awal {first} sesudah tanggal akhir {last}",
            f"The first day {first} is after the last day {last}",
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(
            "range_too_long",
            f"Rentang paling panjang {MAX_DAYS} hari; pecah menjadi beberapa laporan",
            f"A range is at most {MAX_DAYS} days; split it into several reports",
        )
    dimension = parse_dimension(by)
    agency, service = scope(hall, person, agency, service)
    return Query(first, last, dimension, agency, service)


def month_of(text: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``YYYY-MM`` (empty: this month)."""
    first = today.replace(day=1)
    if text:
        match = MONTH.fullmatch(text)
        if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
            raise Invalid(
                "invalid_month",
                f"Bulan harus berbentuk TTTT-BB, bukan '{text}'",
                f"The month must be YYYY-MM, not '{text}'",
                field="month",
            )
        first = dt.date(int(match[1]), int(match[2]), 1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def ask_month(hall: Hall, person: Person, today: dt.date, month: str = "", agency: str = "") -> Query:
    """The monthly report's question: a calendar month (empty: this one), by agency."""
    first, last = month_of(month, today)
    agency, _ = scope(hall, person, agency, "")
    return Query(first, last, Dimension.AGENCY, agency)


def today(deps: Deps) -> dt.date:
    return deps.uow.clock().astimezone(deps.zone).date()


# ---- the rows ----


def read(conn: Connection, hall: str, query: Query) -> Rows:
    """The legs and bookings of the hall's days, agency and service asked: two queries in all."""
    leg_stmt = select(*LEG_COLUMNS).where(legs.c.hall == hall, legs.c.day.between(query.start, query.end))
    booking_stmt = select(*BOOKING_COLUMNS).where(
        bookings.c.hall == hall, bookings.c.day.between(query.start, query.end)
    )
    if query.agency:
        leg_stmt = leg_stmt.where(legs.c.agency == query.agency)
        booking_stmt = booking_stmt.where(bookings.c.agency == query.agency)
    if query.service:
        leg_stmt = leg_stmt.where(legs.c.service == query.service)
        booking_stmt = booking_stmt.where(bookings.c.service == query.service)
    # all() fetches in one call (row by row costs a third more on a hall-month).
    return Rows(
        [LegRow._make(r) for r in conn.execute(leg_stmt).all()],
        [BookingRow._make(r) for r in conn.execute(booking_stmt).all()],
    )


def survey_totals(conn: Connection, hall: str, query: Query) -> dict[str, tuple[int, list[int]]]:
    """Per agency: the responses of the query's days and each unsur's sum (summed by the database:
    the index needs only these, see :func:`skm.index_from_totals`)."""
    stmt = (
        select(surveys.c.agency, func.count(), *(func.sum(c) for c in UNSUR_COLUMNS))
        .where(surveys.c.hall == hall, surveys.c.day.between(query.start, query.end))
        .group_by(surveys.c.agency)
    )
    if query.agency:
        stmt = stmt.where(surveys.c.agency == query.agency)
    if query.service:
        stmt = stmt.where(surveys.c.service == query.service)
    return {r[0]: (int(r[1]), [int(t) for t in r[2:]]) for r in conn.execute(stmt)}


# ---- the report ----


def report(deps: Deps, query: Query) -> Report:
    with deps.uow.read() as conn:
        return assemble(deps.hall, query, cut(conn, deps.hall, query))


def cut(conn: Connection, hall: Hall, query: Query) -> Cut:
    """The database's cut where it can make one exactly, else the rows' (read now)."""
    if figures_sql.is_postgresql(conn):
        figures_sql.prepare(conn)
        scope = figures_sql.Scope((hall.id,), query.start, query.end, query.agency, query.service)
        database = database_cut(conn, hall, query, scope)
        try:
            totals = database(Dimension.HALL)
        except figures_sql.Unexpected as e:
            log.warning("report figures cut in Python: %s", e)
        else:
            return lambda by: totals if by is Dimension.HALL else database(by)
    return rows_cut(hall, query, read(conn, hall.id, query))


def database_cut(conn: Connection, hall: Hall, query: Query, scope: figures_sql.Scope) -> Cut:
    return lambda by: figures_sql.grouped(conn, scope, by, targets(hall), _known_keys(hall, query, by))


def rows_cut(hall: Hall, query: Query, rows: Rows) -> Cut:
    return lambda by: grouped(rows.legs, rows.bookings, by, targets(hall), _known_keys(hall, query, by))


def build(hall: Hall, query: Query, rows: Rows) -> Report:
    """The report from rows already read (the reference figures, in Python)."""
    return assemble(hall, query, rows_cut(hall, query, rows))


def assemble(hall: Hall, query: Query, by: Cut) -> Report:
    return Report(hall.id, hall.name, query, totals=by(Dimension.HALL)[""], rows=lines(hall, by, query.by))


def targets(hall: Hall) -> dict[str, int]:
    return {s.code: s.target_minutes for s in hall.services}


def lines(hall: Hall, cut: Cut, by: Dimension) -> list[Row]:
    """The report's rows ``by`` a dimension, in the hall file's order where it has one; every
    agency, service or counter the query covers has its row, even with nobody."""
    groups = cut(by)
    ordered = sorted(groups, key=_order(hall, by))
    return [Row(key, *_label(hall, by, key), groups[key], _target(hall, by, key)) for key in ordered]


def _services(hall: Hall, query: Query) -> list[str]:
    return [
        s.code
        for s in hall.services
        if (not query.agency or s.agency == query.agency) and (not query.service or s.code == query.service)
    ]


def _known_keys(hall: Hall, query: Query, by: Dimension) -> Sequence[Key]:
    services = _services(hall, query)
    if by is Dimension.HALL:
        return [""]
    if by is Dimension.AGENCY:
        covered = {s.agency for s in hall.services if s.code in services}
        return [a.code for a in hall.agencies if a.code in covered]
    if by is Dimension.SERVICE:
        return services
    if by is Dimension.COUNTER:
        return [c.number for c in hall.counters if set(c.services) & set(services)]
    return []


def _order(hall: Hall, by: Dimension) -> Callable[[Key], tuple[bool, int, Any]]:
    """Sort key: the hall file's order first (agencies, services, counters), then the rest by
    value; "nobody" (a leg never called has no counter nor officer) last."""
    place: dict[Key, int] = {}
    if by is Dimension.AGENCY:
        place = {a.code: i for i, a in enumerate(hall.agencies)}
    elif by is Dimension.SERVICE:
        place = {s.code: i for i, s in enumerate(hall.services)}
    elif by is Dimension.COUNTER:
        place = {c.number: i for i, c in enumerate(hall.counters)}

    def order(key: Key) -> tuple[bool, int, Any]:
        nobody = key is None or (key == "" and by is Dimension.OFFICER)
        return nobody, place.get(key, len(place)), "" if key is None else key  # one type per dimension

    return order


NOBODY = ("Belum dipanggil", "Not called")


def _label(hall: Hall, by: Dimension, key: Key) -> tuple[str, str]:
    if by is Dimension.HALL:
        return hall.name, hall.name
    if by is Dimension.AGENCY:
        agency = hall.agency(str(key))
        return (agency.name, agency.name_en or agency.name) if agency else (str(key), str(key))
    if by is Dimension.SERVICE:
        service = hall.service(str(key))
        return (service.name, service.name_en or service.name) if service else (str(key), str(key))
    if by is Dimension.COUNTER:
        if key is None:
            return NOBODY
        counter = hall.counter(key) if isinstance(key, int) else None
        return (counter.name, counter.name) if counter else (f"Loket {key}", f"Counter {key}")
    if by is Dimension.OFFICER:
        return NOBODY if not key else (str(key), str(key))
    if by is Dimension.HOUR:
        hour = key if isinstance(key, int) else int(str(key))  # from a SmallInteger column
        return f"{hour:02d}.00–{hour + 1:02d}.00", f"{hour:02d}:00–{hour + 1:02d}:00"
    day = key if isinstance(key, dt.date) else None
    return (day.strftime("%d-%m-%Y"), day.isoformat()) if day else (str(key), str(key))


def _target(hall: Hall, by: Dimension, key: Key) -> int | None:
    if by is not Dimension.SERVICE:
        return None
    service = hall.service(str(key))
    return service.target_minutes if service else None


# ---- the monthly report (Laporan Bulanan) ----


@dataclass(frozen=True)
class Satisfaction:
    """An agency's SKM for the month (or the hall's, key ``""``): the index of its responses and
    whether enough of the citizens it served answered to conclude it."""

    key: str
    label: str
    index: skm.Index
    verdict: skm.SampleVerdict


@dataclass(frozen=True)
class Monthly:
    hall_name: str
    query: Query  # the month's first to last day; by agency
    totals: Figures
    agencies: list[Row]
    services: list[Row]
    hours: list[Row]
    satisfaction: list[Satisfaction]


def monthly(deps: Deps, query: Query) -> Monthly:
    """The month's report: the figures cut four ways, and the survey totals."""
    hall = deps.hall
    with deps.uow.read() as conn:
        by = cut(conn, hall, query)
        answered = survey_totals(conn, hall.id, query)
        agencies = lines(hall, by, Dimension.AGENCY)
        return Monthly(
            hall.name,
            query,
            totals=by(Dimension.HALL)[""],
            agencies=agencies,
            services=lines(hall, by, Dimension.SERVICE),
            hours=lines(hall, by, Dimension.HOUR),
            satisfaction=_satisfaction(hall, agencies, answered, whole_hall=not query.agency),
        )


def _satisfaction(
    hall: Hall, agencies: list[Row], answered: dict[str, tuple[int, list[int]]], whole_hall: bool
) -> list[Satisfaction]:
    """Per agency with responses or citizens served, then the hall's (all responses together)."""
    out: list[Satisfaction] = []
    count_all, totals_all, served_all = 0, [0] * len(UNSUR), 0
    for row in agencies:
        count, totals = answered.get(str(row.key), (0, [0] * len(UNSUR)))
        served = row.figures.outcomes["served"]
        count_all, served_all = count_all + count, served_all + served
        totals_all = [a + b for a, b in zip(totals_all, totals, strict=True)]
        if count or served:
            index, verdict = skm.index_from_totals(count, totals), skm.sample_verdict(count, served)
            out.append(Satisfaction(str(row.key), row.label, index, verdict))
    if whole_hall and out:
        index = skm.index_from_totals(count_all, totals_all)
        out.append(Satisfaction("", hall.name, index, skm.sample_verdict(count_all, served_all)))
    return out
