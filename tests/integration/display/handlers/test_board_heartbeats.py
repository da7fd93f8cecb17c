"""A board's heartbeats, on SQLite and PostgreSQL: over HTTP a beat says whether the board can be
heard, is written at most once per 20 s unless its sound changed, and is refused without a live
board's token; behind it, two replicas' watch jobs run at once and publish a board's silence, its
return and each change of its sound once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, select

from antre import devices
from antre.events import to_datetime
from antre.hall.model import Hall
from antre.live import Broadcaster
from antre.uow import UnitOfWork
from antre.v1 import events_pb2 as pb
from services.display import handlers
from services.display.adapters import tables
from services.display.bootstrap import MIGRATIONS
from services.display.metrics import Metrics
from tests.integration.display.display_live import LiveDisplay
from tests.support.infra import unique
from tests.support.people import KnownPeople, bearer
from tests.support.replicas import Clock, published, together, two_engines
from tests.support.stores import BACKENDS, drop_schema, pg_url

HEARTBEAT = "/api/v1/boards/me/heartbeat"
T0 = dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(params=BACKENDS)
def display(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveDisplay]:
    schema = unique("t_") if request.param == "postgresql" else ""
    store = {"database_url": pg_url() or "", "database_schema": schema} if schema else {}
    live = LiveDisplay(tmp_path, **store).start()
    live.app.state.people = KnownPeople()
    try:
        yield live
    finally:
        live.stop()
        drop_schema(schema)


def stored(deps: handlers.Deps, board: str) -> tuple[dt.datetime | None, bool]:
    with deps.uow.read() as conn:
        row = conn.execute(
            select(tables.devices.c.last_seen_at, tables.devices.c.sound).where(tables.devices.c.id == board)
        ).one()
    seen = row.last_seen_at
    return (seen.replace(tzinfo=dt.UTC) if seen is not None and seen.tzinfo is None else seen), row.sound


def test_a_beat_says_whether_the_board_is_heard_and_a_change_is_written_at_once(display: LiveDisplay) -> None:
    deps = display.deps
    clock = Clock(dt.datetime.now(dt.UTC))
    deps.uow.clock = clock
    headers = display.board_headers("papan-1")
    with display.client() as c:
        first = c.post(HEARTBEAT, json={"sound": True}, headers=headers)
        assert first.status_code == 200, first.text
        assert first.json() == {"id": "papan-1", "recorded": True, "beat_seconds": 30.0}
        assert stored(deps, "papan-1") == (clock.now, True)
        written = clock.now
        clock.advance(10)
        assert c.post(HEARTBEAT, json={"sound": True}, headers=headers).json()["recorded"] is False
        assert stored(deps, "papan-1") == (written, True)
        clock.advance(1)  # the browser held the audio back: said at once, not 20 s later
        assert c.post(HEARTBEAT, json={"sound": False}, headers=headers).json()["recorded"] is True
        assert stored(deps, "papan-1") == (clock.now, False)
        assert c.post(HEARTBEAT, json={}, headers=headers).status_code == 422  # a board says


def test_a_beat_without_a_live_boards_token_is_refused(display: LiveDisplay) -> None:
    deps = display.deps
    revoked = display.board_token("papan-lama")
    devices.revoke_audited(deps.uow, tables.devices, display.hall_id, None, "papan-lama", "board")
    replaced = display.board_token("papan-1")
    live = devices.enrol_audited(deps.uow, tables.devices, display.hall_id, None, "papan-1", "board")
    strangers = [{}, bearer("forged"), bearer(revoked), bearer(replaced), bearer("token-officer")]
    with display.client() as c:
        for headers in strangers:
            refused = c.post(HEARTBEAT, json={"sound": True}, headers=headers)
            assert refused.status_code == 401 and refused.json()["error"]["code"] == "device_required"
        assert stored(deps, "papan-1") == (None, True) and stored(deps, "papan-lama") == (None, True)
        assert c.post(HEARTBEAT, json={"sound": True}, headers=bearer(live)).json()["recorded"] is True


def board_deps(engine: Engine, hall: Hall, clock: Clock) -> handlers.Deps:
    return handlers.Deps(
        hall=hall,
        uow=UnitOfWork(engine, tables.outbox, clock),
        metrics=Metrics(CollectorRegistry()),
        live=Broadcaster(),
    )


@pytest.fixture
def replicas(backend: str, tmp_path: Path, kendari: Hall) -> Iterator[tuple[Clock, list[handlers.Deps]]]:
    clock = Clock(T0)
    with two_engines(backend, tmp_path, MIGRATIONS) as engines:
        yield clock, [board_deps(engine, kendari, clock) for engine in engines]


def statuses(engine: Engine) -> list[tuple[str, pb.DeviceStatus]]:
    return published(engine, tables.outbox, pb.DeviceStatus)


def watch_together(replicas: list[handlers.Deps]) -> int:
    jobs = [lambda deps=deps: handlers.watch(deps) for deps in replicas * 4]
    return sum(len(published) for published in together(jobs))


def test_silence_return_and_sound_are_each_published_once_across_replicas(
    replicas: tuple[Clock, list[handlers.Deps]],
) -> None:
    clock, (one, two) = replicas
    hall = one.hall.id
    token = devices.enrol_audited(one.uow, tables.devices, hall, None, "papan-lantai-1-a", "board")
    devices.enrol_audited(one.uow, tables.devices, hall, None, "papan-gudang", "board")  # never on
    assert handlers.heartbeat(one, token, sound=True).recorded
    assert watch_together([one, two]) == 0  # heard, and heard: nothing to say

    clock.advance(5)
    assert handlers.heartbeat(two, token, sound=False).recorded  # autoplay refused after a restart
    assert watch_together([one, two]) == 1
    [(subject, muted)] = statuses(one.uow.engine)
    assert subject == f"antre.{hall}._hall.device.status"
    assert (muted.kind, muted.device, muted.silent, muted.sound) == (
        "board",
        "papan-lantai-1-a",
        False,
        False,
    )

    clock.advance(91)
    assert watch_together([one, two]) == 1
    silent = statuses(one.uow.engine)[-1][1]
    assert (silent.silent, silent.sound, to_datetime(silent.last_seen)) == (
        True,
        False,
        T0 + dt.timedelta(seconds=5),
    )

    handlers.heartbeat(one, token, sound=True)  # back, and someone touched "Aktifkan suara"
    assert watch_together([one, two]) == 1
    back = statuses(one.uow.engine)[-1][1]
    assert (back.silent, back.sound, to_datetime(back.last_seen)) == (False, True, clock.now)
    assert watch_together([one, two]) == 0
    assert len(statuses(one.uow.engine)) == 3
    assert all(s.device == "papan-lantai-1-a" for _, s in statuses(one.uow.engine))
