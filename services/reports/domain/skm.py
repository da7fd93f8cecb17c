"""The SKM survey's result (PermenPAN-RB No. 14 Tahun 2017): the satisfaction index (IKM) of a set
of responses and its grade, the line a hall board shows, and the minimum number of respondents the
regulation asks for. The form the responses come from is :mod:`.skm_form`.

The arithmetic is exact: scores are small integers, so sums and the index are kept as fractions
and turned into floats only for display; the grade is decided on the exact value rounded half-up
to the two decimals the regulation prints. Floats never decide a grade.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from antre.problems import Invalid
from services.reports.domain.skm_form import HIGHEST, LOWEST, UNSUR, Lang, check_answers, grouped


@dataclass(frozen=True)
class Grade:
    """A *mutu pelayanan* letter, with the lowest converted IKM (two decimals) that earns it."""

    letter: str
    label: str
    label_en: str
    lowest: Decimal


# Highest first. The regulation's table: A 88,31-100,00; B 76,61-88,30; C 65,00-76,60;
# D 25,00-64,99. Each lower bound is the one above's upper bound plus 0.01, so on values with two
# decimals the bands leave no gap.
GRADES: tuple[Grade, ...] = (
    Grade("A", "Sangat Baik", "Very good", Decimal("88.31")),
    Grade("B", "Baik", "Good", Decimal("76.61")),
    Grade("C", "Kurang Baik", "Fair", Decimal("65.00")),
    Grade("D", "Tidak Baik", "Poor", Decimal("25.00")),
)
IKM_LOWEST, IKM_HIGHEST = Decimal("25.00"), Decimal("100.00")
CONVERSION = 25  # "nilai dasar": the weighted NRR (1..4) times 25 is the IKM (25..100)
# The regulation's worked example writes the weight 1/9 as 0.111; see :func:`ikm_with_rounded_weight`.
ROUNDED_WEIGHT = Fraction("0.111")


def round_ikm(value: Decimal | Fraction | int | float) -> Decimal:
    """``value`` rounded half-up to two decimals, as the regulation prints the IKM.

    The rounding is exact: a Decimal, Fraction or int is used as is, and a float as the shortest
    decimal that prints it (``88.305`` means 88.305, not the binary number just below or above).
    Python's ``round`` would round half to even on that binary number, so 88.305 could land on
    either side of a grade's boundary.
    """
    exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    hundredths = math.floor(exact * 100 + Fraction(1, 2))
    return Decimal(hundredths).scaleb(-2)


def grade_of(ikm: Decimal | Fraction | int | float) -> Grade:
    """The grade of a converted IKM. A value between two printed bounds (88.305 lies between B's
    88.30 and A's 88.31) is graded as printed: rounded half-up to two decimals first, so 88.305 is
    an A and 88.3049 a B."""
    shown = round_ikm(ikm)
    if not IKM_LOWEST <= shown <= IKM_HIGHEST:
        raise Invalid(
            "skm_ikm_out_of_range",
            f"IKM harus antara 25,00 dan 100,00, bukan {shown}",
            f"An IKM lies from 25.00 to 100.00, not {shown}",
        )
    return next(g for g in GRADES if shown >= g.lowest)


@dataclass(frozen=True)
class Index:
    """The survey's result for a set of responses. With no responses every value is None: there
    is nothing to divide by, and nothing to show but the count."""

    count: int
    nrr: tuple[float, ...] | None  # per unsur, in unsur order, 1..4
    weighted_nrr: float | None  # 1..4
    ikm: float | None  # 25..100, for charts; use ikm_rounded to show or compare
    ikm_rounded: Decimal | None  # two decimals, half-up, what the grade is decided on
    grade: Grade | None


def _check_totals(count: int, totals: Sequence[int]) -> None:
    if type(count) is not int or count < 0:
        raise Invalid("skm_count_invalid", "Jumlah responden tidak sah", "Invalid number of respondents")
    if len(totals) != len(UNSUR) or any(
        type(t) is not int or not LOWEST * count <= t <= HIGHEST * count for t in totals
    ):
        raise Invalid(
            "skm_totals_invalid",
            f"Jumlah nilai per unsur tidak cocok dengan {count} responden",
            f"The per-element sums do not fit {count} respondents",
        )


def index_from_totals(count: int, totals: Sequence[int]) -> Index:
    """The index from the number of responses and each unsur's sum of scores (what a database can
    sum without loading every response).

    Per the regulation: NRR per unsur = sum of its scores / respondents; the weighted NRR is the
    sum of NRR_i x 1/9 (every unsur weighs the same, 1 / the number of unsur); IKM = weighted NRR
    x 25. The weight is kept as the exact 1/9, so nine perfect scores give exactly 100.00.
    """
    _check_totals(count, totals)
    if count == 0:
        return Index(count=0, nrr=None, weighted_nrr=None, ikm=None, ikm_rounded=None, grade=None)
    nrr = [Fraction(t, count) for t in totals]
    weighted = sum(nrr, Fraction(0)) / len(UNSUR)
    ikm = weighted * CONVERSION
    return Index(
        count=count,
        nrr=tuple(float(n) for n in nrr),
        weighted_nrr=float(weighted),
        ikm=float(ikm),
        ikm_rounded=round_ikm(ikm),
        grade=grade_of(ikm),
    )


def _totals(responses: Sequence[Sequence[int]]) -> tuple[int, list[int]]:
    totals = [0] * len(UNSUR)
    for response in responses:
        for i, score in enumerate(check_answers(response)):
            totals[i] += score
    return len(responses), totals


def index(responses: Sequence[tuple[int, ...]]) -> Index:
    """The index of these responses, each nine scores in unsur order (each is checked)."""
    return index_from_totals(*_totals(responses))


def ikm_with_rounded_weight(responses: Sequence[tuple[int, ...]]) -> Decimal | None:
    """The IKM as the regulation's worked example computes it, with the weight written 0.111
    instead of 1/9, rounded half-up to two decimals; None without responses.

    For comparing with a spreadsheet made from that example only: the rounded weight loses 0.1%,
    so nine perfect scores give 99.90 rather than 100.00, and a grade can drop a letter near a
    bound. :func:`index` keeps the exact weight. NRR values are not rounded on the way.
    """
    count, totals = _totals(responses)
    if count == 0:
        return None
    return round_ikm(sum((Fraction(t, count) * ROUNDED_WEIGHT for t in totals), Fraction(0)) * CONVERSION)


# A report covers at most a year (a leap year's 366 days): the regulation's yearly survey is the
# longest period it asks for, and the sums over it stay one quick scan of the day index.
MAX_PERIOD_DAYS = 366


def check_period(first: dt.date, last: dt.date) -> None:
    """A report's days, both included: ``first`` no later than ``last``, at most
    :data:`MAX_PERIOD_DAYS` of them."""
    if last < first:
        raise Invalid(
            "skm_period_reversed",
            "Tanggal akhir tidak boleh sebelum tanggal awal",
            "The last day must not come before the first",
        )
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise Invalid(
            "skm_period_too_long",
            f"Periode laporan paling lama {MAX_PERIOD_DAYS} hari",
            f"A report covers at most {MAX_PERIOD_DAYS} days",
            max_days=MAX_PERIOD_DAYS,
        )


def board_line(index: Index, language: Lang) -> str:
    """The line a hall board shows: "IKM bulan ini: 87,40 · Baik" or, in English,
    "Satisfaction index this month: 87.40 · Good". Indonesian writes the decimal comma."""
    head = "IKM bulan ini" if language == "id" else "Satisfaction index this month"
    if index.ikm_rounded is None or index.grade is None:
        return f"{head}: " + ("belum ada responden" if language == "id" else "no responses yet")
    if language == "id":
        return f"{head}: {str(index.ikm_rounded).replace('.', ',')} · {index.grade.label}"
    return f"{head}: {index.ikm_rounded} · {index.grade.label_en}"


# --- How many respondents ------------------------------------------------------------------------

# Krejcie and Morgan (1970), the table the regulation points to: chi-square for one degree of
# freedom at 95% confidence, the proportion that needs the largest sample, and a 5% margin.
CHI_SQUARE = Fraction("3.841")
PROPORTION = Fraction(1, 2)
MARGIN = Fraction("0.05")


def minimum_sample(served: int) -> int:
    """The fewest respondents for ``served`` citizens: S = X²NP(1-P) / (d²(N-1) + X²P(1-P)).

    Rounded to the nearest whole number (a half up). That is the rounding that reproduces every
    row of the published table: rounding up would ask 15 of 15 where the table asks 14, 33 of 35
    where it asks 32. S never exceeds N, since d²(N-1) >= 0.
    """
    if type(served) is not int or served < 0:
        raise Invalid(
            "skm_served_invalid",
            "Jumlah warga yang dilayani harus bilangan bulat 0 atau lebih",
            "The number of citizens served must be a whole number, 0 or more",
        )
    spread = CHI_SQUARE * PROPORTION * (1 - PROPORTION)
    exact = spread * served / (MARGIN**2 * (served - 1) + spread) if served else Fraction(0)
    return math.floor(exact + Fraction(1, 2))


@dataclass(frozen=True)
class SampleVerdict:
    """Whether enough citizens answered to conclude an index; the sentences say why not."""

    responses: int
    served: int
    minimum: int
    enough: bool
    message: str | None  # Bahasa Indonesia; None when enough
    message_en: str | None


def sample_verdict(responses: int, served: int) -> SampleVerdict:
    """Enough when the responses reach :func:`minimum_sample` of the citizens served in the
    period. With nobody served nothing is required (and there is no index to conclude)."""
    if type(responses) is not int or responses < 0:
        raise Invalid(
            "skm_count_invalid",
            "Jumlah responden harus bilangan bulat 0 atau lebih",
            "The number of respondents must be a whole number, 0 or more",
        )
    minimum = minimum_sample(served)
    if responses >= minimum:
        return SampleVerdict(responses, served, minimum, True, None, None)
    return SampleVerdict(
        responses,
        served,
        minimum,
        False,
        f"Baru {grouped(responses, 'id')} dari minimal {grouped(minimum, 'id')} responden untuk "
        f"{grouped(served, 'id')} warga yang dilayani; IKM belum dapat disimpulkan",
        f"Only {grouped(responses, 'en')} of the minimum {grouped(minimum, 'en')} respondents for "
        f"{grouped(served, 'en')} citizens served; the index cannot be concluded yet",
    )
