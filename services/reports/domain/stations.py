"""Each counter as the live hall shows it: closed, open or paused (and why), who works it, and
the citizen it holds now (called or being served, since when). Folded from the counters' and the
tickets' events, in the stream's order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

CLOSED, OPEN, PAUSED = "closed", "open", "paused"
CALLED, SERVING = "called", "serving"


@dataclass(frozen=True)
class Station:
    number: int
    state: str = CLOSED
    officer: str = ""
    reason: str = ""
    services: tuple[str, ...] = ()
    since: dt.datetime | None = None  # of the state
    ticket_id: str = ""
    ticket_number: str = ""
    ticket_service: str = ""
    ticket_state: str = ""  # called, serving, or empty: holding nobody
    ticket_since: dt.datetime | None = None


def opened(station: Station, at: dt.datetime, officer: str, services: tuple[str, ...]) -> Station:
    return replace(station, state=OPEN, officer=officer, reason="", services=services, since=at)


def paused(station: Station, at: dt.datetime, reason: str) -> Station:
    return replace(station, state=PAUSED, reason=reason, since=at)


def resumed(station: Station, at: dt.datetime) -> Station:
    return replace(station, state=OPEN, reason="", since=at)


def closed(station: Station, at: dt.datetime) -> Station:
    return Station(station.number, since=at)


def holds(
    station: Station, at: dt.datetime, ticket_id: str, number: str, service: str, state: str
) -> Station:
    """The counter calls a ticket (or starts serving it): a recall keeps the first call's time."""
    if station.ticket_id == ticket_id and station.ticket_state == state:
        return station
    return replace(
        station,
        ticket_id=ticket_id,
        ticket_number=number,
        ticket_service=service,
        ticket_state=state,
        ticket_since=at,
    )


def lets_go(station: Station, ticket_id: str) -> Station:
    """The ticket it held is done there (served, skipped, passed on, cancelled)."""
    if station.ticket_id != ticket_id:
        return station
    return replace(
        station, ticket_id="", ticket_number="", ticket_service="", ticket_state="", ticket_since=None
    )
