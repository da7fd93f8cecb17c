"""The hall's kiosks and boards in the record and on the live hall, on SQLite and PostgreSQL:
``device.status`` folded into ``devices`` (a redelivery changes nothing, a late older status never
overwrites a newer one, a revoked device leaves), and the live hall's device alerts for hall-wide
people alone: a supervisor's view and a view narrowed to one agency have none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from antre.bus import subject_matches
from antre.events import new_meta, subject_for, timestamp
from antre.v1 import events_pb2 as pb
from services.reports import handlers
from services.reports.adapters.tables import devices
from services.reports.bootstrap import create_app
from services.reports.entrypoints import consumers
from services.reports.settings import Settings
from tests.integration.display.display_live import UNREACHABLE_NATS
from tests.support.infra import unique, write_hall
from tests.support.people import KnownPeople, bearer
from tests.support.stores import drop_schema, pg_url
from tests.support.visit_day import envelopes

MANAGER, SUPERVISOR = bearer("token-manager"), bearer("token-supervisor")
WITA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def client(backend: str, tmp_path: Path) -> Iterator[TestClient]:
    schema = unique("t_") if backend == "postgresql" else ""
    extra = {"database_url": pg_url(), "database_schema": schema} if schema else {}
    settings = Settings(
        hall_file=write_hall(tmp_path, unique("h")),
        state_dir=tmp_path / "state",
        nats_url=UNREACHABLE_NATS,
        demo=True,
        **extra,
    )
    try:
        with TestClient(create_app(settings)) as test_client:
            test_client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
            yield test_client
    finally:
        drop_schema(schema)


def deps_of(client: TestClient) -> handlers.Deps:
    return client.app.state.ctx.deps  # type: ignore[attr-defined,no-any-return]


def status(
    hall: str,
    kind: str,
    device: str,
    at: dt.datetime,
    silent: bool = False,
    sound: bool = True,
    seen: dt.datetime | None = None,
    revoked: bool = False,
) -> pb.DeviceStatus:
    event = pb.DeviceStatus(
        meta=new_meta(hall, "_hall", at),
        kind=kind,
        device=device,
        silent=silent,
        sound=sound,
        revoked=revoked,
    )
    if seen is not None:
        event.last_seen.CopyFrom(timestamp(seen))
    return event


def rows(deps: handlers.Deps) -> dict[str, tuple[bool, bool, bool]]:
    with deps.uow.read() as conn:
        found = conn.execute(select(devices).where(devices.c.hall == deps.hall.id))
        return {r.device: (r.silent, r.sound, r.revoked) for r in found}


def alerts(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    body = client.get("/api/v1/hall/live", headers=headers, params=params)
    assert body.status_code == 200, body.text
    return {a["key"]: a for a in body.json()["alerts"]}


def test_a_status_is_folded_once_and_the_newest_stands(client: TestClient) -> None:
    deps = deps_of(client)
    now = dt.datetime.now(dt.UTC)
    silent = status(deps.hall.id, "kiosk", "kiosk-1", now, silent=True, seen=now - dt.timedelta(minutes=2))
    # The record's consumer takes it from the stream.
    assert any(subject_matches(s, subject_for(silent)) for s in consumers.subjects(deps.hall))
    back = status(deps.hall.id, "kiosk", "kiosk-1", now + dt.timedelta(seconds=30), seen=now)
    assert handlers.on_events(deps, envelopes([silent])) == 1
    assert handlers.on_events(deps, envelopes([silent])) == 0  # redelivered
    assert rows(deps) == {"kiosk-1": (True, True, False)}
    # Two replicas' statuses reach the stream out of order: the later one stands.
    handlers.on_events(deps, envelopes([back]))
    late = status(deps.hall.id, "kiosk", "kiosk-1", now + dt.timedelta(seconds=10), silent=True, seen=now)
    handlers.on_events(deps, envelopes([late]))
    assert rows(deps) == {"kiosk-1": (False, True, False)}


def test_the_live_hall_shows_device_alerts_to_hall_wide_people(client: TestClient) -> None:
    deps = deps_of(client)
    hall = deps.hall.id
    now = dt.datetime.now(dt.UTC)
    seen = now - dt.timedelta(minutes=3)
    handlers.on_events(
        deps,
        envelopes(
            [
                status(hall, "kiosk", "kiosk-1", now, silent=True, seen=seen),
                status(hall, "board", "papan-lantai-1-a", now, sound=False, seen=now),
                status(hall, "board", "papan-lantai-2", now, silent=True, sound=False, seen=seen),
                status(hall, "kiosk", "kiosk-2", now, seen=now),  # back again: no alert
            ]
        ),
    )
    found = alerts(client, MANAGER)
    local, today = seen.astimezone(WITA), now.astimezone(WITA).date()  # the Kendari hall's zone
    since = f"{local:%H:%M}" if local.date() == today else f"{local:%d-%m-%Y %H:%M}"  # after midnight
    kiosk = found["device_silent:kiosk:kiosk-1"]
    assert (kiosk["code"], kiosk["level"], kiosk["device"]) == ("device_silent", "over", "kiosk-1")
    assert kiosk["message"] == f"Kios kiosk-1 tidak melapor sejak {since}"
    assert kiosk["message_en"] == f"Kiosk kiosk-1 has not reported since {since}"
    mute = found["board_no_sound:papan-lantai-1-a"]
    assert mute["level"] == "warn" and mute["message"].startswith(
        "Papan papan-lantai-1-a tidak bisa bersuara"
    )
    assert found["device_silent:board:papan-lantai-2"]["message"].startswith(
        "Papan papan-lantai-2 tidak melapor"
    )
    assert set(found) == {
        "device_silent:kiosk:kiosk-1",
        "board_no_sound:papan-lantai-1-a",
        "device_silent:board:papan-lantai-2",
    }

    assert alerts(client, SUPERVISOR) == {}  # Dukcapil's head sees Dukcapil's, no device of the hall
    assert alerts(client, MANAGER, agency="dukcapil") == {}  # narrowed to one agency: that agency's

    handlers.on_events(deps, envelopes([status(hall, "kiosk", "kiosk-1", now, revoked=True, seen=seen)]))
    assert "device_silent:kiosk:kiosk-1" not in alerts(client, MANAGER)  # revoked: not watched
    assert rows(deps)["kiosk-1"] == (False, True, True)
