"""Dates in the booking API are ``YYYY-MM-DD`` and nothing else: ``?day=0`` was read as seconds
since 1970 and answered with 1 January 1970's pool; a date-time or a number in a body was taken
as some day too. Each is refused with 422 and the field named, and nothing is booked."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.hall import RunningHall

pytestmark = pytest.mark.e2e

NOT_DATES = [
    "0",
    "1764547200",
    "2026-12-01T00:00:00",
    "2026-12-1",
    "01-12-2026",
    "20261201",
    "2026-13-01",
    " 2026-12-01",
]


def test_only_iso_dates_are_dates(start_hall: Callable[..., RunningHall]) -> None:
    hall = start_hall("ticketing")
    with hall.client("ticketing") as c:
        day = next(d for d in c.get("/api/v1/services/ktp-el/sessions").json()["days"] if d["sessions"])
        session = day["sessions"][0]["start"]
        assert c.get("/api/v1/services/ktp-el/pool", params={"day": day["day"]}).json()["day"] == day["day"]
        for text in NOT_DATES:
            refused = c.get("/api/v1/services/ktp-el/pool", params={"day": text})
            assert refused.status_code == 422, (text, refused.text)
            error = refused.json()["error"]
            assert error["code"] == "invalid_request" and error["fields"][0]["field"] == "query.day"
        booking = {
            "service": "ktp-el",
            "session": session,
            "nik": "7471010101900001",
            "name": "W",
            "phone": "081234567890",
        }
        for value in [0, 1764547200, *NOT_DATES]:
            refused = c.post("/api/v1/bookings", json={**booking, "day": value})
            assert refused.status_code == 422, (value, refused.text)
            assert refused.json()["error"]["fields"][0]["field"] == "body.day"
        made = c.post("/api/v1/bookings", json={**booking, "day": day["day"]})
        assert made.status_code == 201, made.text
        move = {"nik": "7471010101900001", "session": session}
        for value in [0, "2026-12-01T09:00:00"]:
            refused = c.post(
                f"/api/v1/bookings/{made.json()['code']}/reschedule", json={**move, "day": value}
            )
            assert refused.status_code == 422 and refused.json()["error"]["fields"][0]["field"] == "body.day"
        assert c.get("/api/v1/services/ktp-el/pool", params={"day": day["day"]}).json()["online_left"] == (
            day["pool"]["online_left"] - 1
        )
