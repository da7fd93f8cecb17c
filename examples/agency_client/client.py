"""An agency's system talking to the hall's booking API (``/api/v1``) with its API key: the
services it may book, their free sessions, booking, reading, moving and cancelling a booking, and
the ticket of a checked-in booking. Only ``httpx``; copy it into your own code base and adapt.

Every refusal raises :class:`AntreError` with the API's stable ``code`` and its message in Bahasa
Indonesia and English, ready to show to the officer or the citizen.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class AntreError(Exception):
    status: int
    code: str
    message: str  # Bahasa Indonesia
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message} / {self.message_en}"


class AgencyClient:
    """``AgencyClient("https://antrean.kendarikota.go.id", key="...", agency="dukcapil")``."""

    def __init__(
        self,
        base_url: str,
        key: str,
        agency: str,
        *,
        timeout: float = 10.0,
        retries_on_limit: int = 1,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.agency = agency
        # A refused request over the rate limit is tried again once after the wait the API names;
        # more would only prolong a flood.
        self.retries_on_limit = retries_on_limit
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"X-Api-Key": key, "User-Agent": f"antre-agency-client/1 ({agency})"},
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> AgencyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ---- what can be booked ----

    def services(self) -> list[dict[str, Any]]:
        """This agency's services that take bookings."""
        hall = self._call("GET", "/api/v1/hall")
        return [s for s in hall["services"] if s["agency"] == self.agency and s["bookable"]]

    def sessions(self, service: str) -> list[dict[str, Any]]:
        """Bookable days, each with its pool and sessions (``left`` places)."""
        return list(self._call("GET", f"/api/v1/services/{service}/sessions")["days"])

    def first_free(self, service: str) -> tuple[dt.date, str] | None:
        """The earliest session with a place left, on a day whose online share is not used up."""
        for day in self.sessions(service):
            if day["pool"]["online_left"] <= 0:
                continue
            for session in day["sessions"]:
                if session["left"] > 0:
                    return dt.date.fromisoformat(day["day"]), session["start"]
        return None

    # ---- bookings ----

    def book(
        self,
        service: str,
        day: dt.date,
        session: str,
        *,
        nik: str,
        name: str,
        phone: str,
        email: str = "",
        language: str = "id",
    ) -> dict[str, Any]:
        body = {
            "service": service,
            "day": day.isoformat(),
            "session": session,
            "nik": nik,
            "name": name,
            "phone": phone,
            "email": email,
            "language": language,
        }
        return self._call("POST", "/api/v1/bookings", json=body)

    def booking(self, code: str) -> dict[str, Any]:
        return self._call("GET", f"/api/v1/bookings/{code}")

    def reschedule(self, code: str, *, nik: str, day: dt.date, session: str) -> dict[str, Any]:
        body = {"nik": nik, "day": day.isoformat(), "session": session}
        return self._call("POST", f"/api/v1/bookings/{code}/reschedule", json=body)

    def cancel(self, code: str, *, nik: str) -> dict[str, Any]:
        return self._call("POST", f"/api/v1/bookings/{code}/cancel", json={"nik": nik})

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        """A checked-in booking's ticket: its number, state and counter."""
        return self._call("GET", f"/api/v1/tickets/{ticket_id}")

    # ---- the wire ----

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        retries = 0
        while True:
            response = self._http.request(method, path, **kwargs)
            if response.status_code < 400:
                return dict(response.json())
            error = _error(response)
            wait = error.details.get("retry_after")
            if error.status != 429 or retries >= self.retries_on_limit or not isinstance(wait, int):
                raise error
            retries += 1
            time.sleep(min(wait, 60))


def _error(response: httpx.Response) -> AntreError:
    try:
        body = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return AntreError(response.status_code, f"http_{response.status_code}", response.text, response.text)
    details = {k: v for k, v in body.items() if k not in ("code", "message", "message_en")}
    return AntreError(response.status_code, body["code"], body["message"], body["message_en"], details)
