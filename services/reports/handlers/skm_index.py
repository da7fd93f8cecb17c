"""The hall's IKM of the month so far, for the boards: computed every ``skm_index_minutes`` from
the month's responses (the same sums as :mod:`.skm_reports`, for the whole hall) and published as
``skm.index`` when the month, the responses or the index changed since the last one published.

Once, across replicas: the change is decided against ``skm_published`` in the transaction that
moves it, with the hall's row locked, so two replicas' jobs never both publish it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.audit import HALL_WIDE
from antre.events import new_meta
from antre.v1 import events_pb2 as pb
from services.reports.adapters.tables import skm_published
from services.reports.domain import skm
from services.reports.handlers import skm_reports
from services.reports.handlers.deps import Deps


def month_so_far(deps: Deps) -> tuple[str, skm.Index]:
    """The hall's month (``YYYY-MM``, in its time zone) and the index of its days up to today."""
    today = deps.hall.day_of(deps.uow.clock())
    report = skm_reports.ikm(deps, today.replace(day=1), today, "hall")
    return f"{today:%Y-%m}", report.total.index


def publish_month(deps: Deps) -> pb.SkmIndexComputed | None:
    """The periodic job: the event published, or None when nothing changed (or another replica
    published it first)."""
    month, index = month_so_far(deps)
    hundredths = int(index.ikm_rounded * 100) if index.ikm_rounded is not None else 0
    grade = index.grade.letter if index.grade is not None else ""
    wanted = {"month": month, "responses": index.count, "ikm_hundredths": hundredths, "grade": grade}
    hall = deps.hall.id
    with deps.uow.begin() as tx:
        insert = pg_insert if tx.conn.dialect.name == "postgresql" else sqlite_insert
        first = {"hall": hall, "month": "", "responses": 0, "ikm_hundredths": 0, "grade": ""}
        tx.conn.execute(insert(skm_published).values(first).on_conflict_do_nothing())
        row = tx.conn.execute(
            select(skm_published).where(skm_published.c.hall == hall).with_for_update()
        ).one()
        if all(getattr(row, key) == value for key, value in wanted.items()):
            return None
        stmt = update(skm_published).where(skm_published.c.hall == hall)
        tx.conn.execute(stmt.values(**wanted, published_at=tx.now))
        event = index_event(hall, month, index, tx.now)
        tx.publish(event)
    return event


def index_event(hall: str, month: str, index: skm.Index, now: dt.datetime) -> pb.SkmIndexComputed:
    return pb.SkmIndexComputed(
        meta=new_meta(hall, HALL_WIDE, now),
        month=month,
        responses=index.count,
        ikm=float(index.ikm_rounded) if index.ikm_rounded is not None else 0.0,
        grade=index.grade.letter if index.grade is not None else "",
    )
