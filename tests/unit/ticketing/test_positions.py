"""Ticketing's view of the counters' forecasts: kept per service for a few seconds, and a ticket
that joined since the kept answer is asked for alone rather than shown without a call time."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from antre.privacy import ticket_key
from services.ticketing.adapters.positions import Positions

SOON = {"p50": "2026-12-04T10:41:10+08:00", "p90": "2026-12-04T10:52:00+08:00", "not_called": 0.0}


class Counters:
    """The counters' two forecast endpoints over a dict of waiting tickets, counting requests."""

    def __init__(self) -> None:
        self.kept: dict[str, dict[str, Any]] = {"t1": SOON}  # as the group's last snapshot had it
        self.waiting = {"t1", "t2"}
        self.asked: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.asked.append(path)
        if path == "/api/v1/services/ktp-el/forecasts":
            return httpx.Response(200, json={"forecasts": {ticket_key(t): f for t, f in self.kept.items()}})
        ticket = path.split("/")[4]
        if ticket not in self.waiting:
            return httpx.Response(404, json={"error": {"code": "unknown_ticket"}})
        self.kept[ticket] = SOON  # the counters make a new snapshot that has it
        return httpx.Response(200, json={"ticket_id": ticket, "forecast": SOON})


def positions(counters: Counters) -> Positions:
    return Positions(httpx.AsyncClient(base_url="http://counters", transport=httpx.MockTransport(counters)))


def test_a_kept_forecast_serves_every_page_of_the_service() -> None:
    counters = Counters()
    found = asyncio.run(_ask(positions(counters), [("t1", "ktp-el"), ("t1", "ktp-el")]))
    assert found == [SOON, SOON]
    assert counters.asked == ["/api/v1/services/ktp-el/forecasts"]


def test_a_ticket_that_joined_since_is_asked_for_alone_then_the_service_again() -> None:
    counters = Counters()
    found = asyncio.run(_ask(positions(counters), [("t1", "ktp-el"), ("t2", "ktp-el"), ("t2", "ktp-el")]))
    assert found == [SOON, SOON, SOON]
    assert counters.asked == [
        "/api/v1/services/ktp-el/forecasts",
        "/api/v1/tickets/t2/forecast",
        "/api/v1/services/ktp-el/forecasts",  # the kept answer missed one: fetched anew once
    ]


def test_a_ticket_the_counters_do_not_know_yet_has_no_forecast() -> None:
    counters = Counters()
    assert asyncio.run(_ask(positions(counters), [("t9", "ktp-el")])) == [None]


async def _ask(p: Positions, asks: list[tuple[str, str]]) -> list[dict[str, Any] | None]:
    return [await p.forecast_of(ticket, service) for ticket, service in asks]
