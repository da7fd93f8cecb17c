"""The SKM survey's arithmetic (PermenPAN-RB 14/2017): the index and its grade worked out by hand,
the board's line, and the minimum sample checked against the published Krejcie-Morgan table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from antre.problems import Invalid
from services.reports.domain.skm import (
    board_line,
    check_period,
    grade_of,
    ikm_with_rounded_weight,
    index,
    index_from_totals,
    minimum_sample,
    round_ikm,
    sample_verdict,
)

# --- The index, worked by hand --------------------------------------------------------------------

# Four respondents:
#             u1 u2 u3 u4 u5 u6 u7 u8 u9
#   R1         4  4  3  4  3  3  4  3  4
#   R2         3  3  3  4  3  3  3  2  3
#   R3         4  3  2  4  4  3  4  3  3
#   R4         3  4  3  4  3  4  4  2  3
#   sum       14 14 11 16 13 13 15 10 13     (all nine: 119)
#   NRR = sum / 4:
#           3.50 3.50 2.75 4.00 3.25 3.25 3.75 2.50 3.25   (their sum: 29.75)
# Weighted NRR = 29.75 x 1/9 = 3.305555...
# IKM = 3.305555... x 25 = 743.75 / 9 = 82.638888... -> 82.64, which is B (76.61-88.30): "Baik".
# The worked example's rounded weight: 29.75 x 0.111 x 25 = 29.75 x 2.775 = 82.55625 -> 82.56.
HAND = [
    (4, 4, 3, 4, 3, 3, 4, 3, 4),
    (3, 3, 3, 4, 3, 3, 3, 2, 3),
    (4, 3, 2, 4, 4, 3, 4, 3, 3),
    (3, 4, 3, 4, 3, 4, 4, 2, 3),
]


def test_the_hand_worked_index() -> None:
    result = index(HAND)

    assert result.count == 4
    assert result.nrr == (3.5, 3.5, 2.75, 4.0, 3.25, 3.25, 3.75, 2.5, 3.25)
    assert result.weighted_nrr == pytest.approx(3.3055556, abs=1e-7)
    assert result.ikm == pytest.approx(82.6388889, abs=1e-7)
    assert result.ikm_rounded == Decimal("82.64")
    assert result.grade is not None
    assert (result.grade.letter, result.grade.label, result.grade.label_en) == ("B", "Baik", "Good")


def test_the_same_from_the_per_unsur_sums() -> None:
    assert index_from_totals(4, [14, 14, 11, 16, 13, 13, 15, 10, 13]) == index(HAND)


def test_the_rounded_weight_convention_reproduces_the_worked_examples_arithmetic() -> None:
    assert ikm_with_rounded_weight(HAND) == Decimal("82.56")
    # Nine perfect scores: 4 x 9 x 0.111 x 25 = 99.90, where the exact 1/9 gives 100.00.
    assert ikm_with_rounded_weight([(4,) * 9]) == Decimal("99.90")
    assert index([(4,) * 9]).ikm_rounded == Decimal("100.00")
    assert ikm_with_rounded_weight([]) is None


def test_the_extremes_are_25_and_100() -> None:
    lowest, highest = index([(1,) * 9] * 3), index([(4,) * 9] * 3)

    assert (lowest.ikm, lowest.ikm_rounded, lowest.grade and lowest.grade.letter) == (
        25.0,
        Decimal("25.00"),
        "D",
    )
    assert (highest.ikm, highest.grade and highest.grade.letter) == (100.0, "A")


def test_a_bad_response_spoils_the_index_rather_than_being_skipped() -> None:
    with pytest.raises(Invalid):
        index([*HAND, (4, 4, 4, 4, 4, 4, 4, 4, 0)])


def test_zero_responses_give_no_value_and_no_division() -> None:
    result = index([])

    assert result.count == 0
    assert (result.nrr, result.weighted_nrr, result.ikm, result.ikm_rounded, result.grade) == (None,) * 5
    assert board_line(result, "id") == "IKM bulan ini: belum ada responden"
    assert board_line(result, "en") == "Satisfaction index this month: no responses yet"


@pytest.mark.parametrize(
    ("count", "totals"),
    [
        (2, [2] * 8),  # eight sums
        (2, [1, 2, 2, 2, 2, 2, 2, 2, 2]),  # below 2 x 1
        (2, [9, 2, 2, 2, 2, 2, 2, 2, 2]),  # above 2 x 4
        (0, [1, 0, 0, 0, 0, 0, 0, 0, 0]),  # a score without a respondent
        (-1, [0] * 9),
    ],
)
def test_sums_that_no_responses_could_give_are_refused(count: int, totals: list[int]) -> None:
    with pytest.raises(Invalid):
        index_from_totals(count, totals)


# --- Grades ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ikm", "letter"),
    [
        ("100.00", "A"),
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("25.00", "D"),
        # Between the printed bounds: rounded half-up to two decimals first.
        ("88.305", "A"),
        ("88.3049999", "B"),
        ("76.605", "B"),
        ("76.6049999", "C"),
        ("64.995", "C"),
        ("64.9949999", "D"),
        ("24.995", "D"),
        ("100.004", "A"),
    ],
)
def test_grade_bounds(ikm: str, letter: str) -> None:
    assert grade_of(Decimal(ikm)).letter == letter


def test_grade_labels() -> None:
    assert [
        (grade_of(Decimal(v)).label, grade_of(Decimal(v)).label_en) for v in ("90", "80", "70", "50")
    ] == [
        ("Sangat Baik", "Very good"),
        ("Baik", "Good"),
        ("Kurang Baik", "Fair"),
        ("Tidak Baik", "Poor"),
    ]


def test_a_float_is_read_as_the_decimal_it_prints() -> None:
    # 88.305 as a binary float is a hair above 88.305 and 80.005 a hair below; both are taken as
    # written. Python's round(80.005, 2) gives 80.0.
    assert round_ikm(88.305) == Decimal("88.31")
    assert round_ikm(80.005) == Decimal("80.01")
    assert grade_of(76.605).letter == "B"


@pytest.mark.parametrize("ikm", ["24.994", "100.005", "0", "-50"])
def test_a_value_outside_the_scale_has_no_grade(ikm: str) -> None:
    with pytest.raises(Invalid):
        grade_of(Decimal(ikm))


def _responses_with_total(count: int, total: int) -> list[tuple[int, ...]]:
    """``count`` valid responses whose scores add up to ``total``, spread as evenly as they go."""
    rows = []
    for i in range(count):
        row_total = total // count + (1 if i < total % count else 0)
        q, r = divmod(row_total, 9)
        rows.append((q + 1,) * r + (q,) * (9 - r))
    assert sum(map(sum, rows)) == total
    return rows


@pytest.mark.parametrize(
    ("total", "shown", "letter"),
    [
        # 5000 responses: IKM = 25 x total / (9 x 5000) = total / 1800.
        (158949, "88.31", "A"),  # 158949 / 1800 = 88.305 exactly
        (137889, "76.61", "B"),  # 137889 / 1800 = 76.605 exactly
        (116991, "65.00", "C"),  # 116991 / 1800 = 64.995 exactly
        (144009, "80.01", "B"),  # 144009 / 1800 = 80.005 exactly; the float is 80.00499...
        (137888, "76.60", "C"),  # 137888 / 1800 = 76.60444...
    ],
)
def test_an_index_exactly_between_two_printed_values_rounds_up(total: int, shown: str, letter: str) -> None:
    result = index(_responses_with_total(5000, total))

    assert result.ikm_rounded == Decimal(shown)
    assert result.grade is not None and result.grade.letter == letter


# --- The board ------------------------------------------------------------------------------------


def test_the_board_line_in_both_languages() -> None:
    result = index(HAND)

    assert board_line(result, "id") == "IKM bulan ini: 82,64 · Baik"
    assert board_line(result, "en") == "Satisfaction index this month: 82.64 · Good"
    assert board_line(index([(4,) * 9]), "id") == "IKM bulan ini: 100,00 · Sangat Baik"


# --- The minimum sample ---------------------------------------------------------------------------

# Krejcie, R. V. & Morgan, D. W. (1970), "Determining sample size for research activities",
# Educational and Psychological Measurement 30, Table 1: population N -> sample S.
# Some reproductions print a row "100000 384"; the original's last row is 1000000 -> 384, and the
# formula gives 382.63 for 100000 (see the test below), so that row is not here.
KREJCIE_MORGAN = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48,
    60: 52, 65: 56, 70: 59, 75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86,
    120: 92, 130: 97, 140: 103, 150: 108, 160: 113, 170: 118, 180: 123, 190: 127, 200: 132,
    210: 136, 220: 140, 230: 144, 240: 148, 250: 152, 260: 155, 270: 159, 280: 162, 290: 165,
    300: 169, 320: 175, 340: 181, 360: 186, 380: 191, 400: 196, 420: 201, 440: 205, 460: 210,
    480: 214, 500: 217, 550: 226, 600: 234, 650: 242, 700: 248, 750: 254, 800: 260, 850: 265,
    900: 269, 950: 274, 1000: 278, 1100: 285, 1200: 291, 1300: 297, 1400: 302, 1500: 306,
    1600: 310, 1700: 313, 1800: 317, 1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335,
    2800: 338, 3000: 341, 3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364,
    8000: 367, 9000: 368, 10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380,
    50000: 381, 75000: 382, 1000000: 384,
}  # fmt: skip


@pytest.mark.parametrize(("served", "sample"), sorted(KREJCIE_MORGAN.items()))
def test_the_minimum_sample_matches_the_published_table(served: int, sample: int) -> None:
    assert minimum_sample(served) == sample


def test_the_rounding_is_to_nearest() -> None:
    # N = 15: 3.841 x 15 x 0.25 / (0.0025 x 14 + 0.96025) = 14.40375 / 0.99525 = 14.47 -> 14 (up: 15).
    # N = 100000: 96025 / (249.9975 + 0.96025) = 96025 / 250.95775 = 382.63 -> 383.
    assert minimum_sample(15) == 14
    assert minimum_sample(100000) == 383


def test_small_halls() -> None:
    # N = 1: 0.96025 / 0.96025 = 1. N = 2: 1.9205 / 0.96275 = 1.99 -> 2. Never more than N.
    assert [minimum_sample(n) for n in (0, 1, 2)] == [0, 1, 2]
    assert all(minimum_sample(n) <= n for n in range(0, 2000))


@pytest.mark.parametrize("served", [-1, True, 10.0, "400"])
def test_served_must_be_a_whole_number(served: object) -> None:
    with pytest.raises(Invalid):
        minimum_sample(served)  # type: ignore[arg-type]  # deliberately wrong input


def test_too_few_responses_say_so_in_both_languages() -> None:
    verdict = sample_verdict(40, 400)

    assert (verdict.enough, verdict.minimum) == (False, 196)
    assert verdict.message == (
        "Baru 40 dari minimal 196 responden untuk 400 warga yang dilayani; IKM belum dapat disimpulkan"
    )
    assert verdict.message_en == (
        "Only 40 of the minimum 196 respondents for 400 citizens served; the index cannot be concluded yet"
    )


def test_large_numbers_are_grouped_as_each_language_writes_them() -> None:
    verdict = sample_verdict(1, 2000)

    assert verdict.message is not None and "untuk 2.000 warga" in verdict.message
    assert verdict.message_en is not None and "for 2,000 citizens" in verdict.message_en


def test_enough_responses_have_no_message() -> None:
    assert sample_verdict(196, 400).enough
    assert sample_verdict(195, 400).enough is False
    assert sample_verdict(500, 400).message is None
    assert sample_verdict(0, 0).enough  # nobody served, nothing required


def test_a_negative_response_count_is_refused() -> None:
    with pytest.raises(Invalid):
        sample_verdict(-1, 400)


# --- The period -----------------------------------------------------------------------------------


def test_a_period_of_one_day_up_to_a_leap_year() -> None:
    check_period(dt.date(2026, 3, 10), dt.date(2026, 3, 10))
    check_period(dt.date(2028, 1, 1), dt.date(2028, 12, 31))  # 366 days, both ends included


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        (dt.date(2026, 3, 10), dt.date(2026, 3, 9), "skm_period_reversed"),
        (dt.date(2028, 1, 1), dt.date(2029, 1, 1), "skm_period_too_long"),  # 367 days
    ],
)
def test_a_period_backwards_or_over_a_year_is_refused(first: dt.date, last: dt.date, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_period(first, last)
    assert refused.value.code == code and refused.value.message and refused.value.message_en
