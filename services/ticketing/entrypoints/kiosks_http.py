"""The hall's kiosks as devices (``/api/v1/kiosks``), for the hall's manager: enrolled kiosks, a
kiosk's new token (type it in, or open the kiosk's page at ``/kiosk#device=<token>``), and
revoking one. Only the hall file's kiosks can be enrolled."""

from __future__ import annotations

from fastapi import Request

from antre.device_routes import device_router
from antre.hall.model import Hall
from antre.problems import NotFound
from antre.uow import UnitOfWork
from services.ticketing.adapters.tables import devices


def _where(request: Request) -> tuple[UnitOfWork, Hall]:
    deps = request.app.state.ctx.deps
    return deps.uow, deps.hall


def _hall_kiosk(hall: Hall, kiosk_id: str) -> None:
    if hall.kiosk(kiosk_id) is None:
        raise NotFound("unknown_kiosk", f"Kios '{kiosk_id}' tidak dikenal", f"Unknown kiosk '{kiosk_id}'")


router = device_router("kiosk", devices, _where, _hall_kiosk)
