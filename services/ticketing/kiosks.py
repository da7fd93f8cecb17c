"""The hall's kiosks as devices: a hall manager enrols a kiosk of the hall file and gets its token
(shown once), or revokes it. Each action is kept in the audit log. Only an enrolled kiosk issues
walk-in numbers and confirms their prints."""

from __future__ import annotations

from dataclasses import dataclass

from antre import devices
from antre.roles import Person
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
