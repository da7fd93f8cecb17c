"""The figures of a report worked out by hand: nearest-rank percentiles at their boundaries,
empty groups, what counts as within the standard (at the target exactly: yes; a second past: no),
visits against legs, and the groups a report is cut into."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.problems import Invalid
from services.reports.domain.figures import (
    BookingRow,
    Dimension,
    LegRow,
    Share,
    Stats,
    figures,
    grouped,
    parse_dimension,
    percentile,
    share,
    stats,
)

DAY = dt.date(2026, 3, 10)
TARGETS = {"ktp-el": 15, "skck": 10}


def leg(
    ticket: str = "t1",
    n: int = 0,
    *,
    service: str = "ktp-el",
    agency: str = "dukcapil",
    outcome: str = "served",
    wait: int | None = 60,
    served: int | None = 300,
    channel: str = "walk_in",
    priority: str = "none",
    hour: int = 9,
    counter: int | None = 1,
    officer: str = "siti",
    day: dt.date = DAY,
) -> LegRow:
    return LegRow(
        ticket, n, day, hour, service, agency, channel, priority, counter, officer, outcome, wait, served
    )


# ---- percentiles ----


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([7], 50, 7),
        ([7], 90, 7),
        ([1, 2, 3, 4], 50, 2),  # 50% of 4 is 2 values: the 2nd, not the mean of 2nd and 3rd
        ([1, 2, 3, 4], 90, 4),  # 3.6 values: rounds up to the 4th
        ([10, 20, 30], 50, 20),  # 1.5 -> 2nd
        ([10, 20, 30], 90, 30),  # 2.7 -> 3rd
        (list(range(1, 11)), 90, 9),  # exactly 9 of 10 at or below 9
        (list(range(1, 11)), 50, 5),
        (list(range(1, 31)), 90, 27),  # 0.9 * 30 is 27.000000000000004 in floats: still the 27th
        (list(range(1, 21)), 90, 18),
        ([5, 5, 5, 9], 50, 5),
        ([1, 2], 100, 2),
        ([1, 2, 3], 1, 1),
    ],
)
def test_nearest_rank(values: list[int], p: int, expected: int) -> None:
    assert percentile(values, p) == expected


def test_no_values_no_percentile() -> None:
    assert percentile([], 50) is None
    assert stats([]) == Stats(0, None, None, None)


@pytest.mark.parametrize("p", [0, 101, -5])
def test_a_percentile_is_one_to_a_hundred(p: int) -> None:
    with pytest.raises(Invalid):
        percentile([1, 2], p)


def test_stats_sort_their_values() -> None:
    assert stats([30, 10, 20, 40]) == Stats(4, 25.0, 20, 40)


# ---- shares ----


def test_a_share_and_its_colour() -> None:
    assert share(0, 0) == Share(0, 0, None, None)
    assert share(9, 10) == Share(9, 10, 0.9, "good")
    assert share(3, 4) == Share(3, 4, 0.75, "fair")
    assert share(74, 100).verdict == "poor"
    assert share(10, 10).verdict == "good"


def test_within_the_standard_at_the_target_exactly_not_a_second_past() -> None:
    rows = [
        leg("a", wait=900, served=900),  # 15 minutes exactly: within
        leg("b", wait=901, served=901),  # a second past: not
        leg("c", service="skck", agency="polresta", wait=600, served=599),  # skck's 10 minutes
        leg("d", service="skck", agency="polresta", wait=601, served=601),
    ]
    f = figures(rows, TARGETS)
    assert f.service_within_target == Share(2, 4, 0.5, "poor")
    assert f.wait_within_target == Share(2, 4, 0.5, "poor")


def test_a_service_without_a_standard_is_left_out_of_the_shares_only() -> None:
    rows = [leg("a", served=60), leg("b", service="gone", served=6000, wait=6000)]
    f = figures(rows, TARGETS)
    assert f.service_within_target == Share(1, 1, 1.0, "good")
    assert f.wait_within_target == Share(1, 1, 1.0, "good")
    assert f.service.count == 2 and f.wait.count == 2 and f.visits == 2


def test_service_time_is_of_served_legs_wait_of_called_legs() -> None:
    rows = [
        leg("a", served=120, wait=60),
        leg("b", outcome="transferred", served=600, wait=120),  # passed on after serving
        leg("b", 1, outcome="no_show", served=None, wait=180),  # called, never came
        leg("c", outcome="cancelled", served=None, wait=None),  # left before a call
    ]
    f = figures(rows, TARGETS)
    assert f.service == Stats(1, 120.0, 120, 120)
    assert f.wait == Stats(3, 120.0, 120, 180)
    assert f.service_within_target == Share(1, 1, 1.0, "good")
    assert f.wait_within_target == Share(3, 3, 1.0, "good")


# ---- counts ----


def test_an_empty_group_is_zeros_not_missing() -> None:
    f = figures([], TARGETS, [])
    assert f.visits == f.queued == 0
    assert set(f.outcomes.values()) == {0} and set(f.channels.values()) == {0}
    assert f.wait == Stats() and f.service == Stats()
    assert f.service_within_target.share is None and f.wait_within_target.share is None
    assert f.bookings is not None and f.bookings.made == 0
    assert figures([], TARGETS).bookings is None  # not asked: not applicable


def test_visits_count_tickets_queued_counts_legs() -> None:
    rows = [
        leg("a", 1, outcome="served", priority="elderly", channel="online"),
        leg("a", 0, outcome="transferred", priority="none", channel="online"),
        leg("b", 0, outcome="waiting", wait=None, served=None, channel="staff", priority="pregnant"),
        leg("c", 0, outcome="serving", served=None),
        leg("d", 0, outcome="day_ended", wait=None, served=None),
        leg("e", 0, outcome="skipped", served=None),
    ]
    f = figures(rows, TARGETS)
    assert (f.visits, f.queued) == (5, 6)
    assert f.outcomes == {
        "served": 1,
        "no_show": 0,
        "skipped": 1,
        "transferred": 1,
        "cancelled": 0,
        "day_ended": 1,
        "open": 2,
    }
    assert f.channels == {"walk_in": 3, "online": 1, "staff": 1}
    # Ticket a's priority is its first leg's, whatever order the rows come in.
    assert f.priorities == {"none": 4, "elderly": 0, "disability": 0, "pregnant": 1, "child": 0}


def test_bookings_by_state() -> None:
    rows = [
        BookingRow(DAY, "ktp-el", "dukcapil", state)
        for state in ("booked", "checked_in", "checked_in", "no_show", "cancelled")
    ]
    f = figures([], TARGETS, rows)
    assert f.bookings is not None
    assert (f.bookings.made, f.bookings.checked_in, f.bookings.no_show) == (5, 2, 1)
    assert (f.bookings.cancelled, f.bookings.booked) == (1, 1)


# ---- groups ----


def test_grouped_by_agency_keeps_the_agencies_asked_for_even_empty() -> None:
    rows = [leg("a"), leg("b", service="skck", agency="polresta")]
    booked = [BookingRow(DAY, "skck", "polresta", "checked_in")]
    groups = grouped(rows, booked, Dimension.AGENCY, TARGETS, keys=["dukcapil", "bpjs"])
    assert list(groups) == ["dukcapil", "bpjs", "polresta"]
    assert groups["bpjs"].visits == 0 and groups["bpjs"].bookings is not None
    assert groups["polresta"].bookings is not None and groups["polresta"].bookings.checked_in == 1


def test_grouped_by_counter_has_no_bookings_and_a_group_for_legs_never_called() -> None:
    rows = [leg("a", counter=2), leg("b", counter=None, outcome="cancelled", wait=None, served=None)]
    groups = grouped(rows, [BookingRow(DAY, "ktp-el", "dukcapil", "booked")], Dimension.COUNTER, TARGETS)
    assert set(groups) == {2, None}
    assert all(g.bookings is None for g in groups.values())


def test_grouped_by_hour_day_officer_and_hall() -> None:
    rows = [leg("a", hour=8), leg("b", hour=9, officer="budi"), leg("c", hour=9, day=DAY + dt.timedelta(1))]
    assert {k: g.visits for k, g in grouped(rows, [], Dimension.HOUR, TARGETS).items()} == {8: 1, 9: 2}
    assert {k: g.visits for k, g in grouped(rows, [], Dimension.DAY, TARGETS).items()} == {
        DAY: 2,
        DAY + dt.timedelta(1): 1,
    }
    assert {k: g.visits for k, g in grouped(rows, [], Dimension.OFFICER, TARGETS).items()} == {
        "siti": 2,
        "budi": 1,
    }
    assert {k: g.visits for k, g in grouped(rows, [], Dimension.HALL, TARGETS).items()} == {"": 3}


def test_a_transfer_within_an_agency_is_one_visit_of_it_and_one_of_each_service() -> None:
    rows = [
        leg("a", 0, service="ktp-el", outcome="transferred"),
        leg("a", 1, service="kk", outcome="served"),
    ]
    assert grouped(rows, [], Dimension.AGENCY, TARGETS)["dukcapil"].visits == 1
    assert {k: g.visits for k, g in grouped(rows, [], Dimension.SERVICE, TARGETS).items()} == {
        "ktp-el": 1,
        "kk": 1,
    }


@pytest.mark.parametrize("value", ["agency", "hour", "hall"])
def test_known_dimensions(value: str) -> None:
    assert parse_dimension(value).value == value


@pytest.mark.parametrize("value", ["", "Agency", "week", "agency;drop"])
def test_an_unknown_dimension_is_refused_in_both_languages(value: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_dimension(value)
    assert refused.value.code == "unknown_dimension"
    assert "tidak dikenal" in refused.value.message and "Unknown grouping" in refused.value.message_en
