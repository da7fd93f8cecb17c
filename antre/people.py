"""Who is calling, for a service that keeps no accounts: the counters own people and their
sessions, so a bearer token is asked of them (``GET /api/v1/me``), and a route states the role it
needs with :func:`signed_in`.

An answer is kept for a few seconds: an operator's page may ask several times a second, and the
counters' call next should not pay for that. So a disabled account or an ended session may act
here for at most ``KEEP_SECONDS`` more."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

import httpx
from fastapi import Header, Request

from antre.devices import bearer_of
from antre.problems import Unauthorized, Unavailable
from antre.roles import Person, Role, require

KEEP_SECONDS = 5.0
_MAX_KEPT = 10_000


class People:
    def __init__(self, counters_url: str, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient(base_url=counters_url, timeout=5.0)
        self._kept: dict[str, tuple[float, Person]] = {}

    async def person(self, token: str) -> Person:
        key = hashlib.sha256(token.encode()).hexdigest()  # never keep the token itself
        kept = self._kept.get(key)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        person = await self._ask(token)
        if len(self._kept) >= _MAX_KEPT:
            self._kept.clear()
        self._kept[key] = (time.monotonic() + KEEP_SECONDS, person)
        return person

    async def _ask(self, token: str) -> Person:
        try:
            response = await self._client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError:
            raise Unavailable(
                "counters_unreachable",
                "Layanan loket tidak dapat dihubungi untuk memeriksa petugas; coba lagi",
                "The counters service cannot be reached to check who you are; try again",
            ) from None
        if response.status_code in (401, 403):
            raise signed_out()
        if response.status_code != 200:
            raise Unavailable(
                "counters_failed",
                f"Layanan loket menjawab {response.status_code}; coba lagi",
                f"The counters service answered {response.status_code}; try again",
            )
        data = response.json()
        return Person(
            str(data["username"]),
            str(data.get("name", "")),
            str(data.get("agency") or ""),
            Role(data["role"]),
        )

    async def close(self) -> None:
        await self._client.aclose()


def signed_out() -> Unauthorized:
    return Unauthorized("signed_out", "Silakan masuk terlebih dahulu", "Please sign in first")


def bearer(authorization: str) -> str:
    """A person's bearer token, or the refusal of one who has none."""
    token = bearer_of(authorization)
    if not token:
        raise signed_out()
    return token


def signed_in(role: Role) -> Callable[..., Awaitable[Person]]:
    """A dependency: the signed-in person, refused unless they hold ``role`` or above. The app's
    state holds the :class:`People` to ask (``app.state.people``)."""

    async def person(request: Request, authorization: Annotated[str, Header()] = "") -> Person:
        people: People = request.app.state.people
        found = await people.person(bearer(authorization))
        require(found, role)
        return found

    return person
