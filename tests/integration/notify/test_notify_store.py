"""Notify's store on every backend the machine offers (SQLite always; PostgreSQL when configured):
the hand-written migration builds exactly the tables the code declares, a delivery is unique per
event and URL, and two replicas claiming at once never take the same delivery."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from antre import db
from services.notify.adapters import repository as repo
from services.notify.adapters.tables import metadata
from services.notify.domain.deliveries import Delivery, new_delivery
from tests.support.stores import BACKENDS

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)


def delivery(n: int) -> Delivery:
    return new_delivery(
        delivery_id=f"d{n}",
        event_id=f"e{n}",
        event="ticket.called",
        url="https://hooks.example/",
        subject="antre.kendari.dukcapil.ticket.called",
        payload="{}",
        now=T0 + dt.timedelta(seconds=n),
    )


def test_migration_matches_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_a_second_delivery_for_the_same_event_and_url_is_ignored(engine: Engine) -> None:
    with db.write(engine) as conn:
        assert repo.add(conn, delivery(1))
        assert not repo.add(conn, dataclasses.replace(delivery(1), id="other"))
        assert [d.id for d in repo.for_event(conn, "e1")] == ["d1"]


def test_times_come_back_in_utc(engine: Engine) -> None:
    with db.write(engine) as conn:
        repo.add(conn, delivery(1))
    with db.read(engine) as conn:
        stored = repo.get(conn, "d1")

    assert stored == delivery(1)


# PostgreSQL only: SQLite has one writer at a time, so a second claimer waits instead of skipping.
@pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgresql"])
def test_two_replicas_claiming_at_once_split_the_work(backend: str, engine: Engine) -> None:
    with db.write(engine) as conn:
        for n in range(4):
            repo.add(conn, delivery(n))
    now, lease = T0 + dt.timedelta(minutes=1), T0 + dt.timedelta(minutes=3)

    with db.write(engine) as first:
        mine = repo.claim_due(first, now, 2, lease)
        # The first replica has not committed: its rows are locked, and the second skips them.
        with db.write(engine) as second:
            theirs = repo.claim_due(second, now, 50, lease)

    assert [d.id for d in mine] == ["d0", "d1"]
    assert [d.id for d in theirs] == ["d2", "d3"]
