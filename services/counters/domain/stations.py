"""A counter (*loket*) as a place an officer works: closed, open or paused (and why), holding at
most one ticket at a time (others it set aside are held by the queue, not here), and who may act
there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from antre.problems import Conflict, Forbidden, Invalid
from antre.roles import Person


class StationState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


# Whoever works a counter is a person in a role (:mod:`antre.roles`): an officer, or a supervisor
# or manager standing in. An empty agency is hall staff, who may open any counter.
Officer = Person


@dataclass(frozen=True)
class Station:
    number: int
    state: StationState = StationState.CLOSED
    officer: str = ""
    current: str = ""  # ticket id held (called or serving), if any
    priority_streak: int = 0
    changed_at: dt.datetime | None = None
    booked_streak: int = 0
    pause_reason: str = ""  # while paused: one of PAUSE_REASONS or the words given


# Pause reasons the pages offer, by their stable code (carried on counter.paused); any other text
# is the officer's or agency's own words, carried as written.
PAUSE_REASONS = ("break", "prayer", "system")
MAX_REASON = 200


def may_work_at(officer: Officer, counter_agencies: frozenset[str]) -> None:
    if officer.agency and officer.agency not in counter_agencies:
        raise Forbidden(
            "wrong_agency",
            f"Petugas {officer.username} tidak bertugas untuk instansi loket ini",
            f"Officer {officer.username} does not work for this counter's agency",
        )


def held_by(station: Station, officer: Officer) -> None:
    """Only the officer who opened a counter acts at it until it closes."""
    if station.state == StationState.CLOSED:
        raise Conflict(
            "counter_closed", f"Loket {station.number} belum dibuka", f"Counter {station.number} is not open"
        )
    if station.officer != officer.username:
        raise Forbidden(
            "counter_taken",
            f"Loket {station.number} sedang dipakai petugas lain",
            f"Counter {station.number} is held by another officer",
        )


def open_station(
    station: Station, officer: Officer, now: dt.datetime, holder_signed_in: bool = True
) -> Station | None:
    """None when it is already open by the same officer (opening twice changes nothing); one
    another officer holds is taken over only once they are no longer signed in (:func:`take_over`)."""
    if station.state != StationState.CLOSED:
        if station.officer != officer.username:
            return take_over(station, officer, holder_signed_in, now)
        return None
    return replace(
        station,
        state=StationState.OPEN,
        officer=officer.username,
        priority_streak=0,
        booked_streak=0,
        changed_at=now,
    )


def take_over(station: Station, officer: Officer, holder_signed_in: bool, now: dt.datetime) -> Station:
    """A counter left open by an officer who is no longer signed in (signed out, or the session
    ended: gone home without closing, a browser lost) passes to the next officer who opens it,
    as it is: open or paused, with the ticket it holds. Nobody else could release it otherwise.
    While the holder is signed in it stays theirs."""
    if holder_signed_in:
        raise Forbidden(
            "counter_taken",
            f"Loket {station.number} sedang dipakai petugas {station.officer}; minta ia menutup loket"
            " atau keluar dulu",
            f"Counter {station.number} is held by officer {station.officer}; ask them to close it or"
            " sign out first",
        )
    return replace(station, officer=officer.username, changed_at=now)


def close_left(
    station: Station, changed_on: dt.date | None, today: dt.date, holder_signed_in: bool, now: dt.datetime
) -> Station | None:
    """A counter left open or paused from an earlier hall day, idle, by an officer no longer
    signed in, closes: nobody is at it, and the counters' state and the forecast would otherwise
    count it open the next morning. One holding a citizen stays, for an officer to finish or take
    over. None when the counter stays as it is."""
    if station.state == StationState.CLOSED or station.current or holder_signed_in:
        return None
    if changed_on is None or changed_on >= today:
        return None
    return replace(station, state=StationState.CLOSED, officer="", changed_at=now, pause_reason="")


def pause_reason(text: str) -> str:
    """The reason as carried: a code of :data:`PAUSE_REASONS`, or the words given, trimmed."""
    reason = " ".join(text.split())
    if len(reason) > MAX_REASON:
        raise Invalid(
            "reason_too_long",
            f"Alasan paling panjang {MAX_REASON} karakter",
            f"A reason is at most {MAX_REASON} characters",
        )
    return reason


def pause(station: Station, officer: Officer, now: dt.datetime, reason: str = "") -> Station | None:
    """A counter pauses between citizens: one called or being served is finished first (a citizen
    at the desk must not be left standing while the board says the counter is away). Tickets it
    holds aside stay held. Pausing again only changes the reason (None when it is the same)."""
    held_by(station, officer)
    reason = pause_reason(reason)
    if station.state == StationState.PAUSED:
        return None if reason == station.pause_reason else replace(station, pause_reason=reason)
    _idle(station, "pause")
    return replace(station, state=StationState.PAUSED, changed_at=now, pause_reason=reason)


def resume(station: Station, officer: Officer, now: dt.datetime) -> Station | None:
    held_by(station, officer)
    if station.state == StationState.OPEN:
        return None
    return replace(station, state=StationState.OPEN, changed_at=now, pause_reason="")


def close(station: Station, officer: Officer, now: dt.datetime, held: int = 0) -> Station:
    """Nobody at the desk, and nobody held aside (``held``: tickets the counter holds today): a
    held citizen coming back with their document would find the counter gone."""
    held_by(station, officer)
    _idle(station, "close")
    if held:
        raise Conflict(
            "counter_holds_tickets",
            f"Panggil lagi atau kembalikan ke antrean {held} nomor yang ditunda dulu",
            f"Call again or return to the queue the {held} held ticket(s) first",
        )
    return replace(station, state=StationState.CLOSED, officer="", changed_at=now, pause_reason="")


def ready_to_call(station: Station, officer: Officer) -> None:
    held_by(station, officer)
    if station.state == StationState.PAUSED:
        raise Conflict(
            "counter_paused",
            f"Loket {station.number} sedang istirahat",
            f"Counter {station.number} is paused",
        )
    _idle(station, "call")


def _idle(station: Station, action: str) -> None:
    if station.current:
        raise Conflict(
            "counter_busy",
            "Selesaikan, lewati atau alihkan nomor yang sedang dilayani dulu",
            f"Complete, skip or transfer the current ticket before you {action}",
        )


def holding(station: Station, ticket_id: str, streak: int, booked_streak: int = 0) -> Station:
    return replace(station, current=ticket_id, priority_streak=streak, booked_streak=booked_streak)


def released(station: Station) -> Station:
    return replace(station, current="")
