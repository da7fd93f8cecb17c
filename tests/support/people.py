"""A stand-in for the counters' ``GET /api/v1/me`` in tests of a service's HTTP side alone: the
tokens it knows and the people they belong to."""

from __future__ import annotations

from antre.people import signed_out
from antre.roles import Person, Role

MANAGER = Person("rina", "Rina", "", Role.MANAGER)
OFFICER = Person("siti", "Siti", "dukcapil", Role.OFFICER)
SUPERVISOR = Person("bayu", "Bayu", "dukcapil", Role.SUPERVISOR)  # Dukcapil's head of service
OTHER_SUPERVISOR = Person("dewi", "Dewi", "bpjs", Role.SUPERVISOR)  # BPJS's
TOKENS = {
    "token-manager": MANAGER,
    "token-officer": OFFICER,
    "token-supervisor": SUPERVISOR,
    "token-supervisor-bpjs": OTHER_SUPERVISOR,
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class KnownPeople:
    def __init__(self, tokens: dict[str, Person] | None = None) -> None:
        self.tokens = tokens or TOKENS

    async def person(self, token: str) -> Person:
        if token not in self.tokens:
            raise signed_out()
        return self.tokens[token]

    async def close(self) -> None:
        pass
