"""The SKM index (IKM) of a period, as agencies publish it: for the hall, per agency or per
service, each with the citizens served beside it and whether enough of them answered.

The database counts and sums (one ``COUNT`` and nine ``SUM`` per group, both databases), and
:func:`skm.index_from_totals` does the rest exactly: no response is loaded. A response counts for
the agency and service where its visit was completed, and so does a served visit, so the two sides
of the sample verdict always count the same citizens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, Connection, Table, func, select

from antre.problems import NotFound
from services.reports.adapters.tables import legs, surveys
from services.reports.domain import skm
from services.reports.domain.skm_form import UNSUR
from services.reports.domain.visits import Outcome
from services.reports.handlers.deps import Deps

By = Literal["hall", "agency", "service"]
BY: tuple[By, ...] = ("hall", "agency", "service")
HALL = "hall"  # the key of the one group of a report by hall


@dataclass(frozen=True)
class Figures:
    """One group's result: the index of its responses, the citizens it served, the verdict."""

    key: str  # "hall", an agency's code or a service's
    index: skm.Index
    served: int
    verdict: skm.SampleVerdict


@dataclass(frozen=True)
class Report:
    first: dt.date
    last: dt.date
    by: By
    agency: str  # the scope: one agency's code, or "" for the whole hall
    total: Figures  # the whole scope
    groups: tuple[Figures, ...]  # in the hall file's order; a report by hall has the total alone


@dataclass
class _Sums:
    count: int = 0
    totals: tuple[int, ...] = (0,) * len(UNSUR)
    served: int = 0

    def add(self, other: _Sums) -> None:
        self.count += other.count
        self.totals = tuple(a + b for a, b in zip(self.totals, other.totals, strict=True))
        self.served += other.served


def ikm(deps: Deps, first: dt.date, last: dt.date, by: By, agency: str = "") -> Report:
    """The report of the days ``first`` to ``last`` (both included) for ``agency`` (or the hall)."""
    skm.check_period(first, last)
    if agency and deps.hall.agency(agency) is None:
        raise NotFound("agency_unknown", f"Instansi '{agency}' tidak dikenal", f"Unknown agency '{agency}'")
    with deps.uow.read() as conn:
        groups = _responses(conn, deps.hall.id, first, last, by, agency)
        for key, served in _served(conn, deps.hall.id, first, last, by, agency).items():
            groups.setdefault(key, _Sums()).served = served
    total = _Sums()
    for sums in groups.values():
        total.add(sums)
    whole = _figures(agency or HALL, total)
    ordered = sorted(groups, key=_order(deps, by))
    return Report(
        first,
        last,
        by,
        agency,
        whole,
        (whole,) if by == HALL else tuple(_figures(k, groups[k]) for k in ordered),
    )


def _figures(key: str, sums: _Sums) -> Figures:
    return Figures(
        key,
        skm.index_from_totals(sums.count, list(sums.totals)),
        sums.served,
        skm.sample_verdict(sums.count, sums.served),
    )


def _keys(table: Table, by: By) -> list[ColumnElement[str]]:
    return [] if by == HALL else [table.c[by]]


def _scope(table: Table, hall: str, first: dt.date, last: dt.date, agency: str) -> list[ColumnElement[bool]]:
    where = [table.c.hall == hall, table.c.day >= first, table.c.day <= last]
    return [*where, table.c.agency == agency] if agency else where


def _responses(
    conn: Connection, hall: str, first: dt.date, last: dt.date, by: By, agency: str
) -> dict[str, _Sums]:
    keys = _keys(surveys, by)
    sums = [func.sum(surveys.c[u.code]) for u in UNSUR]
    query = (
        select(*keys, func.count(), *sums).where(*_scope(surveys, hall, first, last, agency)).group_by(*keys)
    )
    found: dict[str, _Sums] = {}
    for row in conn.execute(query):
        key = row[0] if keys else HALL
        values = row[1:] if keys else row
        if values[0]:  # a report by hall without responses still gets its one row, of NULL sums
            found[key] = _Sums(int(values[0]), tuple(int(v) for v in values[1:]))
    return found


def _served(
    conn: Connection, hall: str, first: dt.date, last: dt.date, by: By, agency: str
) -> dict[str, int]:
    """Visits completed per group: a completed visit has exactly one served leg, its last."""
    keys = _keys(legs, by)
    query = (
        select(*keys, func.count())
        .where(*_scope(legs, hall, first, last, agency), legs.c.outcome == Outcome.SERVED.value)
        .group_by(*keys)
    )
    return {(row[0] if keys else HALL): int(row[-1]) for row in conn.execute(query) if row[-1]}


def _order(deps: Deps, by: By) -> Callable[[str], tuple[int, str]]:
    """Groups in the hall file's order; a code the hall no longer has (a service retired since)
    after them, alphabetically."""
    codes = [a.code for a in deps.hall.agencies] if by == "agency" else [s.code for s in deps.hall.services]
    place = {code: n for n, code in enumerate(codes)}
    return lambda key: (place.get(key, len(place)), key)
