"""The hall's boards as devices (``/api/v1/boards``), for the hall's manager: enrolled boards, a
board's new token (open the board's page at ``/boards/<zone>?speaker=1#device=<token>``), and
revoking one. A board id is the hall's own name for the screen (``papan-lantai-1``). And for a
board itself, with its token: its heartbeat (``/api/v1/boards/me/heartbeat``)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from antre.device_routes import device_router
from antre.hall.model import Hall
from antre.refusals import refusals
from antre.uow import UnitOfWork
from services.display import handlers
from services.display.adapters.tables import devices
from services.display.entrypoints.voice_http import board_token


def _where(request: Request) -> tuple[UnitOfWork, Hall]:
    deps = request.app.state.ctx.deps
    return deps.uow, deps.hall


class Heartbeat(BaseModel):
    sound: bool = Field(
        description="Whether the board can be heard: false for a speaker board whose sound is not on "
        "(never turned on, or its browser holds the audio back); true for a board that only shows"
    )


router = device_router("board", devices, _where)


@router.post("/boards/me/heartbeat", responses=refusals((401, "No enrolled board's token")))
async def heartbeat(
    body: Heartbeat, request: Request, token: Annotated[str, Depends(board_token)]
) -> dict[str, Any]:
    """An enrolled board (its token as ``Authorization: Bearer``): still here, and whether it can
    be heard. The page beats every ``beat_seconds``; a board silent for
    ``ANTRE_DEVICE_SILENT_SECONDS``, or a speaker board without sound, shows on the live hall.
    ``recorded`` is false for a beat within a few seconds of the last one written, sound unchanged."""
    deps = request.app.state.ctx.deps
    beat = await asyncio.to_thread(handlers.heartbeat, deps, token, body.sound)
    return {"id": beat.device, "recorded": beat.recorded, "beat_seconds": deps.device_timing.beat_every}
