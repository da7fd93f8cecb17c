"""The SKM survey's form (*Survei Kepuasan Masyarakat*, PermenPAN-RB No. 14 Tahun 2017) as a
citizen fills it in: the nine unsur with their questions and four answers each, what a respondent
may tell about themselves, the checks that refuse what the form could not have produced, and how
long a response stays open to change.

The index computed from the responses lives in :mod:`.skm`; this module is what the survey page,
the tablet and the route that stores an answer share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from antre.problems import Conflict, Invalid
from services.reports.domain.visits import Outcome

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
                f"Saran paling banyak {grouped(SUGGESTION_MAX, 'id')} karakter",
                f"A suggestion is at most {grouped(SUGGESTION_MAX, 'en')} characters",
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


def kept(before: Respondent | None, given: Respondent) -> Respondent:
    """The respondent of a changed response: a field given replaces, one left empty keeps what was
    given before. The survey never shows a respondent's fields back (whoever holds the ticket
    could read them), so a change form starts them empty and must not erase them by that."""
    if before is None:
        return given
    return Respondent(
        given.age if given.age is not None else before.age,
        given.sex or before.sex,
        given.education or before.education,
        given.occupation or before.occupation,
        given.suggestion or before.suggestion,
    )


def grouped(n: int, lang: Lang) -> str:
    """A whole number as a reader of that language writes it: 1.200 in Indonesian, 1,200 in English."""
    return f"{n:,}".replace(",", ".") if lang == "id" else f"{n:,}"


# --- A response's life ---------------------------------------------------------------------------


def check_answerable(outcome: Outcome) -> None:
    """Only a completed visit is surveyed: the regulation asks those who received the service, and
    a no-show or a cancelled ticket has no service to rate."""
    if outcome != Outcome.SERVED:
        raise Conflict(
            "survey_visit_not_completed",
            "Survei hanya untuk layanan yang sudah selesai",
            "The survey is only for a completed service",
        )


def change_deadline(answered_at: dt.datetime, window: dt.timedelta) -> dt.datetime:
    """Until when a response may be changed: ``window`` after its first answer (a change does not
    extend it, or a response would never become final)."""
    return answered_at + window


def check_changeable(answered_at: dt.datetime | None, now: dt.datetime, window: dt.timedelta) -> None:
    """A first answer is always taken; a change only before :func:`change_deadline`. After it the
    response is final: a figure already reported must not move under its readers."""
    if answered_at is not None and now >= change_deadline(answered_at, window):
        raise Conflict(
            "survey_final",
            "Jawaban survei sudah final dan tidak dapat diubah lagi",
            "The survey's answers are final and can no longer be changed",
        )


# A counter's tablet offers the survey of the visit it completed last, for this long: a citizen
# still at the counter, not one who left a quarter of an hour ago (whose answer someone else
# would give).
TABLET_WINDOW = dt.timedelta(minutes=15)
