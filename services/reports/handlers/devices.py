"""The hall's kiosks and boards in the record: ``device.status`` (published by ticketing for its
kiosks, by the display for its boards) into the ``devices`` table, and the devices the live hall
alerts about read back.

A status is the device as it stands, so the newest one wins: one published earlier by another
replica of the service and arriving later changes nothing (``at`` is its ``occurred_at``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.events import to_datetime
from antre.v1 import events_pb2 as pb
from services.reports.adapters import record
from services.reports.adapters.tables import devices
from services.reports.domain.live import DeviceNow

KEY = ["hall", "kind", "device"]


def apply_status(conn: Connection, hall: str, msg: pb.DeviceStatus) -> None:
    row = {
        "hall": hall,
        "kind": msg.kind,
        "device": msg.device,
        "silent": msg.silent,
        "sound": msg.sound,
        "revoked": msg.revoked,
        "last_seen": to_datetime(msg.last_seen) if msg.HasField("last_seen") else None,
        "at": to_datetime(msg.meta.occurred_at),
    }
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(devices).values(row)
    changes = {name: stmt.excluded[name] for name in row if name not in KEY}
    newer = devices.c.at <= stmt.excluded.at
    conn.execute(stmt.on_conflict_do_update(index_elements=KEY, set_=changes, where=newer))


def watched(conn: Connection, hall: str, zone: ZoneInfo) -> list[DeviceNow]:
    """The hall's devices still enrolled, their last heartbeat in the hall's time."""
    query = (
        select(devices)
        .where(devices.c.hall == hall, devices.c.revoked.is_(False))
        .order_by(devices.c.kind, devices.c.device)
    )
    return [
        DeviceNow(
            kind=r.kind,
            device=r.device,
            silent=r.silent,
            sound=r.sound,
            last_seen=record.utc(r.last_seen).astimezone(zone) if r.last_seen is not None else None,
        )
        for r in conn.execute(query)
    ]
