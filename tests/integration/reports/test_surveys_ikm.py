"""The IKM of a period on SQLite and PostgreSQL, for the hall, per agency and per service, against
figures worked out by hand from the responses given here."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.problems import Invalid, NotFound
from services.reports import handlers
from services.reports.domain.skm_form import Respondent
from services.reports.handlers import skm_reports
from services.reports.handlers import surveys as survey
from tests.integration.reports.conftest import NOW
from tests.support.survey_visits import record_visit

WINDOW = dt.timedelta(minutes=30)
TODAY = dt.date(2026, 3, 11)  # NOW is 08:00 WITA on it

# The responses (each a completed visit), and what else the hall served:
#                      u1 u2 u3 u4 u5 u6 u7 u8 u9   sum
#   ktp-el       R1     4  4  3  4  3  3  4  3  4    32
#   ktp-el       R2     3  3  3  4  3  3  3  2  3    27
#   kartu-kel.   R3     4  3  2  4  4  3  4  3  3    30
#   kartu-kel.   R4     3  4  3  4  3  4  4  2  3    30
#   jkn (BPJS)   R5     4  4  4  4  4  4  4  4  4    36
# served without answering: two ktp-el, one pbb-p2 (Bapenda); a no-show is not served.
# A response and a visit of the day before, outside the period, count nowhere.
RESPONSES = [
    ("ktp-el", 1, (4, 4, 3, 4, 3, 3, 4, 3, 4)),
    ("ktp-el", 1, (3, 3, 3, 4, 3, 3, 3, 2, 3)),
    ("kartu-keluarga", 3, (4, 3, 2, 4, 4, 3, 4, 3, 3)),
    ("kartu-keluarga", 3, (3, 4, 3, 4, 3, 4, 4, 2, 3)),
    ("jkn", 17, (4,) * 9),
]


@pytest.fixture
def hall_month(deps: handlers.Deps) -> handlers.Deps:
    for n, (service, counter, scores) in enumerate(RESPONSES):
        ticket_id, _ = record_visit(deps, service, counter, NOW - dt.timedelta(minutes=10 + n))
        survey.answer(
            deps,
            ticket_id,
            dict(zip([f"u{i}" for i in range(1, 10)], scores, strict=True)),
            Respondent(),
            WINDOW,
        )
    for service, counter in [("ktp-el", 1), ("ktp-el", 2), ("pbb-p2", 10)]:
        record_visit(deps, service, counter, NOW - dt.timedelta(minutes=3))
    record_visit(deps, "ktp-el", 1, NOW - dt.timedelta(minutes=2), fate="no_show")
    before, _ = record_visit(deps, "jkn", 17, NOW - dt.timedelta(days=1))
    deps.uow.clock = lambda: NOW - dt.timedelta(days=1) + dt.timedelta(minutes=1)
    survey.answer(deps, before, {f"u{i}": 1 for i in range(1, 10)}, Respondent(), WINDOW)
    deps.uow.clock = lambda: NOW
    return deps


def test_the_hall(hall_month: handlers.Deps) -> None:
    report = skm_reports.ikm(hall_month, TODAY, TODAY, "hall")

    (group,) = report.groups
    assert group == report.total and group.key == "hall"
    # Sums per unsur: 18 18 15 20 17 17 19 14 17 (155); NRR = sum / 5; weighted NRR = 155 / 45;
    # IKM = 155 / 45 x 25 = 86.111... -> 86.11, B.
    index = group.index
    assert index.count == 5
    assert index.nrr == pytest.approx([3.6, 3.6, 3.0, 4.0, 3.4, 3.4, 3.8, 2.8, 3.4])
    assert index.weighted_nrr == pytest.approx(3.4444444)
    assert str(index.ikm_rounded) == "86.11" and index.grade is not None and index.grade.letter == "B"
    # Served: 4 + 2 (Dukcapil) + 1 (BPJS) + 1 (Bapenda) = 8; Krejcie-Morgan asks 8 of 8:
    # 3.841 x 8 x 0.25 / (0.0025 x 7 + 0.96025) = 7.682 / 0.97775 = 7.86 -> 8.
    assert (group.served, group.verdict.minimum, group.verdict.enough) == (8, 8, False)
    assert group.verdict.message == (
        "Baru 5 dari minimal 8 responden untuk 8 warga yang dilayani; IKM belum dapat disimpulkan"
    )


def test_per_agency(hall_month: handlers.Deps) -> None:
    report = skm_reports.ikm(hall_month, TODAY, TODAY, "agency")

    got = {
        g.key: (g.index.count, g.index.ikm_rounded and str(g.index.ikm_rounded), g.served)
        for g in report.groups
    }
    # Dukcapil: R1-R4, sums 14 14 11 16 13 13 15 10 13 = 119; 119 / 36 x 25 = 82.638... -> 82.64.
    # BPJS: nine 4s -> 100.00. Bapenda: served one, no response: no index.
    assert got == {"dukcapil": (4, "82.64", 6), "bpjs": (1, "100.00", 1), "bapenda": (0, None, 1)}
    assert [g.key for g in report.groups] == ["dukcapil", "bapenda", "bpjs"]  # the hall file's order
    dukcapil = report.groups[0]
    assert dukcapil.index.nrr == pytest.approx([3.5, 3.5, 2.75, 4.0, 3.25, 3.25, 3.75, 2.5, 3.25])
    # 6 served: 3.841 x 6 x 0.25 / (0.0025 x 5 + 0.96025) = 5.7615 / 0.97275 = 5.92 -> 6.
    assert (dukcapil.verdict.minimum, dukcapil.verdict.enough) == (6, False)
    assert report.groups[2].verdict.enough  # one of one
    assert report.total.index.count == 5 and report.total.served == 8


def test_per_service(hall_month: handlers.Deps) -> None:
    report = skm_reports.ikm(hall_month, TODAY, TODAY, "service")

    got = {
        g.key: (g.index.count, g.index.ikm_rounded and str(g.index.ikm_rounded), g.served)
        for g in report.groups
    }
    # ktp-el: R1 + R2 = 59 -> 59 / 18 x 25 = 81.944... -> 81.94; kartu-keluarga: 60 -> 83.333... -> 83.33.
    assert got == {
        "ktp-el": (2, "81.94", 4),
        "kartu-keluarga": (2, "83.33", 2),
        "pbb-p2": (0, None, 1),
        "jkn": (1, "100.00", 1),
    }


def test_one_agency_only(hall_month: handlers.Deps) -> None:
    report = skm_reports.ikm(hall_month, TODAY, TODAY, "service", agency="dukcapil")

    assert [g.key for g in report.groups] == ["ktp-el", "kartu-keluarga"]
    assert (report.total.key, report.total.index.count, str(report.total.index.ikm_rounded)) == (
        "dukcapil",
        4,
        "82.64",
    )
    assert report.total.served == 6


def test_the_day_before_counts_on_its_own(hall_month: handlers.Deps) -> None:
    day_before = TODAY - dt.timedelta(days=1)
    only = skm_reports.ikm(hall_month, day_before, day_before, "hall").total
    both = skm_reports.ikm(hall_month, day_before, TODAY, "hall").total

    assert (only.index.count, str(only.index.ikm_rounded), only.served) == (1, "25.00", 1)
    assert (both.index.count, both.served) == (6, 9)


def test_an_empty_period_has_no_index(hall_month: handlers.Deps) -> None:
    total = skm_reports.ikm(hall_month, dt.date(2025, 1, 1), dt.date(2025, 12, 31), "agency").total

    assert (total.index.count, total.index.ikm, total.served, total.verdict.enough) == (0, None, 0, True)


def test_periods_and_agencies_that_make_no_report(hall_month: handlers.Deps) -> None:
    with pytest.raises(Invalid):
        skm_reports.ikm(hall_month, TODAY, TODAY - dt.timedelta(days=1), "hall")
    with pytest.raises(Invalid):
        skm_reports.ikm(hall_month, dt.date(2025, 1, 1), dt.date(2026, 1, 2), "hall")
    with pytest.raises(NotFound):
        skm_reports.ikm(hall_month, TODAY, TODAY, "hall", agency="kemenag")
