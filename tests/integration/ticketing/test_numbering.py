"""Numbering under several kiosks at once: no gap, no repeat, per service per hall day."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from antre.hall.model import Hall
from antre.problems import Refused
from services.ticketing import handlers
from services.ticketing.bootstrap import MIGRATIONS
from services.ticketing.domain.tickets import State
from tests.support.deps import outbox_events, ticketing_deps
from tests.support.stores import drop_schema, make_store


def test_eight_kiosks_at_once_never_skip_or_repeat(backend: str, tmp_path: Path, kendari: Hall) -> None:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        deps = ticketing_deps(engine, kendari)
        services = ["kartu-keluarga", "akta-kelahiran", "pbb-p2"]  # walk-in only: no daily quota

        def kiosk(k: int) -> list[str]:
            return [
                handlers.issue(deps, handlers.IssueTicket(services[i % 3], kiosk="kiosk-1")).number
                for i in range(k, k + 60)
            ]

        with ThreadPoolExecutor(8) as pool:
            numbers = [n for batch in pool.map(kiosk, range(8)) for n in batch]
        assert len(numbers) == 480
        assert max(Counter(numbers).values()) == 1
        for code in services:
            prefix = kendari.service(code).prefix  # type: ignore[union-attr]
            mine = sorted(int(n.split("-")[1]) for n in numbers if n.startswith(prefix + "-"))
            assert mine == list(range(1, len(mine) + 1))
        issued = [e for e in outbox_events(engine) if e.subject.endswith("ticket.issued")]
        assert len(issued) == 480 and len({e.event_id for e in issued}) == 480
    finally:
        engine.dispose()
        drop_schema(schema)


def test_numbering_restarts_each_hall_day(tmp_path: Path, kendari: Hall) -> None:
    engine, _ = make_store("sqlite", tmp_path, MIGRATIONS)
    now = [dt.datetime(2026, 11, 30, 15, 50, tzinfo=dt.UTC)]  # 23:50 WITA
    deps = ticketing_deps(engine, kendari, clock=lambda: now[0])
    first = handlers.issue(deps, handlers.IssueTicket("ktp-el"))
    now[0] += dt.timedelta(minutes=20)  # 00:10 WITA: a new hall day
    second = handlers.issue(deps, handlers.IssueTicket("ktp-el"))
    assert (first.number, second.number) == ("A-001", "A-001")
    assert second.hall_day == first.hall_day + dt.timedelta(days=1)


def test_a_closed_hall_issues_nothing(tmp_path: Path, kendari: Hall) -> None:
    engine, _ = make_store("sqlite", tmp_path, MIGRATIONS)
    sunday = dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.UTC)
    deps = ticketing_deps(engine, kendari, clock=lambda: sunday, always_open=False)
    try:
        handlers.issue(deps, handlers.IssueTicket("ktp-el"))
        raise AssertionError("a number was issued on a Sunday")
    except Refused as refused:
        assert refused.code == "closed_today"
    assert outbox_events(engine) == []


def test_a_print_that_never_comes_out_is_cancelled(tmp_path: Path, kendari: Hall) -> None:
    engine, _ = make_store("sqlite", tmp_path, MIGRATIONS)
    now = [dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)]
    deps = ticketing_deps(engine, kendari, clock=lambda: now[0])
    browser_kiosk = next(k.id for k in kendari.kiosks if k.printer == "browser")
    pending = handlers.issue(deps, handlers.IssueTicket("ktp-el", kiosk=browser_kiosk))
    assert pending.state == State.PRINTING and outbox_events(engine) == []
    now[0] += dt.timedelta(seconds=kendari.queue.print_timeout_seconds)
    assert [t.id for t in handlers.expire_prints(deps)] == [pending.id]
    assert [e.subject.rsplit(".", 2)[-2:] for e in outbox_events(engine)] == [["ticket", "cancelled"]]
