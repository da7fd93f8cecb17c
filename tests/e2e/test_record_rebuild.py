"""The visit record from the hall's stream, end to end: a known hall day is published to a real
JetStream stream (part of it twice, under new message ids, as a producer retrying after the
duplicate window would), the reports service (a process) folds it, then the record is wiped with
``cli rebuild`` and the service replays the stream from its first event: every row comes back
identical, on PostgreSQL and on SQLite."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from google.protobuf.message import Message
from sqlalchemy import Engine, func, select

from antre import bus, db
from antre.events import EVENT_HEADER, MSG_ID_HEADER, event_name, subject_for
from antre.hall.load import load_hall
from services.reports.adapters.tables import bookings, legs, stations, surveys, visits
from services.reports.domain.visits import OPEN
from tests.support.hall import RunningHall, wait_for
from tests.support.visit_day import Day, hall_day

pytestmark = pytest.mark.e2e

DAY = dt.date(2026, 3, 10)
TABLES = [
    (visits, ("ticket_id",)),
    (legs, ("ticket_id", "leg")),
    (bookings, ("booking_id",)),
    (stations, ("number",)),
    (surveys, ("ticket_id",)),
]


@pytest.fixture
def hall(backend: str, tmp_path: Path, nats_url: str, pg_url: str | None) -> Iterator[RunningHall]:
    database = pg_url if backend == "postgresql" else None
    running = RunningHall(tmp_path, nats_url, database, ("reports",))
    yield running
    running.stop()


def record_engine(hall: RunningHall) -> Engine:
    if hall.database_url:
        return db.make_engine(hall.database_url, hall.schemas["reports"])
    return db.make_engine(f"sqlite:///{hall.folder / 'state' / 'reports.db'}")


def snapshot(engine: Engine) -> list[list[dict[str, Any]]]:
    with engine.connect() as conn:
        return [
            [dict(r) for r in conn.execute(select(t).order_by(*(t.c[k] for k in keys))).mappings()]
            for t, keys in TABLES
        ]


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


async def publish(url: str, hall_id: str, messages: list[Message], again: int) -> None:
    """Every event once, then the first ``again`` under new message ids (stored twice)."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await bus.ensure_stream(js, hall_id)
        plan = [(m, m.meta.event_id) for m in messages] + [(m, str(uuid.uuid4())) for m in messages[:again]]  # type: ignore[attr-defined]
        for i in range(0, len(plan), 200):
            await asyncio.gather(
                *(
                    js.publish(
                        subject_for(m),
                        m.SerializeToString(),
                        headers={MSG_ID_HEADER: mid, EVENT_HEADER: event_name(m)},
                    )
                    for m, mid in plan[i : i + 200]
                )
            )
    finally:
        await nc.close()


def settle(engine: Engine, day: Day) -> None:
    """Until every leg and every standing survey is in, no visit is still open (every ticket of
    the day ends) and every counter has closed: the day's last events are applied."""

    def done() -> bool:
        with engine.connect() as conn:
            still_open = conn.execute(
                select(func.count()).select_from(visits).where(visits.c.outcome.in_(OPEN))
            ).scalar_one()
            open_counters = conn.execute(
                select(func.count()).select_from(stations).where(stations.c.state != "closed")
            ).scalar_one()
        return (
            count(engine, legs) == len(day.legs)
            and count(engine, surveys) == len(day.surveys)
            and still_open == 0
            and open_counters == 0
        )

    wait_for(done, timeout=120, what="the record to hold the whole day")


def test_the_record_is_rebuilt_from_the_stream_to_the_row(hall: RunningHall) -> None:
    day = hall_day(load_hall(hall.hall_file), DAY)
    asyncio.run(publish(hall.nats_url, hall.hall_id, day.events, again=150))
    hall.start()
    engine = record_engine(hall)
    try:
        settle(engine, day)
        before = snapshot(engine)
        assert len(before[0]) == len(day.visits)  # the events stored twice counted once
        assert {r["ticket_id"]: r["outcome"] for r in before[0]} == day.visits

        hall.processes["reports"].stop()
        cli = [sys.executable, "-m", "services.reports.entrypoints.cli", "rebuild"]
        done = subprocess.run(cli, env=hall.env("reports"), capture_output=True, text=True, check=True)
        assert "record wiped" in done.stdout
        assert all(count(engine, t) == 0 for t, _ in TABLES)

        hall.start("reports")
        settle(engine, day)
        assert snapshot(engine) == before
    finally:
        engine.dispose()


def test_replicas_take_turns_in_the_streams_order(hall: RunningHall) -> None:
    """Three replicas bound to the record's consumer while a whole day arrives at once: the
    record is exactly the day's (replicas folding batches side by side would apply a call before
    its ticket's issue and lose it)."""
    day = hall_day(load_hall(hall.hall_file), DAY, seed=11)
    hall.start()
    hall.start_replica("reports")
    hall.start_replica("reports")
    asyncio.run(publish(hall.nats_url, hall.hall_id, day.events, again=0))
    engine = record_engine(hall)
    try:
        settle(engine, day)
        visits_now, legs_now, *_ = snapshot(engine)
        assert {r["ticket_id"]: r["outcome"] for r in visits_now} == day.visits
        assert {(r["ticket_id"], r["leg"]): r["wait_seconds"] for r in legs_now} == {
            (leg.ticket_id, leg.leg): leg.wait_seconds for leg in day.legs
        }
    finally:
        engine.dispose()


def holder(hall: RunningHall) -> str:
    """The process (its key in ``hall.processes``) whose lease says it folds the record; empty
    while none does."""
    for key, process in hall.processes.items():
        if process.process is None or process.process.poll() is not None:
            continue
        metrics = httpx.get(f"{process.url}/metrics", timeout=5).text
        if 'antre_consumer_lease{durable="reports-record"} 1.0' in metrics:
            return key
    return ""


def test_another_replica_takes_over_when_the_folding_one_dies(hall: RunningHall) -> None:
    day = hall_day(load_hall(hall.hall_file), DAY, seed=13)
    half = len(day.events) // 2
    hall.start()
    hall.start_replica("reports")
    wait_for(lambda: bool(holder(hall)), what="a replica to take the lease")
    asyncio.run(publish(hall.nats_url, hall.hall_id, day.events[:half], again=0))
    first = holder(hall)
    hall.processes[first].kill()  # SIGKILL mid-day: its lease goes with its session or its process
    asyncio.run(publish(hall.nats_url, hall.hall_id, day.events[half:], again=0))
    engine = record_engine(hall)
    try:
        settle(engine, day)
        assert holder(hall) not in ("", first)
        visits_now, *_ = snapshot(engine)
        assert {r["ticket_id"]: r["outcome"] for r in visits_now} == day.visits
    finally:
        engine.dispose()
