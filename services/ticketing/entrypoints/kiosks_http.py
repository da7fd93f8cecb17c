"""The hall's kiosks as devices (``/api/v1/kiosks``), for the hall's manager: enrolled kiosks, a
kiosk's new token (type it in, or open the kiosk's page at ``/kiosk#device=<token>``), and
revoking one. Only the hall file's kiosks can be enrolled. And for a kiosk itself, with its token:
its heartbeat (``/api/v1/kiosks/me/heartbeat``)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Request

from antre.device_routes import device_router
from antre.hall.model import Hall
from antre.problems import NotFound
from antre.refusals import refusals
from antre.uow import UnitOfWork
from services.ticketing.adapters.tables import devices as table
from services.ticketing.entrypoints.http import KioskToken
from services.ticketing.handlers import kiosks


def _where(request: Request) -> tuple[UnitOfWork, Hall]:
    deps = request.app.state.ctx.deps
    return deps.uow, deps.hall


def _hall_kiosk(hall: Hall, kiosk_id: str) -> None:
    if hall.kiosk(kiosk_id) is None:
        raise NotFound("unknown_kiosk", f"Kios '{kiosk_id}' tidak dikenal", f"Unknown kiosk '{kiosk_id}'")


router = device_router("kiosk", table, _where, _hall_kiosk)


@router.post("/kiosks/me/heartbeat", responses=refusals((401, "No enrolled kiosk's token")))
async def heartbeat(request: Request, token: KioskToken) -> dict[str, Any]:
    """An enrolled kiosk (its token as ``Authorization: Bearer``): still here. The page beats every
    ``beat_seconds``; a kiosk silent for ``ANTRE_DEVICE_SILENT_SECONDS`` shows on the live hall.
    ``recorded`` is false for a beat within a few seconds of the last one written."""
    deps = request.app.state.ctx.deps
    beat = await asyncio.to_thread(kiosks.heartbeat, deps, token)
    return {"id": beat.device, "recorded": beat.recorded, "beat_seconds": deps.device_timing.beat_every}
