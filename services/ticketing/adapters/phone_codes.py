"""One-time codes from notify, the owner of citizens' contacts and channels: ticketing asks it to
send a code to the phone a booking gives, and to check the answer the booking carries.

Synchronous: the booking command runs in a worker thread and must know the answer before it takes
a place. A refusal of notify's (a limit, a bad number) is handed on as the same bilingual problem;
notify unreachable is ``phone_codes_unavailable``: no place is taken without a checked code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from antre.problems import Problem, Unavailable
from antre.web import STATUS

PURPOSE = "booking"


@dataclass(frozen=True)
class Checked:
    matched: bool
    tries_left: int


class PhoneCodes:
    def __init__(self, notify_url: str, timeout: float = 5.0) -> None:
        self._http = httpx.Client(base_url=notify_url, timeout=timeout, follow_redirects=False)

    def send(self, phone: str, client: str, language: str = "id") -> dict[str, Any]:
        body = {"purpose": PURPOSE, "phone": phone, "client": client[:64], "language": language}
        return self._post("/api/v1/phone-codes", body)

    def check(self, code_id: str, code: str, phone: str) -> Checked:
        body = {"purpose": PURPOSE, "phone": phone, "code": code}
        if not code_id.isalnum():  # never sent by notify: no path tricks either
            return Checked(False, 0)
        answer = self._post(f"/api/v1/phone-codes/{quote(code_id, safe='')}/check", body)
        return Checked(bool(answer["matched"]), int(answer["tries_left"]))

    def close(self) -> None:
        self._http.close()

    def _post(self, path: str, body: dict[str, str]) -> dict[str, Any]:
        try:
            response = self._http.post(path, json=body)
        except httpx.HTTPError:
            raise _unavailable() from None
        if response.status_code < 300:
            return dict(response.json())
        if response.status_code == 404 and path.endswith("/check"):
            return {"matched": False, "tries_left": 0}  # an unknown id proves as little as a dead one
        raise _problem(response)


def _problem(response: httpx.Response) -> Problem:
    try:
        error = response.json()["error"]
        kind = next(cls for cls, status in STATUS.items() if status == response.status_code)
    except (ValueError, KeyError, TypeError, StopIteration):
        return _unavailable()
    details = {k: v for k, v in error.items() if k in ("retry_after", "field")}
    return kind(str(error["code"]), str(error["message"]), str(error["message_en"]), **details)


def _unavailable() -> Unavailable:
    return Unavailable(
        "phone_codes_unavailable",
        "Kode verifikasi tidak dapat dikirim atau diperiksa saat ini; coba lagi sebentar lagi",
        "Verification codes cannot be sent or checked right now; try again shortly",
    )
