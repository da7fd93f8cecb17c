"""Reports over the known hall day, on SQLite and PostgreSQL: every figure of every row, per hall,
agency, service, counter, officer, hour and day, equals the one worked out here from the day's
own account (``Day.legs``, ``Day.visits``, ``Day.bookings``) to the digit; filters and a
supervisor's scope narrow it as they should; and every malformed or forbidden question is refused
in both languages."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.reports.handlers import reporting
from tests.integration.reports.day_app import DAY, day_app
from tests.support.people import bearer
from tests.support.stores import BACKENDS
from tests.support.visit_day import Day, TrueBooking, TrueLeg

DIMENSIONS = ["hall", "agency", "service", "counter", "officer", "hour", "day"]
BOOKED = {"hall", "agency", "service", "day"}
LEG_KEYS: dict[str, Callable[[TrueLeg], Any]] = {
    "hall": lambda leg: "",
    "agency": lambda leg: leg.agency,
    "service": lambda leg: leg.service,
    "counter": lambda leg: leg.counter,
    "officer": lambda leg: leg.officer,
    "hour": lambda leg: leg.hour,
    "day": lambda leg: leg.day.isoformat(),
}
BOOKING_KEYS: dict[str, Callable[[TrueBooking], Any]] = {
    "hall": lambda b: "",
    "agency": lambda b: b.agency,
    "service": lambda b: b.service,
    "day": lambda b: b.day.isoformat(),
}


@pytest.fixture(scope="module", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Day]]:
    with day_app(str(request.param), tmp_path_factory.mktemp("reports")) as running:
        yield running


# ---- the figures, worked out from the day's own account ----


def nearest_rank(values: list[int], p: int) -> int | None:
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered) / 100) - 1] if ordered else None


def summary(values: list[int]) -> dict[str, Any]:
    mean = sum(values) / len(values) if values else None
    return {
        "count": len(values),
        "mean": mean,
        "p50": nearest_rank(values, 50),
        "p90": nearest_rank(values, 90),
    }


def within(hits: int, of: int) -> dict[str, Any]:
    return {"within": hits, "of": of, "share": hits / of if of else None}


def expected(
    legs: list[TrueLeg], bookings: list[TrueBooking] | None, targets: dict[str, int]
) -> dict[str, Any]:
    waits = [leg.wait_seconds for leg in legs if leg.wait_seconds is not None]
    served = [leg for leg in legs if leg.outcome == "served"]
    first: dict[str, TrueLeg] = {}
    for leg in sorted(legs, key=lambda leg: -leg.leg):
        first[leg.ticket_id] = leg
    outcomes = dict.fromkeys(["served", "no_show", "skipped", "transferred", "cancelled", "day_ended"], 0)
    for leg in legs:
        outcomes[leg.outcome] += 1
    called = [leg for leg in legs if leg.wait_seconds is not None]
    out = {
        "visits": len(first),
        "queued": len(legs),
        "outcomes": {**outcomes, "open": 0},  # the day ends every ticket
        "wait": summary(waits),
        "service": summary([leg.service_seconds for leg in served if leg.service_seconds is not None]),
        "service_within_target": within(
            sum(
                leg.service_seconds <= targets[leg.service] * 60
                for leg in served
                if leg.service_seconds is not None
            ),
            len(served),
        ),
        "wait_within_target": within(
            sum(
                leg.wait_seconds <= targets[leg.service] * 60
                for leg in called
                if leg.wait_seconds is not None
            ),
            len(called),
        ),
        "channels": {
            c: sum(leg.channel == c for leg in first.values()) for c in ("walk_in", "online", "staff")
        },
        "priorities": {
            p: sum(leg.priority == p for leg in first.values())
            for p in ("none", "elderly", "disability", "pregnant", "child")
        },
        "bookings": None,
    }
    if bookings is not None:
        states = {
            s: sum(b.state == s for b in bookings) for s in ("checked_in", "no_show", "cancelled", "booked")
        }
        out["bookings"] = {"made": len(bookings), **states}
    return out


def got(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the API's answer as :func:`expected` writes it (the colour is the page's)."""
    keep = {k: row[k] for k in ("visits", "queued", "outcomes", "wait", "service", "channels", "priorities")}
    for name in ("service_within_target", "wait_within_target"):
        keep[name] = {k: row[name][k] for k in ("within", "of", "share")}
    return {**keep, "bookings": row["bookings"]}


def targets_of(client: TestClient) -> dict[str, int]:
    return {s.code: s.target_minutes for s in client.app.state.ctx.deps.hall.services}  # type: ignore[attr-defined]


def ask(client: TestClient, token: str = "token-manager", **params: Any) -> Any:
    query = {"from": DAY.isoformat(), "to": DAY.isoformat(), **params}
    return client.get("/api/v1/reports", params=query, headers=bearer(token))


def check_rows(
    answer: dict[str, Any], by: str, legs: list[TrueLeg], bookings: list[TrueBooking], targets: dict[str, int]
) -> None:
    leg_groups: dict[Any, list[TrueLeg]] = defaultdict(list)
    for leg in legs:
        leg_groups[LEG_KEYS[by](leg)].append(leg)
    booking_groups: dict[Any, list[TrueBooking]] = defaultdict(list)
    for booking in bookings if by in BOOKED else []:
        booking_groups[BOOKING_KEYS[by](booking)].append(booking)
    rows = {row["key"]: row for row in answer["rows"]}
    assert len(rows) == len(answer["rows"]), "one row per key"
    assert set(leg_groups) | set(booking_groups) <= set(rows)
    for key, row in rows.items():
        want = expected(
            leg_groups.get(key, []), booking_groups.get(key, []) if by in BOOKED else None, targets
        )
        assert got(row) == want, f"{by} {key}"
    assert got(answer["totals"]) == expected(legs, bookings, targets)
    assert sum(row["queued"] for row in answer["rows"]) == len(legs)


# ---- reports ----


def test_the_day_is_the_one_the_account_describes(app: tuple[TestClient, Day]) -> None:
    _, day = app
    assert len(day.visits) >= 400 and len({leg.agency for leg in day.legs}) == 6


@pytest.mark.parametrize("by", DIMENSIONS)
def test_every_figure_of_every_row_as_the_day_made_it(app: tuple[TestClient, Day], by: str) -> None:
    client, day = app
    answer = ask(client, by=by)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["from"], body["to"], body["days"], body["by"]) == (DAY.isoformat(), DAY.isoformat(), 1, by)
    check_rows(body, by, day.legs, day.bookings, targets_of(client))
    assert body["totals"]["visits"] == len(day.visits)


def test_rows_follow_the_hall_file_and_name_themselves(app: tuple[TestClient, Day]) -> None:
    client, _ = app
    hall = client.app.state.ctx.deps.hall  # type: ignore[attr-defined]
    agencies = ask(client, by="agency").json()["rows"]
    assert [r["key"] for r in agencies] == [a.code for a in hall.agencies]
    assert agencies[0]["label"] == hall.agencies[0].name
    services = ask(client, by="service").json()["rows"]
    assert [(r["key"], r["target_minutes"]) for r in services] == [
        (s.code, s.target_minutes) for s in hall.services
    ]
    hours = [r["key"] for r in ask(client, by="hour").json()["rows"]]
    assert hours == sorted(hours)
    counters = [r["key"] for r in ask(client, by="counter").json()["rows"]]
    assert counters[-1] is None and counters[:-1] == [c.number for c in hall.counters]


@pytest.mark.parametrize(
    ("agency", "service", "by"),
    [("dukcapil", "", "service"), ("", "ktp-el", "counter"), ("samsat", "pkb-tahunan", "hour")],
)
def test_filters_narrow_every_figure(app: tuple[TestClient, Day], agency: str, service: str, by: str) -> None:
    client, day = app
    answer = ask(client, by=by, agency=agency, service=service).json()
    legs = [
        leg
        for leg in day.legs
        if (not agency or leg.agency == agency) and (not service or leg.service == service)
    ]
    bookings = [
        b
        for b in day.bookings
        if (not agency or b.agency == agency) and (not service or b.service == service)
    ]
    check_rows(answer, by, legs, bookings, targets_of(client))


def test_a_supervisor_sees_their_own_agency_only(app: tuple[TestClient, Day]) -> None:
    client, day = app
    for token, agency in (("token-supervisor", "dukcapil"), ("token-supervisor-bpjs", "bpjs")):
        answer = ask(client, token, by="agency").json()
        assert answer["agency"] == agency
        assert [r["key"] for r in answer["rows"]] == [agency]
        legs = [leg for leg in day.legs if leg.agency == agency]
        bookings = [b for b in day.bookings if b.agency == agency]
        assert got(answer["totals"]) == expected(legs, bookings, targets_of(client))
        assert [a["code"] for a in answer["choices"]["agencies"]] == [agency]
        assert {s["agency"] for s in answer["choices"]["services"]} == {agency}
    own = ask(client, "token-supervisor", agency="dukcapil", service="ktp-el")
    assert own.status_code == 200


def test_a_manager_may_choose_any_agency(app: tuple[TestClient, Day]) -> None:
    client, _ = app
    choices = ask(client).json()["choices"]
    assert len(choices["agencies"]) == 6 and len(choices["services"]) >= 15


def test_a_range_around_the_day_and_ranges_without_it(app: tuple[TestClient, Day]) -> None:
    client, day = app
    week = ask(client, **{"from": "2026-03-07", "to": "2026-03-13"}, by="day").json()
    assert week["days"] == 7
    check_rows(week, "day", day.legs, day.bookings, targets_of(client))
    for start, end in (("2030-01-01", "2030-12-31"), ("2020-02-01", "2020-02-29")):  # to come, long gone
        empty = ask(client, **{"from": start, "to": end}, by="agency").json()
        assert got(empty["totals"]) == expected([], [], {})
        assert all(r["visits"] == 0 for r in empty["rows"]) and len(empty["rows"]) == 6


def test_without_dates_a_report_is_of_today(app: tuple[TestClient, Day]) -> None:
    client, _ = app
    answer = client.get("/api/v1/reports", headers=bearer("token-manager"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["from"] == body["to"] and dt.date.fromisoformat(body["from"]) >= DAY and body["by"] == "hall"


# ---- refusals ----


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-13-01"}, "invalid_date"),
        ({"from": "10-03-2026"}, "invalid_date"),
        ({"to": "kemarin"}, "invalid_date"),
        ({"from": "2026-03-11", "to": "2026-03-10"}, "range_reversed"),
        ({"from": "2025-03-09", "to": "2026-03-10"}, "range_too_long"),  # 367 days
        ({"by": "week"}, "unknown_dimension"),
        ({"agency": "imigrasi"}, "unknown_agency"),
        ({"service": "paspor"}, "unknown_service"),
        ({"agency": "bpjs", "service": "ktp-el"}, "service_of_other_agency"),
    ],
)
def test_a_malformed_question_is_refused_in_both_languages(
    app: tuple[TestClient, Day], params: dict[str, str], code: str
) -> None:
    client, _ = app
    answer = ask(client, **params)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"] and error["message_en"]
    assert error["message"] != error["message_en"]


def test_a_year_of_366_days_is_not_too_long(app: tuple[TestClient, Day]) -> None:
    client, _ = app
    assert ask(client, **{"from": "2024-01-01", "to": "2024-12-31"}).json()["days"] == 366
    assert ask(client, **{"from": "2025-03-10", "to": "2026-03-10"}).json()["days"] == 366


@pytest.mark.parametrize(
    ("token", "params", "status", "code"),
    [
        ("", {}, 401, "signed_out"),
        ("token-unknown", {}, 401, "signed_out"),
        ("token-officer", {}, 403, "role_required"),
        ("token-supervisor", {"agency": "bpjs"}, 403, "other_agency"),
        ("token-supervisor", {"service": "jkn"}, 403, "other_agency"),  # bpjs's service
        ("token-supervisor-bpjs", {"agency": "dukcapil"}, 403, "other_agency"),
        ("token-supervisor", {"agency": "imigrasi"}, 403, "other_agency"),  # none of theirs either
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/reports.csv", "/api/v1/reports.xlsx"])
def test_who_may_not_ask(
    app: tuple[TestClient, Day], token: str, params: dict[str, str], status: int, code: str, path: str
) -> None:
    client, _ = app
    answer = client.get(
        path, params={"from": DAY.isoformat(), **params}, headers=bearer(token) if token else {}
    )
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code


@pytest.mark.parametrize(
    ("month", "first", "last"),
    [
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2026-12", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        ("9999-12", dt.date(9999, 12, 1), dt.date(9999, 12, 31)),
        ("", dt.date(2026, 3, 1), dt.date(2026, 3, 31)),  # this month
    ],
)
def test_a_months_days(month: str, first: dt.date, last: dt.date) -> None:
    assert reporting.month_of(month, DAY) == (first, last)


@pytest.mark.parametrize(
    ("token", "params", "status", "code"),
    [
        ("", {"month": "2026-03"}, 401, "signed_out"),
        ("token-officer", {"month": "2026-03"}, 403, "role_required"),
        ("token-supervisor", {"month": "2026-03", "agency": "bpjs"}, 403, "other_agency"),
        ("token-manager", {"month": "2026-3"}, 422, "invalid_month"),
        ("token-manager", {"month": "2026-13"}, 422, "invalid_month"),
        ("token-manager", {"month": "maret"}, 422, "invalid_month"),
        ("token-manager", {"month": "0000-01"}, 422, "invalid_month"),
        ("token-manager", {"month": "2026-00"}, 422, "invalid_month"),
        ("token-manager", {"month": "2026-03", "agency": "imigrasi"}, 422, "unknown_agency"),
    ],
)
def test_who_and_what_the_monthly_report_refuses(
    app: tuple[TestClient, Day], token: str, params: dict[str, str], status: int, code: str
) -> None:
    client, _ = app
    answer = client.get("/api/v1/reports/monthly.pdf", params=params, headers=bearer(token) if token else {})
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
