"""The figures of a report: what a group of legs (and bookings) adds up to, and the groups a
report can be cut into. Pure: rows in, figures out, the same on every database.

Words, as every report, page and export uses them:

- a *leg* is one queue a ticket stood in (a transfer starts another); *queued* counts legs;
- *visits* counts the tickets with a leg in the group (a ticket passed from one service to another
  of the same agency is one visit of that agency, and a visit of each service); its channel is the
  ticket's, its priority the one of its first leg in the group;
- outcomes (served, no-show, skipped, transferred out, cancelled, day ended, still open) are
  counted per leg, so they add up to *queued*;
- *wait* is from joining a queue to the first call, over every leg that was called (no-shows
  included: they waited too); *service time* is from the start of serving to its end, over the
  served legs only (a leg passed on after serving did not complete its service);
- *within the standard*: each leg is held against its own service's ``target_minutes`` (the
  published time of the service standard). Two shares are given, and both are needed: of the served
  legs, those whose service time was at most the target; of the called legs, those whose wait was
  at most the target. A leg of a service the hall file no longer names has no target and is left
  out of both shares (never of the other figures);
- p50 and p90 are nearest-rank percentiles: the smallest value with at least p% of the values at
  or below it (``sorted[ceil(p * n / 100) - 1]``). Always one of the observed values, never
  interpolated, so a report shows a wait someone really had, and every database gives the same.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from antre.problems import Invalid

OUTCOMES = ("served", "no_show", "skipped", "transferred", "cancelled", "day_ended", "open")
OPEN = frozenset({"waiting", "called", "serving", "held"})  # still in the hall: "open"
CHANNELS = ("walk_in", "online", "staff")
PRIORITIES = ("none", "elderly", "disability", "pregnant", "child")
BOOKING_STATES = ("booked", "checked_in", "no_show", "cancelled")


class LegRow(NamedTuple):
    """A row of the ``legs`` table, as much of it as a report reads."""

    ticket_id: str
    leg: int
    day: dt.date
    hour: int
    service: str
    agency: str
    channel: str
    priority: str
    counter: int | None
    officer: str
    outcome: str
    wait_seconds: int | None
    service_seconds: int | None


class BookingRow(NamedTuple):
    day: dt.date
    service: str
    agency: str
    state: str  # booked, cancelled, checked_in, no_show


class Dimension(StrEnum):
    """What a report's rows are: one for the whole hall, or one per agency, service, ..."""

    HALL = "hall"
    AGENCY = "agency"
    SERVICE = "service"
    COUNTER = "counter"
    OFFICER = "officer"
    HOUR = "hour"
    DAY = "day"


# Bookings belong to a day, a service and its agency, not to a counter, an officer or an hour.
BOOKED_BY = frozenset({Dimension.HALL, Dimension.AGENCY, Dimension.SERVICE, Dimension.DAY})
Key = Hashable


def parse_dimension(value: str) -> Dimension:
    try:
        return Dimension(value)
    except ValueError:
        choices = ", ".join(Dimension)
        raise Invalid(
            "unknown_dimension",
            f"Pengelompokan '{value}' tidak dikenal (pilih: {choices})",
            f"Unknown grouping '{value}' (choose: {choices})",
        ) from None


@dataclass(frozen=True)
class Stats:
    """Seconds: how many, the mean and the nearest-rank p50 and p90 (None when there are none)."""

    count: int = 0
    mean: float | None = None
    p50: int | None = None
    p90: int | None = None


# How a share within the standard is coloured on the page and in the PDF: good from 90%, fair
# from 75%, poor below. The regulation sets no such bar; these are the product's, in one place so
# that every report colours alike.
GOOD_SHARE, FAIR_SHARE = 0.9, 0.75


@dataclass(frozen=True)
class Share:
    """``within`` of ``of`` met the standard; ``share`` is the fraction and ``verdict`` its colour
    (good, fair, poor), both None when ``of`` is 0."""

    within: int = 0
    of: int = 0
    share: float | None = None
    verdict: str | None = None


@dataclass(frozen=True)
class Bookings:
    made: int = 0  # every booking for the period, whatever became of it
    checked_in: int = 0
    no_show: int = 0
    cancelled: int = 0
    booked: int = 0  # neither yet: a session still to come


@dataclass(frozen=True)
class Figures:
    visits: int = 0
    queued: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    wait: Stats = field(default_factory=Stats)
    service: Stats = field(default_factory=Stats)
    service_within_target: Share = field(default_factory=Share)  # of served legs
    wait_within_target: Share = field(default_factory=Share)  # of called legs
    channels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    priorities: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PRIORITIES, 0))
    bookings: Bookings | None = None  # None where bookings do not apply (see BOOKED_BY)


def percentile(ordered: list[int], p: int) -> int | None:
    """Nearest rank: the smallest value with at least ``p``% of ``ordered`` at or below it.
    ``ordered`` must be sorted; integer arithmetic, so a rank never drifts on a float."""
    if not 0 < p <= 100:
        raise Invalid("percentile_out_of_range", "Persentil harus 1 sampai 100", "A percentile is 1 to 100")
    if not ordered:
        return None
    rank = -(-p * len(ordered) // 100)  # ceil(p * n / 100), at least 1 since p > 0
    return ordered[rank - 1]


def stats(values: list[int]) -> Stats:
    if not values:
        return Stats()
    ordered = sorted(values)
    return Stats(len(ordered), sum(ordered) / len(ordered), percentile(ordered, 50), percentile(ordered, 90))


def share(within: int, of: int) -> Share:
    if not of:
        return Share(within, of)
    fraction = within / of
    verdict = "good" if fraction >= GOOD_SHARE else "fair" if fraction >= FAIR_SHARE else "poor"
    return Share(within, of, fraction, verdict)


def figures(
    legs: Iterable[LegRow], targets: Mapping[str, int], bookings: Iterable[BookingRow] | None = None
) -> Figures:
    """The figures of one group. ``targets``: each service's standard time in minutes.
    ``bookings`` None: the group has no bookings figures (not zero: they do not apply)."""
    outcomes = dict.fromkeys(OUTCOMES, 0)
    first: dict[str, LegRow] = {}  # each ticket's first leg in the group
    waits: list[int] = []
    services: list[int] = []
    queued = wait_within = wait_of = served_within = served_of = 0
    for row in legs:
        queued += 1
        outcome = "open" if row.outcome in OPEN else row.outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1  # one the record never writes still counts
        seen = first.get(row.ticket_id)
        if seen is None or row.leg < seen.leg:
            first[row.ticket_id] = row
        target = targets.get(row.service)
        limit = None if target is None else target * 60
        if row.wait_seconds is not None:
            waits.append(row.wait_seconds)
            if limit is not None:
                wait_of += 1
                wait_within += row.wait_seconds <= limit
        if row.outcome == "served" and row.service_seconds is not None:
            services.append(row.service_seconds)
            if limit is not None:
                served_of += 1
                served_within += row.service_seconds <= limit
    channels = dict.fromkeys(CHANNELS, 0)
    priorities = dict.fromkeys(PRIORITIES, 0)
    for row in first.values():
        channels[row.channel] = channels.get(row.channel, 0) + 1
        priorities[row.priority] = priorities.get(row.priority, 0) + 1
    return Figures(
        visits=len(first),
        queued=queued,
        outcomes=outcomes,
        wait=stats(waits),
        service=stats(services),
        service_within_target=share(served_within, served_of),
        wait_within_target=share(wait_within, wait_of),
        channels=channels,
        priorities=priorities,
        bookings=None if bookings is None else count_bookings(bookings),
    )


def count_bookings(rows: Iterable[BookingRow]) -> Bookings:
    counts = dict.fromkeys(BOOKING_STATES, 0)
    made = 0
    for row in rows:
        made += 1
        counts[row.state] = counts.get(row.state, 0) + 1
    return Bookings(made=made, **{state: counts[state] for state in BOOKING_STATES})


def key_of(by: Dimension) -> Callable[[LegRow | BookingRow], Key]:
    """What a row is grouped by (its column of that name); the hall is one group, keyed ``""``."""
    if by is Dimension.HALL:
        return lambda row: ""
    return lambda row: getattr(row, by.value)


def grouped(
    legs: Iterable[LegRow],
    bookings: Iterable[BookingRow],
    by: Dimension,
    targets: Mapping[str, int],
    keys: Iterable[Key] = (),
) -> dict[Key, Figures]:
    """The figures per group, every key in ``keys`` included even without a row (an agency that
    saw nobody still has its line in the report). Bookings count where :data:`BOOKED_BY` says."""
    leg_groups: dict[Key, list[LegRow]] = defaultdict(list)
    key = key_of(by)
    for row in legs:
        leg_groups[key(row)].append(row)
    booking_groups: dict[Key, list[BookingRow]] = defaultdict(list)
    if by in BOOKED_BY:
        for booking in bookings:
            booking_groups[key(booking)].append(booking)
    wanted = dict.fromkeys([*keys, *leg_groups, *booking_groups])
    return {
        k: figures(leg_groups.get(k, ()), targets, booking_groups.get(k, []) if by in BOOKED_BY else None)
        for k in wanted
    }
