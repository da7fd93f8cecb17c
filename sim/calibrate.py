"""A demand file fitted to what the hall recorded: question 5, "what did yesterday look like, and
what if?".

Pure: :func:`calibrate` takes decoded events (see :mod:`sim.recorded` for where they come from)
and the hall, and returns a :class:`sim.demand.Demand` with notes saying where each figure came
from and what the events could not tell. Whatever the events do not show is left out of the
demand (the file's defaults then apply) and named in the notes; nothing is made up.

How the twin's figures are read from the events (:mod:`sim.history` rebuilds the visits):

- arrivals per service, weekday and hour: walk-ins at their issue time; bookings at their slot's
  start, no-shows included, because the twin's rate counts every booked visitor and then removes
  the no-show share itself. Divided by the number of such weekdays seen.
- booking share (per service, and hall-wide) and no-show rate from the bookings checked in and
  the ``BookingNoShow`` events; punctuality as the root mean square of check-in minus slot start
  (the maximum-likelihood sd of the twin's N(0, sd)).
- priority share among walk-in tickets: they declare a group whatever the check-in rules of the
  day (a checked-in booking once took none), and the twin draws it alike for every citizen.
- service time per service: lognormal by maximum likelihood on serving-started to completed (or
  transferred) durations, or the durations themselves (``empirical``).
- journeys: transfers from A to B over the stays at A that ended served or transferred.
- staffing per agency, weekday and hour: the mean number of that agency's counters open (open
  and not paused), rounded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
from google.protobuf.message import Message

from antre.hall.model import WEEKDAYS, DayHours, Hall
from sim.demand import Bookings, Demand, Distribution, Journey, Profile, ServiceDemand, agency_counters
from sim.history import History, Visit, read_history

ServiceTime = Literal["lognormal", "empirical"]
Measure = Literal["serving", "call"]
MIN_LOGNORMAL = 5  # fewer durations than this are written as they are (empirical)


@dataclass(frozen=True)
class Calibration:
    demand: Demand
    days: tuple[dt.date, ...]
    notes: tuple[str, ...]  # what came from where, and what the events could not tell
    comments: dict[str, str]  # field path ("services.ktp-el") -> where its figures came from
    # agency -> day -> mean wait (minutes) of the stays first called that day: what the hall saw
    waits: dict[str, dict[dt.date, float]]


def calibrate(
    events: Iterable[Message],
    hall: Hall,
    hall_path: str,
    since: dt.date | None = None,
    until: dt.date | None = None,
    service_time: ServiceTime = "lognormal",
    measure: Measure = "serving",
) -> Calibration:
    """``hall_path`` is what the demand file's ``hall:`` says (relative to where it is written)."""
    h = read_history(events, hall, since, until)
    days = tuple(sorted(h.days))
    notes: list[str] = []
    comments: dict[str, str] = {}
    if not days:
        raise ValueError(
            f"tidak ada kejadian aula {hall.id!r} pada rentang itu / "
            f"no events of hall {hall.id!r} in that window"
        )
    per_weekday: Counter[str] = Counter(WEEKDAYS[d.weekday()] for d in days)
    notes.append(
        f"{len(days)} hari / days {days[0]}..{days[-1]}: "
        + ", ".join(f"{w} x{n}" for w, n in per_weekday.items())
        + "; other weekdays have no rows (the twin sees no arrivals there)"
    )
    durations = _durations(h.visits, measure, notes)
    counts, booked, total = _arrivals(h, hall, notes)
    services: dict[str, ServiceDemand] = {}
    for code in [s.code for s in hall.services]:
        seen = sum(total[code].values())
        if code not in durations:
            if seen:
                notes.append(f"{code}: {seen} visitors but no finished service: left out")
            continue
        rates = {
            w: {hour: round(n / per_weekday[w], 3) for hour, n in sorted(hours.items())}
            for w, hours in sorted(counts[code].items(), key=lambda kv: WEEKDAYS.index(kv[0]))
        }
        share = round(sum(booked[code].values()) / seen, 4) if seen else None
        services[code] = ServiceDemand(rates, _distribution(durations[code], service_time), None, share)
        comments[f"services.{code}"] = (
            f"{seen} visitors; {len(durations[code])} durations, mean {np.mean(durations[code]):.2f} min"
        )
    bookings = _bookings(h, booked, total, notes, comments)
    priority = _priority(h, notes, comments)
    journeys = _journeys(h.visits, services, comments)
    staffing = _staffing(h, hall, per_weekday, notes)
    notes.append(
        "patience: the events do not say when a citizen gave up (a no-show at the call only says they "
        f"were gone by then; {sum(v.outcome == 'no_show' for v in h.visits)} such); left out: nobody gives up"
    )
    notes.append("visitors turned away after the cutoff leave no event and are not counted")
    if h.duplicates:
        notes.append(f"{h.duplicates} repeated events (same id) read once")
    if h.orphans:
        notes.append(f"{h.orphans} ticket events of tickets issued outside the window")
    demand = Demand(
        hall=hall_path,
        services=services,
        priority_share=priority,
        bookings=bookings,
        journeys=journeys,
        staffing=staffing,
    )
    return Calibration(demand, days, tuple(notes), comments, _waits(h.visits, hall))


def fit_lognormal(minutes: Iterable[float]) -> tuple[float, float]:
    """Maximum likelihood: the log's mean and sd (ddof 0); returns the lognormal's own mean (as
    the demand file states it) and sigma."""
    logs = np.log(np.asarray(list(minutes), dtype=float))
    mu, sigma = float(logs.mean()), float(logs.std())
    return math.exp(mu + sigma**2 / 2), sigma


def _distribution(minutes: list[float], kind: ServiceTime) -> Distribution:
    if kind == "lognormal" and len(minutes) >= MIN_LOGNORMAL:
        mean, sigma = fit_lognormal(minutes)
        if sigma > 0:
            return Distribution("lognormal", mean=round(mean, 3), sigma=round(sigma, 4))
    return Distribution("empirical", values=tuple(sorted(round(m, 2) for m in minutes)))


def _durations(visits: list[Visit], measure: Measure, notes: list[str]) -> dict[str, list[float]]:
    """Minutes at the counter per service: from serving started (or from the call) to completed
    or transferred. Zero-length ones (started and finished in one click) say nothing. Time a
    citizen spent away (held, or passed over and brought back) is not at the counter: the counters
    already move the start of serving past a hold (``serving_started_at``), and from the call it is
    taken off here."""
    out: dict[str, list[float]] = defaultdict(list)
    dropped = 0
    walk_up: list[float] = []
    for v in visits:
        begin = v.called if measure == "call" else v.started
        if v.outcome not in ("completed", "transferred") or begin is None or v.ended is None:
            continue
        if v.called is not None and v.started is not None and not v.away:
            walk_up.append((v.started - v.called).total_seconds() / 60)
        minutes = (v.ended - begin - (v.away if measure == "call" else dt.timedelta(0))).total_seconds() / 60
        if minutes <= 0:
            dropped += 1
            continue
        out[v.service].append(minutes)
    if dropped:
        notes.append(f"{dropped} services of zero length left out of the service times")
    if walk_up and measure == "serving":
        notes.append(
            f"call to serving started: mean {np.mean(walk_up):.2f} min over {len(walk_up)} calls; the twin's "
            "counter starts at the call (fit with --from-call to include it)"
        )
    return dict(out)


def _arrivals(
    h: History, hall: Hall, notes: list[str]
) -> tuple[dict[str, dict[str, Counter[int]]], dict[str, Counter[str]], dict[str, Counter[str]]]:
    """Counts per service -> weekday -> hour, and per service the booked and all visitors by day."""
    counts: dict[str, dict[str, Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    booked: dict[str, Counter[str]] = defaultdict(Counter)
    total: dict[str, Counter[str]] = defaultdict(Counter)
    unknown_slot = 0

    def count(code: str, day: dt.date, at: dt.datetime, is_booked: bool) -> None:
        weekday = WEEKDAYS[day.weekday()]
        counts[code][weekday][hall.local(at).hour] += 1
        total[code][weekday] += 1
        if is_booked:
            booked[code][weekday] += 1

    for a in h.arrivals:
        if not a.booking:
            count(a.service, a.day, a.at, False)
            continue
        slot = h.slots.get(a.booking)
        start = slot.start if slot else a.session
        if start is None:
            unknown_slot += 1
        count(a.service, a.day, start or a.at, True)
    for slot in h.no_shows.values():
        count(slot.service, slot.day, slot.start, True)
    if unknown_slot:
        notes.append(f"{unknown_slot} late check-ins without their booking's slot: counted at check-in")
    return counts, booked, total


def _bookings(
    h: History,
    booked: dict[str, Counter[str]],
    total: dict[str, Counter[str]],
    notes: list[str],
    comments: dict[str, str],
) -> Bookings:
    n_booked = sum(sum(c.values()) for c in booked.values())
    n_total = sum(sum(c.values()) for c in total.values())
    if not n_booked:
        notes.append("no booked visitors: bookings.share 0")
        return Bookings(share=0.0)
    share = round(n_booked / n_total, 4)
    lengths = Counter(round((s.end - s.start).total_seconds() / 60) for s in h.slots.values())
    lengths.update(round((s.end - s.start).total_seconds() / 60) for s in h.no_shows.values())
    slot_minutes = lengths.most_common(1)[0][0] if lengths else None
    offsets = [(at - h.slots[b].start).total_seconds() / 60 for b, at in h.check_ins.items() if b in h.slots]
    bookings = Bookings(share=share)  # each figure the events give replaces the default
    if slot_minutes and slot_minutes > 0:
        bookings = replace(bookings, slot_minutes=int(slot_minutes))
    else:
        notes.append("bookings.slot_minutes: no booking slot among the events; the default stays")
    if len(offsets) >= 2:
        sd = round(math.sqrt(float(np.mean(np.square(offsets)))), 3)
        bookings = replace(bookings, punctuality_sd_minutes=sd)
        notes.append(
            f"check-in minus slot start: mean {np.mean(offsets):.2f} min over {len(offsets)} check-ins "
            "(the twin centres arrivals on the slot)"
        )
    else:
        notes.append("bookings.punctuality_sd_minutes: fewer than 2 check-ins with a known slot; default")
    if h.no_shows:
        bookings = replace(bookings, no_show=round(len(h.no_shows) / n_booked, 4))
    else:
        notes.append("bookings.no_show: no BookingNoShow events; left out (0)")
    comments["bookings"] = f"{n_booked} booked of {n_total} visitors, {len(h.no_shows)} no-shows"
    return bookings


def _priority(h: History, notes: list[str], comments: dict[str, str]) -> float:
    walk_ins = [a for a in h.arrivals if not a.booking]
    if not walk_ins:
        notes.append("priority_share: no walk-in tickets; 0")
        return 0.0
    n = sum(a.priority for a in walk_ins)
    comments["priority_share"] = f"{n} of {len(walk_ins)} walk-in tickets in a priority group"
    return round(n / len(walk_ins), 4)


def _journeys(
    visits: list[Visit], services: dict[str, ServiceDemand], comments: dict[str, str]
) -> tuple[Journey, ...]:
    left: Counter[str] = Counter(v.service for v in visits if v.outcome in ("completed", "transferred"))
    moves = Counter((v.service, v.to) for v in visits if v.outcome == "transferred")
    out = []
    for (a, b), n in sorted(moves.items()):
        if a in services and b in services:
            out.append(Journey(a, b, round(n / left[a], 4)))
            comments[f"journeys.{a}>{b}"] = f"{n} of {left[a]} served"
    return tuple(out)


def _staffing(h: History, hall: Hall, per_weekday: Counter[str], notes: list[str]) -> dict[str, Profile]:
    agency_of = {n: a.code for a in hall.agencies for n in agency_counters(hall, a.code)}
    open_s: dict[tuple[str, str, int], float] = defaultdict(float)  # agency, weekday, hour
    unknown: set[int] = set()
    for (day, number), changes in h.counters.items():
        agency = agency_of.get(number)
        if agency is None:
            unknown.add(number)
            continue
        span = hall.hours.on(day)
        tz = ZoneInfo(hall.timezone)
        end = dt.datetime.combine(day, span.close if span else dt.time(23, 59), tzinfo=tz)
        since: dt.datetime | None = None
        for at, is_open in [*changes, (max(end, changes[-1][0]), False)]:
            if is_open and since is None:
                since = at
            elif not is_open and since is not None:
                _spread(open_s, agency, WEEKDAYS[day.weekday()], hall.local(since), hall.local(at))
                since = None
    if unknown:
        notes.append(f"counters not in the hall file: {sorted(unknown)}; left out of staffing")
    if not h.counters:
        notes.append("staffing: no counter events; every counter open, as the twin does without a plan")
        return {}
    out: dict[str, Profile] = {}
    counters_of = {a.code: len(agency_counters(hall, a.code)) for a in hall.agencies}
    for agency in sorted({a for a, _, _ in open_s}):
        rows: Profile = {}
        for weekday in sorted(per_weekday, key=WEEKDAYS.index):
            day = next(d for d in sorted(h.days) if WEEKDAYS[d.weekday()] == weekday)
            span = hall.hours.on(day)
            if span is None:
                continue
            hours = range(span.open.hour, span.close.hour + (1 if span.close.minute else 0))
            rows[weekday] = {
                hour: float(
                    min(
                        counters_of[agency],
                        round(open_s[(agency, weekday, hour)] / _open_in(span, hour) / per_weekday[weekday]),
                    )
                )
                for hour in hours
            }
        out[agency] = rows
    missing = sorted(a for a, n in counters_of.items() if n and a not in out)
    if missing:
        notes.append(f"staffing: no counter events of {', '.join(missing)}; every counter of theirs open")
    return out


def _open_in(span: DayHours, hour: int) -> float:
    """Seconds of this hour the hall is open (the first and last hour may be partial)."""
    start = max(hour * 3600, span.open.hour * 3600 + span.open.minute * 60)
    end = min((hour + 1) * 3600, span.close.hour * 3600 + span.close.minute * 60)
    return max(end - start, 1)


def _spread(
    open_s: dict[tuple[str, str, int], float], agency: str, weekday: str, start: dt.datetime, end: dt.datetime
) -> None:
    while start < end:
        edge = min(end, start.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1))
        open_s[(agency, weekday, start.hour)] += (edge - start).total_seconds()
        start = edge


def _waits(visits: list[Visit], hall: Hall) -> dict[str, dict[dt.date, float]]:
    agency_of = {s.code: s.agency for s in hall.services}
    waits: dict[str, dict[dt.date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for v in visits:
        if v.called is not None and v.service in agency_of:
            waits[agency_of[v.service]][v.day].append((v.called - v.queued).total_seconds() / 60)
    return {a: {d: float(np.mean(w)) for d, w in sorted(days.items())} for a, days in sorted(waits.items())}
