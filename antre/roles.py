"""Who a person is in the hall: the roles people act in, one word each from the account to the
page. Standard library only: services' domains check roles, and the web layer names them.

The roles nest: each may do what the one before it may.
- ``officer``: works a counter of their agency (any agency's, when they have none);
- ``supervisor``: an agency's head of service, sees and runs their own agency's side of the hall;
- ``manager``: the head of the MPP, runs the whole hall (officers, devices, reports);
- ``admin``: the city's IT office, runs the platform (every account, webhooks, deliveries).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from antre.problems import Forbidden, Invalid


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANK = {role: n for n, role in enumerate(Role)}
ROLE_NAMES = {
    Role.OFFICER: ("petugas loket", "counter officer"),
    Role.SUPERVISOR: ("supervisor instansi", "agency supervisor"),
    Role.MANAGER: ("pengelola MPP", "hall manager"),
    Role.ADMIN: ("admin platform", "platform admin"),
}


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(Role)
        raise Invalid(
            "unknown_role",
            f"Peran '{value}' tidak dikenal (pilih: {choices})",
            f"Unknown role '{value}' (choose: {choices})",
        ) from None


@dataclass(frozen=True)
class Person:
    """A signed-in person as other services learn of them from the counters (``GET /api/v1/me``)."""

    username: str
    name: str
    agency: str  # empty: hall-wide (hall staff, manager, admin)
    role: Role = Role.OFFICER


def require(person: Person, needed: Role, agency: str = "") -> None:
    """Refuse unless ``person`` holds ``needed`` or more; for an agency's matter, a person of
    another agency is refused whatever their role (hall-wide people may act for any agency)."""
    if not person.role.allows(needed):
        name, name_en = ROLE_NAMES[needed]
        raise Forbidden(
            "role_required",
            f"Hanya {name} atau di atasnya yang boleh melakukan ini",
            f"Only a {name_en} or above may do this",
            role=needed.value,
        )
    if agency and person.agency and person.agency != agency:
        raise Forbidden(
            "other_agency",
            "Ini urusan instansi lain",
            "This belongs to another agency",
        )
