"""Notify's queries for operators."""

from __future__ import annotations

from antre import db
from antre.problems import Invalid, NotFound
from services.notify.adapters import repository as repo
from services.notify.domain.deliveries import Delivery, State
from services.notify.handlers.deps import Deps


def list_deliveries(deps: Deps, state: str = "", limit: int = 50) -> list[Delivery]:
    wanted: State | None = None
    if state:
        try:
            wanted = State(state)
        except ValueError:
            allowed = ", ".join(s.value for s in State)
            raise Invalid(
                "unknown_state",
                f"Status '{state}' tidak dikenal (pilihan: {allowed})",
                f"Unknown state '{state}' (one of: {allowed})",
            ) from None
    with db.read(deps.uow.engine) as conn:
        return repo.listing(conn, wanted, limit)


def get_delivery(deps: Deps, delivery_id: str) -> Delivery:
    with db.read(deps.uow.engine) as conn:
        delivery = repo.get(conn, delivery_id)
    if delivery is None:
        raise NotFound("unknown_delivery", "Pengiriman tidak ditemukan", "Delivery not found")
    return delivery
