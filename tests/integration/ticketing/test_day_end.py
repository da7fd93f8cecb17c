"""A number is valid for its hall day: tickets still waiting once the day is over end as
cancelled (``day_ended``), once each, whatever else the day left behind."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from services.ticketing import handlers
from services.ticketing.adapters import repository as repo
from services.ticketing.bootstrap import MIGRATIONS
from services.ticketing.domain.tickets import State
from tests.support.deps import outbox_events, ticketing_deps
from tests.support.stores import drop_schema, make_store

MONDAY = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 WITA
TUESDAY = dt.datetime(2026, 11, 30, 16, 5, tzinfo=dt.UTC)  # 00:05 WITA the next day


def cancelled_events(engine) -> list[pb.TicketCancelled]:  # type: ignore[no-untyped-def]
    return [e.message for e in outbox_events(engine) if isinstance(e.message, pb.TicketCancelled)]


def test_tickets_left_waiting_end_with_their_day_once_each(
    backend: str, tmp_path: Path, kendari: Hall
) -> None:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        now = [MONDAY]
        deps = ticketing_deps(engine, kendari, clock=lambda: now[0])
        left = [handlers.issue(deps, handlers.IssueTicket("kartu-keluarga")) for _ in range(3)]
        served = handlers.issue(deps, handlers.IssueTicket("pbb-p2"))
        with deps.uow.begin() as tx:  # as the counters' report of a call leaves it
            repo.save(tx.conn, replace(served, state=State.CALLED, counter=7))
        assert handlers.end_past_days(deps) == []  # the day is not over

        now[0] = TUESDAY
        fresh = handlers.issue(deps, handlers.IssueTicket("kartu-keluarga"))
        with ThreadPoolExecutor(2) as pool:  # two replicas' rounds at the same moment
            rounds = list(pool.map(lambda _: handlers.end_past_days(deps), range(2)))
        ended = [t.id for r in rounds for t in r]
        assert sorted(ended) == sorted(t.id for t in left)
        assert handlers.end_past_days(deps) == []

        states = {t.id: handlers.get(deps, t.id).state for t in [*left, served, fresh]}
        assert states == {
            **{t.id: State.CANCELLED for t in left},
            served.id: State.CALLED,
            fresh.id: State.WAITING,
        }
        events = cancelled_events(engine)
        assert sorted(e.ticket.ticket_id for e in events) == sorted(t.id for t in left)
        assert {e.reason for e in events} == {"day_ended"}
        assert {e.ticket.hall_day for e in events} == {"2026-11-30"}
        metric = deps.metrics.cancelled.labels("dukcapil", "kartu-keluarga", "day_ended")
        assert metric._value.get() == 3
    finally:
        engine.dispose()
        drop_schema(schema)
