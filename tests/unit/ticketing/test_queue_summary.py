"""The kiosk's queue summary: how many wait per service and the forecast at the back of each line,
one answer for every kiosk for a few seconds, with nothing in it that names a ticket."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from antre.privacy import ticket_key
from services.ticketing.adapters import positions as positions_module
from services.ticketing.adapters.positions import Positions

FIRST = {"p50": "2026-12-08T10:05:00+08:00", "p90": "2026-12-08T10:20:00+08:00", "not_called": 0.0}
LAST = {"p50": "2026-12-08T10:40:00+08:00", "p90": "2026-12-08T10:55:00+08:00", "not_called": 0.1}


class Counters:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.waiting = {"ktp-el": 2, "skck": 0}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request.url.path)
        if request.url.path == "/api/v1/queues":
            return httpx.Response(200, json={"waiting": self.waiting})
        if request.url.path == "/api/v1/services/ktp-el/forecasts":
            return httpx.Response(200, json={"forecasts": {ticket_key("t1"): FIRST, ticket_key("t2"): LAST}})
        return httpx.Response(404, json={"error": {"code": "unknown"}})


def summary(counters: Counters, times: int = 1) -> list[dict[str, Any] | None]:
    positions = Positions(httpx.AsyncClient(base_url="http://c", transport=httpx.MockTransport(counters)))

    async def ask() -> list[dict[str, Any] | None]:
        return [await positions.summary(["ktp-el", "skck"]) for _ in range(times)]

    return asyncio.run(ask())


def test_each_service_shows_its_count_and_the_back_of_its_line() -> None:
    (found,) = summary(Counters())
    assert found == {
        "ktp-el": {"waiting": 2, "forecast": {"p50": LAST["p50"], "p90": LAST["p90"]}},
        "skck": {"waiting": 0, "forecast": None},
    }


def test_the_summary_names_no_ticket() -> None:
    (found,) = summary(Counters())
    text = json.dumps(found)
    assert ticket_key("t1") not in text and ticket_key("t2") not in text and "not_called" not in text


def test_every_kiosk_shares_one_answer_and_no_forecast_is_asked_of_an_empty_line() -> None:
    counters = Counters()
    first, second = summary(counters, times=2)
    assert first == second
    assert counters.asked == ["/api/v1/queues", "/api/v1/services/ktp-el/forecasts"]


def test_the_answer_is_made_anew_once_it_is_old(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(positions_module, "SUMMARY_SECONDS", -1.0)
    counters = Counters()
    summary(counters, times=2)
    assert counters.asked.count("/api/v1/queues") == 2


def test_no_answer_when_the_counters_cannot_be_asked() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down")

    positions = Positions(httpx.AsyncClient(base_url="http://c", transport=httpx.MockTransport(down)))
    assert asyncio.run(positions.summary(["ktp-el"])) is None
