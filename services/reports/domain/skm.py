"""The SKM survey (*Survei Kepuasan Masyarakat*) as PermenPAN-RB No. 14 Tahun 2017 defines it: the
nine unsur a citizen rates, what a respondent may tell about themselves, the satisfaction index
(IKM) and its grade, and the minimum number of respondents the regulation asks for.

The arithmetic is exact: scores are small integers, so sums and the index are kept as fractions
and turned into floats only for display; the grade is decided on the exact value rounded half-up
to the two decimals the regulation prints. Floats never decide a grade.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from antre.problems import Invalid

Lang = Literal["id", "en"]


@dataclass(frozen=True)
class Unsur:
    """One element of the survey with its question as the citizen reads it on the form, and the
    four answers from worst (score 1) to best (score 4)."""

    code: str
    name: str
    name_en: str
    question: str
    question_en: str
    answers: tuple[str, str, str, str]
    answers_en: tuple[str, str, str, str]


_SUITABLE = ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")
_SUITABLE_EN = ("Not as stated", "Partly as stated", "As stated", "Fully as stated")

# The regulation's order (Bab II): U1 is "a. Persyaratan" ... U9 is "i. Sarana dan prasarana".
# A printed form may ask in another order; answers are keyed by unsur code, never by position on
# a form. Questions and answers are worded as in the regulation's sample questionnaire.
UNSUR: tuple[Unsur, ...] = (
    Unsur(
        "u1",
        "Persyaratan",
        "Requirements",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        "Do the requirements asked of you fit the service you came for?",
        _SUITABLE,
        _SUITABLE_EN,
    ),
    Unsur(
        "u2",
        "Sistem, Mekanisme, dan Prosedur",
        "Systems, mechanisms and procedures",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        "How easy is the procedure of this service to follow?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
        ("Not easy", "Not very easy", "Easy", "Very easy"),
    ),
    Unsur(
        "u3",
        "Waktu Penyelesaian",
        "Completion time",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        "How quickly were you served?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
        ("Not fast", "Not very fast", "Fast", "Very fast"),
    ),
    Unsur(
        "u4",
        "Biaya/Tarif",
        "Cost or fee",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        "How fair is the cost or fee of this service?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
        ("Very expensive", "Rather expensive", "Cheap", "Free"),
    ),
    Unsur(
        "u5",
        "Produk Spesifikasi Jenis Pelayanan",
        "What the service delivers",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam "
        "standar pelayanan dengan hasil yang diberikan?",
        "Did what you received match what the service standard promises?",
        _SUITABLE,
        _SUITABLE_EN,
    ),
    Unsur(
        "u6",
        "Kompetensi Pelaksana",
        "Officers' competence",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "How capable were the officers who served you?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
        ("Not capable", "Not very capable", "Capable", "Very capable"),
    ),
    Unsur(
        "u7",
        "Perilaku Pelaksana",
        "Officers' conduct",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan "
        "keramahan?",
        "How polite and friendly were the officers?",
        ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
        ("Rude", "Not very polite or friendly", "Polite and friendly", "Very polite and friendly"),
    ),
    Unsur(
        "u8",
        "Penanganan Pengaduan, Saran dan Masukan",
        "Handling of complaints, suggestions and feedback",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        "How are complaints from the people served handled?",
        ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
        ("There is no way to complain", "It exists but does not work", "It works, not fully", "Handled well"),
    ),
    Unsur(
        "u9",
        "Sarana dan Prasarana",
        "Facilities",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        "How good are the facilities?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
        ("Poor", "Fair", "Good", "Very good"),
    ),
)
UNSUR_CODES: tuple[str, ...] = tuple(u.code for u in UNSUR)
LOWEST, HIGHEST = 1, 4


@dataclass(frozen=True)
class Option:
    """A choice on the form's respondent section: the code stored, the words shown."""

    code: str
    label: str
    label_en: str


SEXES: tuple[Option, ...] = (Option("L", "Laki-laki", "Male"), Option("P", "Perempuan", "Female"))
EDUCATION: tuple[Option, ...] = (
    Option("SD", "SD ke bawah", "Primary school or less"),
    Option("SMP", "SMP/sederajat", "Junior secondary school"),
    Option("SMA", "SMA/SMK/sederajat", "Senior secondary school"),
    Option("DIPLOMA", "Diploma (D1-D3, D4)", "Diploma (D1-D3, D4)"),
    Option("S1", "Sarjana (S1)", "Bachelor's degree"),
    Option("S2", "Magister (S2)", "Master's degree"),
    Option("S3", "Doktor (S3)", "Doctorate"),
)
OCCUPATIONS: tuple[Option, ...] = (
    Option("PNS", "PNS", "Civil servant"),
    Option("TNI", "TNI", "Armed forces"),
    Option("POLRI", "POLRI", "Police"),
    Option("SWASTA", "Pegawai swasta", "Private employee"),
    Option("WIRAUSAHA", "Wirausaha", "Self-employed"),
    Option("PELAJAR", "Pelajar/Mahasiswa", "Student"),
    Option("LAINNYA", "Lainnya", "Other"),
)
AGE_MIN, AGE_MAX = 10, 120
SUGGESTION_MAX = 1000


def _score(code: str, value: object) -> int:
    """A score is the int 1..4. ``True`` is an int to Python but no answer on the form, and "3"
    is text the edge should have parsed: both are refused rather than guessed at."""
    if type(value) is not int or not LOWEST <= value <= HIGHEST:
        raise Invalid(
            "skm_score_invalid",
            f"Nilai unsur {code} harus 1, 2, 3, atau 4",
            f"The score for {code} must be 1, 2, 3 or 4",
            unsur=code,
        )
    return value


def _missing(code: str) -> Invalid:
    unsur = UNSUR[UNSUR_CODES.index(code)]
    return Invalid(
        "skm_answer_missing",
        f"Unsur {code} ({unsur.name}) belum dijawab",
        f"Element {code} ({unsur.name_en}) has no answer",
        unsur=code,
    )


def check_answers(scores: Mapping[str, int] | Sequence[int]) -> tuple[int, ...]:
    """The nine scores in unsur order, from ``{"u1": 4, ...}`` or a sequence of nine in order.

    Every unsur must be answered: the regulation's NRR divides each unsur's sum by the number of
    respondents, so a response missing one unsur would count in one denominator and not another.
    """
    if isinstance(scores, Mapping):
        if any(k not in UNSUR_CODES for k in scores):
            # The unknown key is not echoed back: it is whatever the client sent, of any length.
            raise Invalid(
                "skm_answer_unknown",
                "Ada jawaban untuk unsur yang tidak dikenal; unsur SKM adalah u1 sampai u9",
                "An answer names an unknown element; the survey's elements are u1 to u9",
            )
        for code in UNSUR_CODES:
            if code not in scores:
                raise _missing(code)
        return tuple(_score(code, scores[code]) for code in UNSUR_CODES)
    if isinstance(scores, Sequence) and not isinstance(scores, str | bytes):
        if len(scores) < len(UNSUR):
            raise _missing(UNSUR_CODES[len(scores)])
        if len(scores) > len(UNSUR):
            raise Invalid(
                "skm_answer_unknown",
                f"Ada {len(scores)} jawaban, padahal unsur SKM hanya {len(UNSUR)}",
                f"{len(scores)} answers given; the survey has {len(UNSUR)} elements",
            )
        return tuple(_score(code, value) for code, value in zip(UNSUR_CODES, scores, strict=True))
    raise Invalid(
        "skm_answers_invalid",
        "Jawaban SKM harus berupa nilai per unsur",
        "The survey's answers must be a score per element",
    )


@dataclass(frozen=True)
class Answers:
    """One respondent's nine scores in unsur order, checked on construction: an ``Answers`` that
    exists is a valid response."""

    scores: tuple[int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "scores", check_answers(self.scores))


def _choice(field: str, value: str | None, options: tuple[Option, ...], name: str, name_en: str) -> None:
    known = tuple(o.code for o in options)
    if value is not None and (not isinstance(value, str) or value not in known):
        codes = ", ".join(known)
        raise Invalid(
            f"skm_{field}_unknown",
            f"{name} harus salah satu dari: {codes}",
            f"{name_en} must be one of: {codes}",
        )


@dataclass(frozen=True)
class Respondent:
    """What a respondent chose to tell about themselves; every field may be left empty. Age is in
    whole years, as the form asks ("Umur ... tahun")."""

    age: int | None = None
    sex: str | None = None
    education: str | None = None
    occupation: str | None = None
    suggestion: str | None = None

    def __post_init__(self) -> None:
        if self.age is not None and (type(self.age) is not int or not AGE_MIN <= self.age <= AGE_MAX):
            raise Invalid(
                "skm_age_invalid",
                f"Umur harus bilangan bulat {AGE_MIN} sampai {AGE_MAX} tahun",
                f"Age must be a whole number of years from {AGE_MIN} to {AGE_MAX}",
            )
        _choice("sex", self.sex, SEXES, "Jenis kelamin", "Sex")
        _choice("education", self.education, EDUCATION, "Pendidikan", "Education")
        _choice("occupation", self.occupation, OCCUPATIONS, "Pekerjaan", "Occupation")
        if self.suggestion is not None and not isinstance(self.suggestion, str):
            raise Invalid("skm_suggestion_invalid", "Saran harus berupa teks", "A suggestion is text")
        if self.suggestion is not None and len(self.suggestion) > SUGGESTION_MAX:
            raise Invalid(
                "skm_suggestion_too_long",
                f"Saran paling banyak {_number(SUGGESTION_MAX, 'id')} karakter",
                f"A suggestion is at most {_number(SUGGESTION_MAX, 'en')} characters",
            )


def check_respondent(
    *,
    age: int | None = None,
    sex: str | None = None,
    education: str | None = None,
    occupation: str | None = None,
    suggestion: str | None = None,
) -> Respondent:
    """A :class:`Respondent` from the form's fields. An empty choice counts as not given (the
    event writes "not given" as an empty string). A suggestion is trimmed, and one of only blanks
    counts as none; the length limit applies to the trimmed text."""
    if isinstance(suggestion, str):
        suggestion = suggestion.strip() or None
    return Respondent(age, sex or None, education or None, occupation or None, suggestion)


# --- The index -----------------------------------------------------------------------------------


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


def _number(n: int, lang: Lang) -> str:
    """A whole number as a reader of that language writes it: 1.200 in Indonesian, 1,200 in English."""
    return f"{n:,}".replace(",", ".") if lang == "id" else f"{n:,}"


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
        f"Baru {_number(responses, 'id')} dari minimal {_number(minimum, 'id')} responden untuk "
        f"{_number(served, 'id')} warga yang dilayani; IKM belum dapat disimpulkan",
        f"Only {_number(responses, 'en')} of the minimum {_number(minimum, 'en')} respondents for "
        f"{_number(served, 'en')} citizens served; the index cannot be concluded yet",
    )
