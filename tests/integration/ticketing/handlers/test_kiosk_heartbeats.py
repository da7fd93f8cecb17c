"""A kiosk's heartbeats, on SQLite and PostgreSQL: over HTTP a beat is written at most once per
20 s and refused without a live kiosk's token; behind it, two replicas' watch jobs run at once and
publish a kiosk's silence once, its return once, and the end of its alert when it is revoked or
enrolled again; a kiosk never heard from since it was enrolled is never silent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from antre.events import to_datetime
from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from services.ticketing import handlers
from services.ticketing.adapters.tables import devices, outbox
from services.ticketing.bootstrap import MIGRATIONS
from services.ticketing.handlers import kiosks
from tests.support.deps import ticketing_deps
from tests.support.people import KnownPeople, bearer
from tests.support.replicas import Clock, published, together, two_engines
from tests.support.ticketing_app import deps_of, ticketing_client

HEARTBEAT = "/api/v1/kiosks/me/heartbeat"
T0 = dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC)  # 10:00 WITA


@pytest.fixture
def client(backend: str, tmp_path: Path, nats_url: str) -> Iterator[TestClient]:
    with ticketing_client(backend, tmp_path, nats_url) as test_client:
        yield test_client


def last_seen(deps: handlers.Deps, kiosk: str) -> dt.datetime | None:
    with deps.uow.read() as conn:
        seen = conn.execute(select(devices.c.last_seen_at).where(devices.c.id == kiosk)).scalar_one()
    return seen if seen is None or seen.tzinfo else seen.replace(tzinfo=dt.UTC)


def test_a_heartbeat_is_written_at_most_once_in_twenty_seconds(client: TestClient) -> None:
    deps = deps_of(client)
    clock = Clock(dt.datetime.now(dt.UTC))
    deps.uow.clock = clock
    token = client.kiosk_tokens["kiosk-1"]  # type: ignore[attr-defined]
    assert last_seen(deps, "kiosk-1") is None  # enrolled, never heard from

    first = client.post(HEARTBEAT, headers=bearer(token))
    assert first.status_code == 200, first.text
    assert first.json() == {"id": "kiosk-1", "recorded": True, "beat_seconds": 30.0}
    assert last_seen(deps, "kiosk-1") == clock.now
    written = clock.now
    for _ in range(3):  # a second tab, a reload: read, not written
        clock.advance(6)
        assert client.post(HEARTBEAT, headers=bearer(token)).json()["recorded"] is False
    assert last_seen(deps, "kiosk-1") == written
    clock.advance(2)  # 20 s after the write
    assert client.post(HEARTBEAT, headers=bearer(token)).json()["recorded"] is True
    assert last_seen(deps, "kiosk-1") == clock.now
    assert last_seen(deps, "kiosk-2") is None  # one kiosk's beats are its own


def test_a_heartbeat_without_a_live_kiosks_token_is_refused(client: TestClient) -> None:
    deps = deps_of(client)
    client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
    revoked = client.kiosk_tokens["kiosk-2"]  # type: ignore[attr-defined]
    assert kiosks.revoke(deps, None, "kiosk-2")
    replaced = client.kiosk_tokens["kiosk-1"]  # type: ignore[attr-defined]
    live = kiosks.enrol(deps, None, "kiosk-1")
    for headers in ({}, bearer("forged"), bearer(revoked), bearer(replaced), bearer("token-manager")):
        refused = client.post(HEARTBEAT, headers=headers)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "device_required"
    assert last_seen(deps, "kiosk-1") is None and last_seen(deps, "kiosk-2") is None
    assert client.post(HEARTBEAT, headers=bearer(live)).json()["id"] == "kiosk-1"


@pytest.fixture
def replicas(backend: str, tmp_path: Path, kendari: Hall) -> Iterator[tuple[Clock, list[handlers.Deps]]]:
    clock = Clock(T0)
    with two_engines(backend, tmp_path, MIGRATIONS) as engines:
        yield clock, [ticketing_deps(engine, kendari, clock) for engine in engines]


def statuses(engine: Engine) -> list[tuple[str, pb.DeviceStatus]]:
    return published(engine, outbox, pb.DeviceStatus)


def watch_together(replicas: list[handlers.Deps]) -> int:
    """Both replicas' jobs, four times each, at once: how many changes they published in all."""
    jobs = [lambda deps=deps: kiosks.watch(deps) for deps in replicas * 4]
    return sum(len(published) for published in together(jobs))


def test_silence_and_return_are_each_published_once_across_replicas(
    replicas: tuple[Clock, list[handlers.Deps]],
) -> None:
    clock, (one, two) = replicas
    token = kiosks.enrol(one, None, "kiosk-1")
    kiosks.enrol(one, None, "kiosk-2")  # enrolled, never installed: never an alert
    assert kiosks.heartbeat(two, token).recorded
    heard = clock.now

    clock.advance(90)
    assert watch_together([one, two]) == 0  # 90 s is the limit, not past it
    clock.advance(1)
    assert watch_together([one, two]) == 1
    [(subject, silent)] = statuses(one.uow.engine)
    assert subject == f"antre.{one.hall.id}._hall.device.status"
    assert (silent.kind, silent.device, silent.silent, silent.revoked) == ("kiosk", "kiosk-1", True, False)
    assert to_datetime(silent.last_seen) == heard and silent.meta.agency == "_hall"
    assert to_datetime(silent.meta.occurred_at) == clock.now
    clock.advance(3600)
    assert watch_together([one, two]) == 0  # silent still: nothing new to say

    assert kiosks.heartbeat(one, token).recorded
    assert watch_together([one, two]) == 1
    back = statuses(one.uow.engine)[-1][1]
    assert (back.device, back.silent, to_datetime(back.last_seen)) == ("kiosk-1", False, clock.now)
    assert watch_together([one, two]) == 0
    assert [s.device for _, s in statuses(one.uow.engine)] == ["kiosk-1", "kiosk-1"]


def test_revoking_or_enrolling_again_ends_a_silent_kiosks_alert(
    replicas: tuple[Clock, list[handlers.Deps]],
) -> None:
    clock, (one, two) = replicas
    for kiosk in ("kiosk-1", "kiosk-2"):
        kiosks.heartbeat(one, kiosks.enrol(one, None, kiosk))
    clock.advance(120)
    assert watch_together([one, two]) == 2

    assert kiosks.revoke(two, None, "kiosk-1")  # stolen, say
    kiosks.enrol(two, None, "kiosk-2")  # a new kiosk-2, not yet installed
    assert watch_together([one, two]) == 2
    ended = {s.device: s for _, s in statuses(one.uow.engine)[2:]}
    assert (ended["kiosk-1"].silent, ended["kiosk-1"].revoked) == (False, True)
    assert (ended["kiosk-2"].silent, ended["kiosk-2"].revoked) == (False, False)
    assert not ended["kiosk-2"].HasField("last_seen")  # never heard from since enrolled again
    clock.advance(3600)
    assert watch_together([one, two]) == 0  # a revoked kiosk is no longer watched
