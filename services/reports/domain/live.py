"""The live hall: what the head of the MPP and an agency's supervisor act on now. Per service, the
queue and today's waits against the service's standard; per counter, who works it and the citizen
it holds; and the alerts a person would walk over for.

A pure function of today's legs, the counters as they stand and the moment: the caller chooses
which services and counters a person may see (a supervisor sees their own agency's), and every
figure here is counted over what it was given.

The hall's kiosks and boards are no agency's: their alerts (a device that stopped reporting, a
speaker board that cannot be heard) are given only where the caller asks for the whole hall, which
only hall-wide people may.

Colour levels compare a duration with the service's ``target_minutes``: ``ok`` below 80 % of it,
``warn`` from 80 % up to the target itself, ``over`` past it. A service's level is that of the
worse of its longest current wait and today's p90 wait.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from antre.hall.model import Counter, Service
from services.reports.domain import stations as station
from services.reports.domain.stations import Station

OK, WARN, OVER = "ok", "warn", "over"
WAITING, SERVED = "waiting", "served"
COUNTER_IDLE = "counter_idle"  # open, holding nobody, while its queues have people waiting
WAIT_OVER_TARGET = "wait_over_target"  # a service's longest wait or p90 is past its standard
SERVING_LONG = "serving_long"  # one citizen at a counter for more than twice the standard
DEVICE_SILENT = "device_silent"  # an enrolled kiosk or board sent no heartbeat for the limit
BOARD_NO_SOUND = "board_no_sound"  # a speaker board its browser keeps silent
SERVING_LONG_TIMES = 2
DEVICE_NAMES = {"kiosk": ("Kios", "Kiosk"), "board": ("Papan", "Board")}
P90 = 90


@dataclass(frozen=True)
class LegNow:
    """A leg of today as the live hall reads it (the record's ``legs`` row, four columns)."""

    service: str
    outcome: str
    waiting_since: dt.datetime  # joined the queue, or was brought back into it
    wait_seconds: int | None  # None while never called


@dataclass(frozen=True)
class ServiceNow:
    code: str
    name: str
    name_en: str
    agency: str
    target_minutes: int
    waiting: int
    longest_wait_seconds: int | None  # of the oldest waiting leg; None: nobody waits
    p90_wait_seconds: int | None  # nearest rank over today's called legs; None: none called
    called: int  # today's called legs: the p90's sample
    served: int
    level: str


@dataclass(frozen=True)
class TicketNow:
    """The citizen a counter holds: called (not yet at the desk) or being served, since when."""

    number: str
    service: str
    state: str  # called, serving
    seconds: int
    level: str  # serving against the service's standard; ok while only called


@dataclass(frozen=True)
class CounterNow:
    number: int
    name: str
    zone: str
    state: str  # open, paused, closed
    officer: str
    reason: str  # of a pause
    services: tuple[str, ...]
    state_seconds: int | None  # in this state; None: never opened in the record
    idle_seconds: int | None  # open and holding nobody this long; None otherwise
    ticket: TicketNow | None


@dataclass(frozen=True)
class DeviceNow:
    """A kiosk or board as its service last published it (the record's ``devices`` row)."""

    kind: str  # kiosk, board
    device: str
    silent: bool
    sound: bool
    last_seen: dt.datetime | None  # in the hall's time zone; None: never heard from


@dataclass(frozen=True)
class Alert:
    code: str
    key: str  # stable while the condition lasts: code and subject ("counter_idle:3")
    level: str
    message: str
    message_en: str
    service: str = ""
    counter: int | None = None
    device: str = ""


@dataclass(frozen=True)
class HallNow:
    day: dt.date
    at: dt.datetime
    services: tuple[ServiceNow, ...]
    counters: tuple[CounterNow, ...]
    alerts: tuple[Alert, ...]


def hall_now(
    services: Sequence[Service],
    counters: Sequence[Counter],
    legs: Iterable[LegNow],
    stations: Mapping[int, Station],
    last_free: Mapping[int, dt.datetime],
    day: dt.date,
    now: dt.datetime,
    idle_minutes: float,
    devices: Sequence[DeviceNow] = (),
) -> HallNow:
    """The hall at ``now`` on the hall ``day`` from that day's ``legs`` of ``services`` and the
    ``stations`` of ``counters``; ``last_free`` is when each counter last let a citizen go today
    (an idle spell starts then as much as at opening or resuming). ``devices``: the hall's, for
    a view of the whole hall; none otherwise."""
    by_service: dict[str, list[LegNow]] = {s.code: [] for s in services}
    for leg in legs:
        if leg.service in by_service:
            by_service[leg.service].append(leg)
    service_rows = tuple(service_now(s, by_service[s.code], now) for s in services)
    targets = {s.code: s.target_minutes for s in services}
    counter_rows = tuple(
        counter_now(c, stations.get(c.number) or Station(c.number), last_free.get(c.number), now, targets)
        for c in counters
    )
    alerts = (
        *wait_alerts(services, service_rows),
        *idle_alerts(counter_rows, service_rows, idle_minutes),
        *serving_alerts(counter_rows, services),
        *device_alerts(devices, day),
    )
    return HallNow(day, now, service_rows, counter_rows, tuple(alerts))


def service_now(service: Service, legs: Sequence[LegNow], now: dt.datetime) -> ServiceNow:
    waiting = [leg.waiting_since for leg in legs if leg.outcome == WAITING]
    longest = _seconds(now - min(waiting)) if waiting else None
    waits = [leg.wait_seconds for leg in legs if leg.wait_seconds is not None]
    p90 = nearest_rank(waits, P90)
    worst = max((s for s in (longest, p90) if s is not None), default=0)
    return ServiceNow(
        code=service.code,
        name=service.name,
        name_en=service.name_en,
        agency=service.agency,
        target_minutes=service.target_minutes,
        waiting=len(waiting),
        longest_wait_seconds=longest,
        p90_wait_seconds=p90,
        called=len(waits),
        served=sum(1 for leg in legs if leg.outcome == SERVED),
        level=level(worst, service.target_minutes),
    )


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """The smallest value with at least ``percent`` % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-percent * len(ordered) // 100)  # ceil, in integers: no float at a boundary
    return ordered[max(rank, 1) - 1]


def level(seconds: int, target_minutes: int) -> str:
    """``ok`` under 80 % of the target, ``warn`` up to the target itself, ``over`` past it."""
    target = target_minutes * 60
    if seconds > target:
        return OVER
    if seconds * 5 >= target * 4:  # 80 %, in integers
        return WARN
    return OK


def counter_now(
    counter: Counter,
    held: Station,
    last_free: dt.datetime | None,
    now: dt.datetime,
    targets: Mapping[str, int],
) -> CounterNow:
    ticket = None
    if held.ticket_state and held.ticket_since is not None:
        seconds = _seconds(now - held.ticket_since)
        target = targets.get(held.ticket_service)
        serving = held.ticket_state == station.SERVING
        ticket = TicketNow(
            number=held.ticket_number,
            service=held.ticket_service,
            state=held.ticket_state,
            seconds=seconds,
            level=level(seconds, target) if serving and target is not None else OK,
        )
    idle = None
    if held.state == station.OPEN and not held.ticket_state and held.since is not None:
        idle_since = max(held.since, last_free) if last_free is not None else held.since
        idle = _seconds(now - idle_since)
    return CounterNow(
        number=counter.number,
        name=counter.name,
        zone=counter.zone,
        state=held.state,
        officer=held.officer,
        reason=held.reason,
        services=held.services or counter.services,
        state_seconds=_seconds(now - held.since) if held.since is not None else None,
        idle_seconds=idle,
        ticket=ticket,
    )


def wait_alerts(services: Sequence[Service], rows: Sequence[ServiceNow]) -> list[Alert]:
    out = []
    for service, row in zip(services, rows, strict=True):
        target = service.target_minutes * 60
        longest, p90 = row.longest_wait_seconds or 0, row.p90_wait_seconds or 0
        if longest <= target and p90 <= target:
            continue
        figures_id = [f"terlama {_span_id(longest)}"] if row.longest_wait_seconds is not None else []
        figures_en = [f"longest {_span_en(longest)}"] if row.longest_wait_seconds is not None else []
        if row.p90_wait_seconds is not None:
            figures_id.append(f"p90 hari ini {_span_id(p90)}")
            figures_en.append(f"today's p90 {_span_en(p90)}")
        out.append(
            Alert(
                code=WAIT_OVER_TARGET,
                key=f"{WAIT_OVER_TARGET}:{service.code}",
                level=OVER,
                message=f"Waktu tunggu {service.name} melewati standar {service.target_minutes} menit: "
                + ", ".join(figures_id),
                message_en=f"Waiting for {service.name_en or service.name} is over its "
                f"{service.target_minutes} min standard: " + ", ".join(figures_en),
                service=service.code,
            )
        )
    return out


def idle_alerts(
    counters: Sequence[CounterNow], services: Sequence[ServiceNow], idle_minutes: float
) -> list[Alert]:
    waiting = {s.code: s.waiting for s in services}
    out = []
    for c in counters:
        if c.idle_seconds is None or c.idle_seconds <= idle_minutes * 60:
            continue
        people = sum(waiting.get(code, 0) for code in c.services)
        if not people:
            continue
        out.append(
            Alert(
                code=COUNTER_IDLE,
                key=f"{COUNTER_IDLE}:{c.number}",
                level=WARN,
                message=f"Loket {c.number} buka tanpa melayani selama {_span_id(c.idle_seconds)}, "
                f"sementara {people} orang menunggu layanannya",
                message_en=f"Counter {c.number} has been open with nobody at it for "
                f"{_span_en(c.idle_seconds)} while {_people_wait(people)} for its services",
                counter=c.number,
            )
        )
    return out


def serving_alerts(counters: Sequence[CounterNow], services: Sequence[Service]) -> list[Alert]:
    targets = {s.code: s.target_minutes for s in services}
    out = []
    for c in counters:
        ticket = c.ticket
        if ticket is None or ticket.state != station.SERVING or ticket.service not in targets:
            continue
        target = targets[ticket.service]
        if ticket.seconds <= SERVING_LONG_TIMES * target * 60:
            continue
        out.append(
            Alert(
                code=SERVING_LONG,
                key=f"{SERVING_LONG}:{c.number}",
                level=OVER,
                message=f"Loket {c.number} melayani {ticket.number} selama {_span_id(ticket.seconds)}, "
                f"lebih dari dua kali standar {target} menit",
                message_en=f"Counter {c.number} has been serving {ticket.number} for "
                f"{_span_en(ticket.seconds)}, more than twice the {target} min standard",
                service=ticket.service,
                counter=c.number,
            )
        )
    return out


def device_alerts(devices: Sequence[DeviceNow], day: dt.date) -> list[Alert]:
    """A device that stopped reporting, and a speaker board that cannot be heard (while it
    reports: a silent board's sound is not known). ``day``: the hall day, on which the last
    heartbeat is told by its time alone."""
    out = []
    for d in devices:
        name, name_en = DEVICE_NAMES.get(d.kind, (d.kind, d.kind))
        if d.silent:
            since = _since(d.last_seen, day)
            when_id, when_en = (f" sejak {since}", f" since {since}") if since else ("", "")
            out.append(
                Alert(
                    code=DEVICE_SILENT,
                    key=f"{DEVICE_SILENT}:{d.kind}:{d.device}",
                    level=OVER,
                    message=f"{name} {d.device} tidak melapor{when_id}",
                    message_en=f"{name_en} {d.device} has not reported{when_en}",
                    device=d.device,
                )
            )
        elif d.kind == "board" and not d.sound:
            out.append(
                Alert(
                    code=BOARD_NO_SOUND,
                    key=f"{BOARD_NO_SOUND}:{d.device}",
                    level=WARN,
                    message=(
                        f"Papan {d.device} tidak bisa bersuara: sentuh Aktifkan suara di layarnya, "
                        "lalu jalankan TV dengan izin autoplay (docs/boards.md)"
                    ),
                    message_en=(
                        f"Board {d.device} cannot speak: touch Enable sound on its screen, then start "
                        "the TV with autoplay allowed (docs/boards.md)"
                    ),
                    device=d.device,
                )
            )
    return out


def _since(moment: dt.datetime | None, day: dt.date) -> str:
    """ "10:42" on the hall day, "10-03-2026 17:02" before it."""
    if moment is None:
        return ""
    return f"{moment:%H:%M}" if moment.date() == day else f"{moment:%d-%m-%Y %H:%M}"


def _seconds(span: dt.timedelta) -> int:
    """Whole seconds, never negative (a clock a moment behind an event's time reads as zero)."""
    return max(0, int(span.total_seconds()))


def _people_wait(people: int) -> str:
    return "1 person waits" if people == 1 else f"{people} people wait"


def _span_id(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} detik"
    return f"{minutes} menit {rest} detik" if rest else f"{minutes} menit"


def _span_en(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
