"""The hall's front of house in a replayed day: booking (on the public page, with an agency's key or
at the help desk), cancelling, moving, checking in, walking in and working the counters, each
through the services' real HTTP APIs, each writing into the :class:`~tests.support.replay.Ledger`
what the rules owe for it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from antre.hall.model import Hall
from tests.support.hall import RunningHall, wait_for
from tests.support.replay import CALLED, CONFIRMATION, NO_SHOW, SURVEY, TURN_NEAR, Citizen, Ledger


def nik(n: int) -> str:
    """A well-formed NIK: Kota Kendari (74 71 01), born 1 January 1990, serial ``n``."""
    return f"747101010190{n:04d}"


class Desk:
    def __init__(self, hall: RunningHall, model: Hall, ledger: Ledger, keys: dict[str, str], watched: str):
        self.hall = hall
        self.model = model
        self.ledger = ledger
        self.keys = keys  # "agency" and "helpdesk": the API key each uses
        self.watched = watched  # the agency whose webhook listens
        self.ticketing = hall.client("ticketing")
        self.counters = hall.client("counters")
        self.niks: dict[str, str] = {}
        self.officers: dict[int, dict[str, str]] = {}

    def close(self) -> None:
        self.ticketing.close()
        self.counters.close()

    def agency_of(self, service: str) -> str:
        found = self.model.service(service)
        assert found is not None
        return found.agency

    def _hook(self, event: str, service: str) -> None:
        self.ledger.hook(event, self.agency_of(service), self.watched)

    def _headers(self, via: str) -> dict[str, str]:
        return {"X-Api-Key": self.keys[via]} if via in self.keys else {}

    # ---- bookings ----

    def book(self, c: Citizen, day: dt.date) -> dict[str, Any]:
        self.niks[c.name] = nik(len(self.niks) + 1)
        body = {
            "service": c.service,
            "day": day.isoformat(),
            "session": c.session,
            "nik": self.niks[c.name],
            "name": c.name,
            "phone": c.phone,
            "email": c.email,
            "language": c.language,
        }
        response = self.ticketing.post("/api/v1/bookings", json=body, headers=self._headers(c.via))
        assert response.status_code == 201, response.text
        made = response.json()
        c.code, c.booking_id = made["code"], made["id"]
        self.ledger.owe(c, CONFIRMATION)
        self._hook("booking.created", c.service)
        return made

    def cancel(self, c: Citizen) -> None:
        response = self.ticketing.post(f"/api/v1/bookings/{c.code}/cancel", json={"nik": self.niks[c.name]})
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "cancelled"
        self._hook("booking.cancelled", c.service)

    def reschedule(self, c: Citizen, day: dt.date, session: str) -> None:
        body = {"nik": self.niks[c.name], "day": day.isoformat(), "session": session}
        response = self.ticketing.post(
            f"/api/v1/bookings/{c.code}/reschedule", json=body, headers=self._headers(c.via)
        )
        assert response.status_code == 200, response.text
        assert response.json()["session_start"] == session
        c.session = session
        self.ledger.owe(c, CONFIRMATION)  # the new slot, in the confirmation's words
        self._hook("booking.rescheduled", c.service)

    def state(self, c: Citizen) -> str:
        return str(self.ticketing.get(f"/api/v1/bookings/{c.code}").json()["state"])

    def swept(self, c: Citizen, timeout: float = 45.0) -> None:
        """The no-show sweep reached the booking (it runs every half minute)."""
        wait_for(lambda: self.state(c) == "no_show", timeout, f"{c.name}'s no-show")
        self.ledger.owe(c, NO_SHOW)
        self._hook("booking.no_show", c.service)

    def refused_check_in(self, c: Citizen, code: str) -> dict[str, Any]:
        response = self.ticketing.post(f"/api/v1/bookings/{c.code}/check-in", json={"kiosk": "kiosk-1"})
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["code"] == code and error["message"] and error["message_en"], error
        return dict(error)

    def check_in(self, c: Citizen, turn_near: int) -> dict[str, Any]:
        response = self.ticketing.post(f"/api/v1/bookings/{c.code}/check-in", json={"kiosk": "kiosk-1"})
        assert response.status_code == 200, response.text
        ticket = response.json()
        c.ticket_id, c.number = ticket["id"], ticket["number"]
        self._hook("booking.checked_in", c.service)
        # The rule owes "your turn is near" once the ticket has at most ``turn_near`` ahead; the
        # day keeps queues that short, so it is owed at once (and the test waits for it).
        position = self.position(c)
        assert position is not None and position - 1 <= turn_near, (c.name, position)
        self.ledger.owe(c, TURN_NEAR)
        return dict(ticket)

    def position(self, c: Citizen) -> int | None:
        def known() -> bool:
            return self.counters.get(f"/api/v1/tickets/{c.ticket_id}/position").status_code == 200

        wait_for(known, 20.0, f"counters to queue {c.name}")
        found = self.counters.get(f"/api/v1/tickets/{c.ticket_id}/position").json()["position"]
        return int(found) if found is not None else None

    # ---- walk-ins ----

    def walk_in(self, c: Citizen) -> dict[str, Any]:
        response = self.ticketing.post("/api/v1/tickets", json={"service": c.service, "kiosk": "kiosk-1"})
        assert response.status_code == 201, response.text
        ticket = response.json()
        c.ticket_id, c.number = ticket["id"], ticket["number"]
        return dict(ticket)

    def pool(self, service: str, day: dt.date) -> dict[str, int]:
        found = self.ticketing.get(f"/api/v1/services/{service}/pool", params={"day": day.isoformat()})
        assert found.status_code == 200, found.text
        return {k: v for k, v in found.json().items() if isinstance(v, int)}

    def ticket_state(self, c: Citizen) -> str:
        return str(self.ticketing.get(f"/api/v1/tickets/{c.ticket_id}").json()["state"])

    # ---- counters ----

    def open(self, number: int, agency: str) -> None:
        username = f"petugas{number}"
        self.hall.add_officer(username, agency)
        self.officers[number] = self.hall.sign_in(username)
        self._act(number, "open")

    def _act(self, number: int, action: str, body: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.counters.post(
            f"/api/v1/counters/{number}/{action}", json=body, headers=self.officers[number]
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def serve(self, number: int, cast: list[Citizen], finish: bool = True) -> Citizen:
        """Call the next citizen to counter ``number`` and do what that citizen's visit calls for:
        serve them (and, with ``finish``, complete), recall them first, pass over an absent one
        after the hall's recalls, or send them on to another service."""
        called = self._act(number, "call-next")["ticket"]
        assert called is not None, f"nobody waits for counter {number}"
        c = next(c for c in cast if c.ticket_id == called["id"])
        c.calls.append((called["service"], number))
        self._hook("ticket.called", called["service"])
        if c.booked:
            self.ledger.owe(c, CALLED)  # once per ticket, service and counter: recalls add none
        if c.at_counter == "absent":
            for _ in range(self.model.queue.max_recalls):
                self._act(number, "recall")
            assert self._act(number, "skip")["ticket"]["state"] == "no_show"
            return c
        if c.at_counter.startswith("transfer:"):
            to = c.at_counter.split(":", 1)[1]
            assert self._act(number, "transfer", {"service": to})["ticket"]["state"] == "waiting"
            self._hook("ticket.transferred", to)
            c.at_counter = "serve"  # at the next counter they are served
            return c
        if c.at_counter == "recall":
            self._act(number, "recall")
        self._act(number, "start")
        if finish:
            self.complete(number, c)
        return c

    def complete(self, number: int, c: Citizen) -> None:
        assert self._act(number, "complete")["ticket"]["state"] == "completed"
        self._hook("ticket.completed", c.calls[-1][0])
        if c.booked:
            self.ledger.owe(c, SURVEY)
