"""The hall's kiosks as devices: a hall manager enrols a kiosk of the hall file and gets its token
(shown once), or revokes it. Each action is kept in the audit log. Only an enrolled kiosk issues
walk-in numbers and confirms their prints. An enrolled kiosk's page beats every half minute; a
kiosk that stopped is published as ``device.status`` (see :mod:`antre.heartbeats`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antre import devices, heartbeats
from antre.audit import HALL_WIDE
from antre.events import new_meta
from antre.roles import Person
from antre.v1 import events_pb2 as pb
from services.ticketing.adapters.tables import devices as table
from services.ticketing.handlers import Deps, kiosk_of


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
