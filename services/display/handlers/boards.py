"""The hall's boards as devices, beyond their enrolment (:mod:`antre.device_routes`): an enrolled
board's page beats every half minute and says whether it can be heard; a board that stopped, or a
speaker board its browser keeps silent, is published as ``device.status`` (see
:mod:`antre.heartbeats`)."""

from __future__ import annotations

from antre import heartbeats
from services.display.adapters.tables import devices as table
from services.display.handlers import wire
from services.display.handlers.deps import Deps


def heartbeat(deps: Deps, token: str, sound: bool) -> heartbeats.Beat:
    """``sound``: false only for a speaker board that cannot be heard now (sound never turned on
    on this screen, or its browser holds the audio back); a board that only shows says true."""
    return heartbeats.heartbeat(deps.uow, table, token, "board", deps.device_timing, sound)


def watch(deps: Deps) -> list[heartbeats.Status]:
    """The periodic job: boards gone silent or back, or whose sound changed, each published once."""
    return heartbeats.watch(
        deps.uow, table, deps.device_timing, lambda status, now: wire.device_status(deps.hall.id, status, now)
    )
