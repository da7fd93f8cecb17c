"""The counters offer the twin's forecast of each waiting ticket's call time, read from the live
store (SQLite and PostgreSQL): a counter's current citizen, its streak, the queue in order and the
day's finished services; one forecast per service group, kept for a few seconds."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from antre.hall.model import Hall
from antre.privacy import ticket_key
from antre.v1 import events_pb2 as pb
from antre.web import make_app
from services.counters import handlers
from services.counters.bootstrap import MIGRATIONS
from services.counters.domain.stations import Officer
from services.counters.entrypoints import http
from services.counters.handlers import out_of_turn, queries
from sim import forecast as forecasting
from tests.integration.counters.test_call_next import issued
from tests.support.deps import counters_deps
from tests.support.stores import drop_schema, make_store

T0 = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)  # Monday 08:00 in Kendari (WITA)
NOW = T0 + dt.timedelta(hours=1)  # 09:00 WITA: the hall closes at 15:00
SITI = Officer("siti", "Siti", "dukcapil")


@pytest.fixture
def deps(backend: str, tmp_path: Path, kendari: Hall) -> Iterator[handlers.Deps]:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        yield counters_deps(engine, kendari, clock=lambda: NOW)
    finally:
        engine.dispose()
        drop_schema(schema)


@pytest.fixture
def client(deps: handlers.Deps) -> Iterator[TestClient]:
    app = make_app("counters", "test", None)
    http.install(app)
    app.state.ctx = http.Context(deps, demo=False)
    with TestClient(app) as test_client:
        yield test_client


def queue_five(deps: handlers.Deps) -> None:
    """Five KTP-el tickets, the third an elderly citizen; counter 1 open and serving the first."""
    events = [issued(deps.hall, n) for n in (1, 2, 4, 5)] + [
        issued(deps.hall, 3, priority=pb.PRIORITY_GROUP_ELDERLY)
    ]
    handlers.on_ticket_events(deps, events)
    handlers.open_counter(deps, SITI, 1)
    called = handlers.call_next(deps, SITI, 1)
    assert called is not None and called.id == "t0003"  # the priority lane


def test_waiting_tickets_are_forecast_in_queue_order_within_the_day(deps: handlers.Deps) -> None:
    queue_five(deps)
    forecasts = queries.Forecasts(deps)
    got = {t: forecasts.of_ticket(t) for t in ("t0001", "t0002", "t0004", "t0005")}
    p50s = [f.p50 for f in got.values() if f is not None]
    assert len(p50s) == 4 and all(p is not None for p in p50s)
    assert NOW <= p50s[0] <= p50s[1] <= p50s[2] <= p50s[3]  # type: ignore[operator]
    # One counter, target 15 minutes a citizen: the fourth in line waits about an hour.
    assert dt.timedelta(minutes=25) < p50s[3] - NOW < dt.timedelta(minutes=120)  # type: ignore[operator]
    assert all(f is not None and f.p90 is not None and f.p50 <= f.p90 for f in got.values())  # type: ignore[operator]
    assert forecasts.of_ticket("t0003") is None  # called: nothing to forecast


def test_the_snapshot_reads_the_counter_its_citizen_and_the_queue(deps: handlers.Deps) -> None:
    queue_five(deps)
    snap = queries.snapshot(deps, ("ktp-el",), NOW)
    assert sorted(w.ticket_id for w in snap.waiting) == ["t0001", "t0002", "t0004", "t0005"]
    desk = next(d for d in snap.desks if d.number == 1)
    assert desk.serving == "ktp-el" and desk.since == NOW and desk.state.value == "open"
    assert desk.streak.priority_streak == 1  # one priority call made while regular tickets waited
    assert snap.closes_at == dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)  # 15:00 WITA
    assert snap.arrivals["ktp-el"].walk_in > 0 and snap.arrivals["ktp-el"].priority > 0


def test_a_citizen_held_aside_is_served_at_its_counter_before_the_queue_in_the_forecast(
    deps: handlers.Deps,
) -> None:
    """Counter 1, free, holds its citizen aside: the next in the queue is not called at once but
    after the held one comes back and is served. Brought back to the queue instead, the held
    citizen is simply first in it again."""
    queue_five(deps)
    handlers.complete(deps, SITI, 1)
    called = handlers.call_next(deps, SITI, 1)
    assert called is not None and called.id == "t0001"
    out_of_turn.hold(deps, SITI, 1)
    group = next(g for g in queries.service_groups(deps.hall) if "ktp-el" in g)
    snap = queries.snapshot(deps, group, NOW)
    desk = next(d for d in snap.desks if d.number == 1)
    assert (desk.serving, desk.held) == ("", ("ktp-el",))
    assert "t0001" not in {w.ticket_id for w in snap.waiting}
    made = forecasting.forecast(snap, 50)
    idle = dataclasses.replace(snap, desks=tuple(dataclasses.replace(d, held=()) for d in snap.desks))
    assert forecasting.forecast(idle, 50)["t0002"].p50 == NOW  # were nobody held: called now
    assert made["t0002"].p50 > NOW + dt.timedelta(minutes=5)  # type: ignore[operator]
    out_of_turn.bring_back(deps, SITI, 1, "A-001")
    back = queries.snapshot(deps, ("ktp-el",), NOW)
    assert next(d for d in back.desks if d.number == 1).held == ()
    first = min(back.waiting, key=lambda w: (w.queued_at, w.ticket_id))
    assert first.ticket_id == "t0001" and first.session_start is None


def test_a_forecast_is_kept_for_its_period_not_made_per_request(deps: handlers.Deps) -> None:
    queue_five(deps)
    forecasts = queries.Forecasts(deps, ttl=60.0)
    first = forecasts.of_service("ktp-el")
    handlers.on_ticket_events(deps, [issued(deps.hall, 6)])
    assert forecasts.of_service("ktp-el") is first  # the same snapshot's answer
    assert "t0006" not in first
    fresh = queries.Forecasts(deps, ttl=0.0)
    assert "t0006" in fresh.of_service("ktp-el")


def test_a_ticket_that_joined_since_the_kept_forecast_gets_one_at_once(deps: handlers.Deps) -> None:
    queue_five(deps)
    forecasts = queries.Forecasts(deps, ttl=60.0)
    first = forecasts.of_service("ktp-el")
    handlers.on_ticket_events(deps, [issued(deps.hall, 6)])
    joined = forecasts.of_ticket("t0006")
    assert joined is not None and joined.p50 is not None and joined.p50 >= first["t0005"].p50  # type: ignore[operator]
    again = forecasts.of_service("ktp-el")
    assert again is not first and again["t0006"] == joined
    assert forecasts.of_service("ktp-el", stale=first) is again  # a second caller's miss: made once
    assert forecasts.of_ticket("t0005") == again["t0005"]  # kept: no new snapshot for a known one
    assert forecasts.of_service("ktp-el") is again


def test_a_ticket_left_waiting_from_an_earlier_day_makes_no_new_forecast(deps: handlers.Deps) -> None:
    queue_five(deps)
    forecasts = queries.Forecasts(deps, ttl=60.0)
    kept = forecasts.of_service("ktp-el")
    old = issued(deps.hall, 7)
    old.message.ticket.hall_day = (NOW.date() - dt.timedelta(days=1)).isoformat()  # type: ignore[attr-defined]
    handlers.on_ticket_events(deps, [old])
    assert forecasts.of_ticket("t0007") is None
    assert forecasts.of_service("ktp-el") is kept  # no snapshot made for it


def test_a_ticket_that_leaves_the_queue_between_the_two_reads_has_no_position(
    deps: handlers.Deps, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ticket is read as waiting, then the queue is read without it (called or cancelled in
    between, each statement its own snapshot): no position, and no error."""
    queue_five(deps)
    assert queries.position(deps, "t0002") == 2  # behind t0001 (t0003 was called)
    monkeypatch.setattr(queries.repo, "waiting_in", lambda conn, services, day: [])
    assert queries.position(deps, "t0002") is None


def test_service_groups_follow_shared_counters(kendari: Hall) -> None:
    groups = queries.service_groups(kendari)
    civil = next(g for g in groups if "ktp-el" in g)
    assert {"kartu-keluarga", "akta-kelahiran", "pindah-datang", "akta-kematian"} <= set(civil)
    assert not any("ktp-el" in g and "skck" in g for g in groups)
    assert sorted(code for g in groups for code in g) == sorted(s.code for s in kendari.services)


def test_the_forecast_endpoints(client: TestClient, deps: handlers.Deps) -> None:
    queue_five(deps)
    body = client.get("/api/v1/tickets/t0002/forecast").json()
    f = body["forecast"]
    assert body["ticket_id"] == "t0002" and f["not_called"] == 0.0
    p50, p90 = dt.datetime.fromisoformat(f["p50"]), dt.datetime.fromisoformat(f["p90"])
    assert p50.utcoffset() == dt.timedelta(hours=8) and NOW <= p50 <= p90  # hall-local times
    assert client.get("/api/v1/tickets/t0003/forecast").json()["forecast"] is None
    keyed = client.get("/api/v1/services/ktp-el/forecasts").json()["forecasts"]
    assert set(keyed) == {ticket_key(t) for t in ("t0001", "t0002", "t0004", "t0005")}
    assert keyed[ticket_key("t0002")] == f


def test_unknown_ticket_and_service_are_refused_in_both_languages(client: TestClient) -> None:
    response = client.get("/api/v1/tickets/nope/forecast")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "unknown_ticket"
    assert error["message"] == "Nomor antrean tidak ditemukan" and error["message_en"] == "Ticket not found"
    response = client.get("/api/v1/services/nope/forecasts")
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_service"
