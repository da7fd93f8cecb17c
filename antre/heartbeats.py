"""A device's heartbeats and its silence, for the services that enrol devices (ticketing's kiosks,
the display's boards): the page of an enrolled device says "still here" every ``beat_every``
seconds with its token, and the service publishes ``device.status`` when one goes silent, comes
back, or a board's sound changes. The live hall (reports) shows what stands.

The rule: a device is *silent* when its last heartbeat is older than ``silent_after``. A device
never heard from since it was enrolled is not silent, so a kiosk enrolled but not yet installed
is no alert (enrolling again starts a device over); a revoked one is no longer watched. A board's
*sound* is what it last said.

Cost: a heartbeat is one indexed read. It is written only when the last write is older than
``write_every`` (20 s by default) or a board's sound changed, so a device costs at most one
write per 20 s however often its pages beat (two tabs, reloads).

Once, across replicas: every replica's job reads the devices, and for each whose status differs
from what was reported it locks the row, decides again from the locked row, moves
``reported_silent``/``reported_sound`` with an UPDATE conditional on their old values, and
stages the event in that same transaction. Another replica's job waits for the lock, then finds
the status reported. Each service builds the event itself (``event``), at its own edge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import Table, select, update

from antre.db import utc
from antre.devices import device_required, token_hash
from antre.events import timestamp
from antre.uow import UnitOfWork

SILENT_AFTER = 90.0  # seconds, the services' default (ANTRE_DEVICE_SILENT_SECONDS)


@dataclass(frozen=True)
class Timing:
    """Every period follows from the limit, so a test's short limit keeps a live page quiet:
    pages beat three times within the limit, writes are at most two thirds of a beat apart, and
    the job looks six times within the limit (at most every 10 s)."""

    silent_after: float = SILENT_AFTER

    @property
    def beat_every(self) -> float:
        return min(30.0, self.silent_after / 3)

    @property
    def write_every(self) -> float:
        return self.beat_every * 2 / 3

    @property
    def watch_every(self) -> float:
        return min(10.0, self.silent_after / 6)


@dataclass(frozen=True)
class Status:
    """What ``device.status`` says of a device."""

    kind: str
    device: str
    silent: bool
    sound: bool
    last_seen: dt.datetime | None
    revoked: bool = False


@dataclass(frozen=True)
class Beat:
    device: str
    recorded: bool  # False: within ``write_every`` of the last write, and nothing changed


def fields(status: Status) -> dict[str, Any]:
    """A ``DeviceStatus``'s fields but its meta (each service builds the event at its edge)."""
    found: dict[str, Any] = {
        "kind": status.kind,
        "device": status.device,
        "silent": status.silent,
        "sound": status.sound,
        "revoked": status.revoked,
    }
    if status.last_seen is not None:
        found["last_seen"] = timestamp(status.last_seen)
    return found


def is_silent(last_seen: dt.datetime | None, now: dt.datetime, silent_after: float) -> bool:
    """Never heard from: not silent (see the module's docstring)."""
    return last_seen is not None and (now - last_seen).total_seconds() > silent_after


def status_of(row: Any, now: dt.datetime, silent_after: float) -> Status:
    """A devices row's status now; a revoked device has nothing to alert about."""
    if row.revoked_at is not None:
        return Status(row.kind, row.id, False, True, utc(row.last_seen_at), revoked=True)
    last_seen = utc(row.last_seen_at)
    return Status(row.kind, row.id, is_silent(last_seen, now, silent_after), bool(row.sound), last_seen)


def _unreported(row: Any, status: Status) -> bool:
    return (status.silent, status.sound) != (bool(row.reported_silent), bool(row.reported_sound))


def heartbeat(
    uow: UnitOfWork, table: Table, token: str, kind: str, timing: Timing, sound: bool | None = None
) -> Beat:
    """The live device of ``kind`` the token names is still here (``sound``: a board can be heard;
    None keeps what was said). Refused like any device route for an unknown or revoked token."""
    now = uow.clock()
    hashed = token_hash(token)
    with uow.read() as conn:
        query = select(table.c.id, table.c.last_seen_at, table.c.sound).where(
            table.c.token_hash == hashed, table.c.kind == kind, table.c.revoked_at.is_(None)
        )
        row = conn.execute(query).first() if token else None
    if row is None:
        raise device_required(kind)
    said = bool(row.sound) if sound is None else sound
    last = utc(row.last_seen_at)
    if last is not None and (now - last).total_seconds() < timing.write_every and said == bool(row.sound):
        return Beat(row.id, False)
    with uow.begin() as tx:
        # Written only over what was read: of two replicas taking the same device's beats at once,
        # one writes.
        seen = table.c.last_seen_at
        same_beat = seen.is_(None) if row.last_seen_at is None else seen == row.last_seen_at
        live = (table.c.id == row.id, table.c.token_hash == hashed, table.c.revoked_at.is_(None))
        stmt = update(table).where(*live, same_beat).values(last_seen_at=tx.now, sound=said)
        recorded = bool(tx.conn.execute(stmt).rowcount)
    return Beat(row.id, recorded)


def watch(
    uow: UnitOfWork, table: Table, timing: Timing, event: Callable[[Status, dt.datetime], Message]
) -> list[Status]:
    """Publish each device's change of status since it was last reported; the changes this call
    published (another replica's job may have published the rest)."""
    now = uow.clock()
    with uow.read() as conn:
        rows = conn.execute(select(table)).all()
    due = [row.id for row in rows if _unreported(row, status_of(row, now, timing.silent_after))]
    if not due:
        return []
    published = []
    with uow.begin() as tx:
        for device_id in due:
            query = select(table).where(table.c.id == device_id).with_for_update()
            row = tx.conn.execute(query).first()
            if row is None:
                continue
            status = status_of(row, tx.now, timing.silent_after)
            if not _unreported(row, status):
                continue  # another replica reported it while this one waited for the row
            moved = tx.conn.execute(
                update(table)
                .where(
                    table.c.id == device_id,
                    table.c.reported_silent == row.reported_silent,
                    table.c.reported_sound == row.reported_sound,
                )
                .values(reported_silent=status.silent, reported_sound=status.sound)
            ).rowcount
            if moved:
                tx.publish(event(status, tx.now))
                published.append(status)
    return published
