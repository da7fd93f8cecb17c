"""The routes a hall manager enrols a service's devices with (``/api/v1/<kind>s``): the enrolled
ones, a device's new token (shown once; the device's page takes it as ``#device=<token>``), and
revoking one (stolen, replaced or retired). The same for ticketing's kiosks and the display's
boards; each service says which ids it takes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy import Table

from antre import devices
from antre.hall.model import Hall
from antre.people import signed_in
from antre.refusals import refusals
from antre.roles import Person, Role
from antre.uow import UnitOfWork

DEVICE_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
Manager = Annotated[Person, Depends(signed_in(Role.MANAGER))]
DeviceId = Annotated[str, Path(pattern=DEVICE_ID, description="The hall's name for the device")]


def device_router(
    kind: str,
    table: Table,
    where: Callable[[Request], tuple[UnitOfWork, Hall]],
    check_id: Callable[[Hall, str], None] = lambda hall, device_id: None,
) -> APIRouter:
    """``where`` finds the service's unit of work and hall in a request; ``check_id`` refuses an
    id the hall does not have (ticketing's kiosks are the hall file's)."""
    router = APIRouter(prefix="/api/v1", tags=["devices"])

    @router.get(f"/{kind}s", responses=refusals(401, 403, 503))
    async def listed(request: Request, _manager: Manager) -> dict[str, Any]:
        """A hall manager or above: every device of this kind enrolled, revoked ones too."""
        uow, _ = where(request)
        found = await asyncio.to_thread(devices.listed_of, uow, table, kind)
        return {
            f"{kind}s": [
                {
                    "id": d.id,
                    "enrolled_at": d.enrolled_at.isoformat(),
                    "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
                }
                for d in found
            ]
        }

    @router.post(
        f"/{kind}s/{{device_id}}/token",
        status_code=201,
        responses=refusals(401, 403, (404, "The hall has no such device"), 503),
    )
    async def enrol(device_id: DeviceId, request: Request, manager: Manager) -> dict[str, Any]:
        """A hall manager or above: a new token for the device; its earlier one stops working."""
        uow, hall = where(request)
        check_id(hall, device_id)
        token = await asyncio.to_thread(devices.enrol_audited, uow, table, hall.id, manager, device_id, kind)
        return {"id": device_id, "token": token}

    @router.delete(f"/{kind}s/{{device_id}}/token", status_code=204, responses=refusals(401, 403, 503))
    async def revoke(device_id: DeviceId, request: Request, manager: Manager) -> Response:
        """A hall manager or above: the device's token stops working at once."""
        uow, hall = where(request)
        await asyncio.to_thread(devices.revoke_audited, uow, table, hall.id, manager, device_id, kind)
        return Response(status_code=204)

    return router
