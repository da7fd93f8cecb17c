"""The NIK oracle, as it was found: moving a booking to its own session answered 200 for the
right NIK and 403 for a wrong one and changed nothing, without a limit, so the NIK behind a
booking code could be guessed (with a known birth date, in ten tries). Now five wrong NIKs lock
the code: from then on the right NIK gets the very answer a wrong one gets, until the help desk
unlocks it. Against the running ticketing service."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.hall import RunningHall

pytestmark = pytest.mark.e2e

HELPDESK, AGENCY = "kunci-helpdesk-uji-0123456789abcdef", "kunci-dukcapil-uji-0123456789abcdef"
OWNER_NIK = "7471014508900003"  # a woman born 5 August 1990 in Kota Kendari, serial 0003


def guesses() -> list[str]:
    """What a guesser who knows her birth date tries: her region's districts, the serial the
    old mask showed."""
    return [f"7471{district:02d}450890" + "0003" for district in range(2, 12)]


def test_after_five_wrong_niks_the_right_one_is_refused_as_a_wrong_one(
    start_hall: Callable[..., RunningHall],
) -> None:
    hall = start_hall(
        "ticketing", extra_env={"ANTRE_API_KEYS": json.dumps({HELPDESK: "helpdesk", AGENCY: "dukcapil"})}
    )
    with hall.client("ticketing") as c:
        day = next(d for d in c.get("/api/v1/services/ktp-el/sessions").json()["days"] if d["sessions"])
        session = day["sessions"][0]["start"]
        made = c.post(
            "/api/v1/bookings",
            json={
                "service": "ktp-el",
                "day": day["day"],
                "session": session,
                "nik": OWNER_NIK,
                "name": "Warga",
                "phone": "081234567890",
            },
        ).json()
        assert made["nik"] == "************0003"  # nothing of the region or the birth date
        code = made["code"]

        def move(nik: str, **headers: str) -> httpx.Response:
            # To the booking's own session: a right NIK changes nothing, so this was a free test.
            body = {"nik": nik, "day": day["day"], "session": session}
            return c.post(f"/api/v1/bookings/{code}/reschedule", json=body, headers=headers)

        answers = [move(nik) for nik in guesses()]
        assert [a.status_code for a in answers[:5]] == [403] * 5
        assert {a.json()["error"]["code"] for a in answers[:5]} == {"booking_not_yours"}
        locked = answers[5:]
        assert {a.status_code for a in locked} == {429}
        error = locked[0].json()["error"]
        assert error["code"] == "code_locked" and error["message"] and error["message_en"]
        # The right NIK now: the same status and the same body as the wrong NIK before it.
        right = move(OWNER_NIK)
        assert (right.status_code, right.json()) == (locked[-1].status_code, locked[-1].json())
        cancel = c.post(f"/api/v1/bookings/{code}/cancel", json={"nik": OWNER_NIK})
        assert (cancel.status_code, cancel.json()["error"]["code"]) == (429, "code_locked")
        assert c.get(f"/api/v1/bookings/{code}").json() == made  # nothing changed

        # Only the help desk unlocks, and after it the right NIK works again.
        for headers in ({}, {"X-Api-Key": AGENCY}):
            refused = c.post(f"/api/v1/bookings/{code}/unlock", headers=headers)
            assert (refused.status_code, refused.json()["error"]["code"]) == (403, "help_desk_only")
        assert move(OWNER_NIK).status_code == 429
        unlocked = c.post(f"/api/v1/bookings/{code}/unlock", headers={"X-Api-Key": HELPDESK})
        assert unlocked.status_code == 200 and unlocked.json() == made
        assert move(OWNER_NIK).status_code == 200
        assert (
            c.post(f"/api/v1/bookings/{code}/cancel", json={"nik": OWNER_NIK}).json()["state"] == "cancelled"
        )


def test_one_address_cannot_walk_many_codes(start_hall: Callable[..., RunningHall]) -> None:
    """Four guesses at each of many codes stay under every code's lock; the address is what is
    limited then: ten wrong codes or NIKs an hour, after which it is refused whatever it sends."""
    hall = start_hall("ticketing", extra_env={"ANTRE_API_KEYS": json.dumps({HELPDESK: "helpdesk"})})
    with hall.client("ticketing") as c:
        day = next(d for d in c.get("/api/v1/services/ktp-el/sessions").json()["days"] if d["sessions"])
        session = day["sessions"][0]["start"]

        def book(n: int) -> dict[str, Any]:
            body = {
                "service": "ktp-el",
                "day": day["day"],
                "session": session,
                "nik": made_nik(n),
                "name": "W",
                "phone": f"0812000{n:05d}",
            }
            return c.post("/api/v1/bookings", json=body).json()

        made = [book(n) for n in (1, 2, 3)]
        statuses = [
            c.post(f"/api/v1/bookings/{b['code']}/cancel", json={"nik": "7471010101909999"}).status_code
            for b in made
            for _ in range(4)
        ]
        assert statuses == [403] * 10 + [429] * 2
        right = c.post(f"/api/v1/bookings/{made[2]['code']}/cancel", json={"nik": made_nik(3)})
        assert (right.status_code, right.json()["error"]["code"]) == (429, "too_many_wrong_niks")
        assert int(right.json()["error"]["retry_after"]) > 0
        assert c.get(f"/api/v1/bookings/{made[2]['code']}").status_code == 429  # reading codes too
        seen = c.get(f"/api/v1/bookings/{made[2]['code']}", headers={"X-Api-Key": HELPDESK})
        assert seen.json()["state"] == "booked"


def made_nik(n: int) -> str:
    return f"747101010190{n:04d}"
