"""The hall's boards as devices, beyond their enrolment (:mod:`antre.device_routes`): an enrolled
board's page beats every half minute and says whether it can be heard; a board that stopped, or a
speaker board its browser keeps silent, is published as ``device.status`` (see
:mod:`antre.heartbeats`)."""

from __future__ import annotations

import datetime as dt

from antre import heartbeats
from antre.audit import HALL_WIDE
from antre.events import new_meta
from antre.v1 import events_pb2 as pb
from services.display.adapters.tables import devices as table
from services.display.handlers.deps import Deps


def heartbeat(deps: Deps, token: str, sound: bool) -> heartbeats.Beat:
    """``sound``: false only for a speaker board that cannot be heard now (sound never turned on
    on this screen, or its browser holds the audio back); a board that only shows says true."""
    return heartbeats.heartbeat(deps.uow, table, token, "board", deps.device_timing, sound)


def watch(deps: Deps) -> list[heartbeats.Status]:
    """The periodic job: boards gone silent or back, or whose sound changed, each published once."""
    return heartbeats.watch(
        deps.uow, table, deps.device_timing, lambda status, now: status_event(deps.hall.id, status, now)
    )


def status_event(hall: str, status: heartbeats.Status, now: dt.datetime) -> pb.DeviceStatus:
    return pb.DeviceStatus(meta=new_meta(hall, HALL_WIDE, now), **heartbeats.fields(status))
