"""The hall's kiosks as devices: a hall manager enrols a kiosk of the hall file and gets its token
(shown once), or revokes it. Each action is kept in the audit log. Only an enrolled kiosk issues
walk-in numbers and confirms their prints. An enrolled kiosk's page beats every half minute; a
kiosk that stopped is published as ``device.status`` (see :mod:`antre.heartbeats`). And which
kiosk a request comes from, and how fast it may issue numbers."""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

from sqlalchemy import Connection

from antre import devices, heartbeats
from antre.audit import HALL_WIDE
from antre.events import new_meta
from antre.hall.model import Kiosk
from antre.problems import Forbidden, NotFound, TooMany
from antre.roles import Person
from antre.v1 import events_pb2 as pb
from services.ticketing.adapters.tables import devices as table
from services.ticketing.handlers.deps import Deps


@dataclass(frozen=True)
class KioskState:
    id: str
    name: str
    enrolled: bool


def enrol(deps: Deps, actor: Person | None, kiosk_id: str) -> str:
    """A new token for the kiosk; any earlier one stops working."""
    kiosk = kiosk_of(deps, kiosk_id)
    return devices.enrol_audited(deps.uow, table, deps.hall.id, actor, kiosk.id, "kiosk")


def revoke(deps: Deps, actor: Person | None, kiosk_id: str) -> bool:
    kiosk = kiosk_of(deps, kiosk_id)
    return devices.revoke_audited(deps.uow, table, deps.hall.id, actor, kiosk.id, "kiosk")


def listed(deps: Deps) -> list[KioskState]:
    with deps.uow.read() as conn:
        live = {d.id for d in devices.listed(conn, table) if d.revoked_at is None}
    return [KioskState(k.id, k.name, k.id in live) for k in deps.hall.kiosks]


def heartbeat(deps: Deps, token: str) -> heartbeats.Beat:
    return heartbeats.heartbeat(deps.uow, table, token, "kiosk", deps.device_timing)


def watch(deps: Deps) -> list[heartbeats.Status]:
    """The periodic job: kiosks gone silent or back, each published once."""
    return heartbeats.watch(
        deps.uow, table, deps.device_timing, lambda status, now: status_event(deps.hall.id, status, now)
    )


def status_event(hall: str, status: heartbeats.Status, now: dt.datetime) -> pb.DeviceStatus:
    return pb.DeviceStatus(meta=new_meta(hall, HALL_WIDE, now), **heartbeats.fields(status))


# ---- which kiosk asks, and how fast ----


def kiosk_of_token(conn: Connection, token: str, claimed: str = "") -> str:
    """The kiosk a device token names; a request naming another kiosk is refused, not re-read."""
    kiosk = devices.device_for(conn, table, token, "kiosk").id
    if claimed and claimed != kiosk:
        raise Forbidden(
            "other_kiosk",
            f"Token ini milik kios {kiosk}, bukan {claimed}",
            f"This token is kiosk {kiosk}'s, not {claimed}'s",
        )
    return kiosk


def limit_kiosk(deps: Deps, kiosk: str) -> None:
    wait = deps.issue_rate.take(kiosk, time.monotonic())
    if wait:
        seconds = max(1, math.ceil(wait))
        raise TooMany(
            "kiosk_too_fast",
            f"Kios ini mengeluarkan nomor terlalu cepat; coba lagi dalam {seconds} detik",
            f"This kiosk is issuing numbers too fast; try again in {seconds} seconds",
            retry_after=seconds,
        )


def kiosk_of(deps: Deps, kiosk_id: str) -> Kiosk:
    kiosk = deps.hall.kiosk(kiosk_id) if kiosk_id else deps.hall.kiosks[0]
    if kiosk is None:
        raise NotFound("unknown_kiosk", f"Kios '{kiosk_id}' tidak dikenal", f"Unknown kiosk '{kiosk_id}'")
    return kiosk
