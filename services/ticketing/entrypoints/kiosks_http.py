"""The hall's kiosks as devices (``/api/v1/kiosks``), for the hall's manager: which are enrolled,
a kiosk's new token (shown once: type it into the kiosk, or open its page with
``/kiosk#device=<token>``), and revoking one (a kiosk stolen or replaced)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from antre.people import signed_in
from antre.roles import Person, Role
from services.ticketing import kiosks
from services.ticketing.entrypoints.http import Ctx

router = APIRouter(prefix="/api/v1", tags=["kiosks"])
Manager = Annotated[Person, Depends(signed_in(Role.MANAGER))]


@router.get("/kiosks")
async def listed(ctx: Ctx, _manager: Manager) -> dict[str, Any]:
    """A hall manager or above: the hall file's kiosks and whether each is enrolled."""
    found = await asyncio.to_thread(kiosks.listed, ctx.deps)
    return {"kiosks": [{"id": k.id, "name": k.name, "enrolled": k.enrolled} for k in found]}


@router.post("/kiosks/{kiosk_id}/token", status_code=201)
async def enrol(kiosk_id: str, ctx: Ctx, manager: Manager) -> dict[str, Any]:
    """A hall manager or above: a new token for the kiosk; its earlier token stops working."""
    token = await asyncio.to_thread(kiosks.enrol, ctx.deps, manager, kiosk_id)
    return {"kiosk": kiosk_id, "token": token}


@router.delete("/kiosks/{kiosk_id}/token", status_code=204)
async def revoke(kiosk_id: str, ctx: Ctx, manager: Manager) -> Response:
    """A hall manager or above: the kiosk's token stops working at once."""
    await asyncio.to_thread(kiosks.revoke, ctx.deps, manager, kiosk_id)
    return Response(status_code=204)
