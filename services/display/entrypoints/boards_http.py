"""The hall's boards as devices (``/api/v1/boards``), for the hall's manager: enrolled boards, a
board's new token (open the board's page at ``/boards/<zone>?speaker=1#device=<token>``), and
revoking one. A board id is the hall's own name for the screen (``papan-lantai-1``)."""

from __future__ import annotations

from fastapi import Request

from antre.device_routes import device_router
from antre.hall.model import Hall
from antre.uow import UnitOfWork
from services.display.adapters.tables import devices


def _where(request: Request) -> tuple[UnitOfWork, Hall]:
    deps = request.app.state.ctx.deps
    return deps.uow, deps.hall


router = device_router("board", devices, _where)
