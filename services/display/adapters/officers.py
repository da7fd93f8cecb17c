"""Who is posting to the hall's voice: an officer signed in at the counters service, asked of its
owner (``GET /api/v1/me`` with the officer's own bearer token). The display keeps no accounts:
officers and their sessions are the counters' facts."""

from __future__ import annotations

import httpx

from antre.problems import Unauthorized, Unavailable
from services.display.voice_handlers import Caller


class CountersOfficers:
    def __init__(self, base_url: str, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient(base_url=base_url, timeout=5.0)

    async def caller(self, token: str) -> Caller:
        try:
            response = await self._client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError:
            raise Unavailable(
                "counters_unreachable",
                "Layanan loket tidak dapat dihubungi untuk memeriksa petugas; coba lagi",
                "The counters service cannot be reached to check the officer; try again",
            ) from None
        if response.status_code in (401, 403):
            raise Unauthorized("signed_out", "Silakan masuk sebagai petugas", "Please sign in as an officer")
        if response.status_code != 200:
            raise Unavailable(
                "counters_failed",
                f"Layanan loket menjawab {response.status_code}; coba lagi",
                f"The counters service answered {response.status_code}; try again",
            )
        data = response.json()
        return Caller(str(data["username"]), str(data.get("agency") or ""))

    async def close(self) -> None:
        await self._client.aclose()
