"""The SKM survey's form (PermenPAN-RB 14/2017): the nine unsur, answers and respondents refused
when the form could not have produced them, and a response's life (only a completed visit, a
change only within its window)."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.problems import Conflict, Invalid
from services.reports.domain.skm_form import (
    UNSUR,
    Answers,
    Respondent,
    change_deadline,
    check_answerable,
    check_answers,
    check_changeable,
    check_respondent,
    grouped,
    kept,
)
from services.reports.domain.visits import Outcome

# --- The nine unsur -------------------------------------------------------------------------------


def test_the_nine_unsur_in_the_regulations_order() -> None:
    assert [(u.code, u.name) for u in UNSUR] == [
        ("u1", "Persyaratan"),
        ("u2", "Sistem, Mekanisme, dan Prosedur"),
        ("u3", "Waktu Penyelesaian"),
        ("u4", "Biaya/Tarif"),
        ("u5", "Produk Spesifikasi Jenis Pelayanan"),
        ("u6", "Kompetensi Pelaksana"),
        ("u7", "Perilaku Pelaksana"),
        ("u8", "Penanganan Pengaduan, Saran dan Masukan"),
        ("u9", "Sarana dan Prasarana"),
    ]


def test_every_unsur_has_both_languages_and_four_answers_worst_first() -> None:
    for u in UNSUR:
        assert u.name_en and u.question.endswith("?") and u.question_en.endswith("?")
        assert len(u.answers) == len(u.answers_en) == 4
        assert all(u.answers) and all(u.answers_en)
    assert UNSUR[3].answers == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")


# --- Answers --------------------------------------------------------------------------------------

ALL_THREE = {f"u{i}": 3 for i in range(1, 10)}


def test_answers_by_code_come_back_in_unsur_order() -> None:
    given = {"u9": 1, "u8": 2, "u7": 3, "u6": 4, "u5": 1, "u4": 2, "u3": 3, "u2": 4, "u1": 1}

    assert check_answers(given) == (1, 4, 3, 2, 1, 4, 3, 2, 1)
    assert check_answers([4, 4, 4, 4, 4, 4, 4, 4, 4]) == (4,) * 9
    from_json = [1, 2, 3, 4, 1, 2, 3, 4, 1]
    assert Answers(scores=from_json).scores == (1, 2, 3, 4, 1, 2, 3, 4, 1)  # type: ignore[arg-type]  # a list, as JSON


def _refusal(scores: object) -> Invalid:
    with pytest.raises(Invalid) as refused:
        check_answers(scores)  # type: ignore[arg-type]  # deliberately wrong input
    return refused.value


def test_a_missing_unsur_is_named() -> None:
    without_u5 = {k: v for k, v in ALL_THREE.items() if k != "u5"}

    refusal = _refusal(without_u5)
    assert (refusal.code, refusal.details["unsur"]) == ("skm_answer_missing", "u5")
    assert "Produk Spesifikasi Jenis Pelayanan" in refusal.message
    assert _refusal([3] * 8).details["unsur"] == "u9"
    assert _refusal([]).details["unsur"] == "u1"


def test_an_unknown_unsur_is_refused() -> None:
    assert _refusal({**ALL_THREE, "u10": 3}).code == "skm_answer_unknown"
    assert _refusal({**ALL_THREE, "U1": 3}).code == "skm_answer_unknown"
    assert _refusal([3] * 10).code == "skm_answer_unknown"


@pytest.mark.parametrize("bad", [0, 5, -1, True, False, "3", 3.0, None])
def test_a_score_must_be_the_int_one_to_four(bad: object) -> None:
    refusal = _refusal({**ALL_THREE, "u4": bad})
    assert (refusal.code, refusal.details["unsur"]) == ("skm_score_invalid", "u4")
    assert _refusal([3, 3, 3, 3, 3, 3, 3, 3, bad]).details["unsur"] == "u9"


def test_text_is_not_a_sequence_of_scores() -> None:
    assert _refusal("333333333").code == "skm_answers_invalid"
    assert _refusal({3, 4}).code == "skm_answers_invalid"


def test_answers_cannot_be_built_invalid() -> None:
    with pytest.raises(Invalid):
        Answers(scores=(4, 4, 4, 4, 4, 4, 4, 4, 5))


# --- Respondent -----------------------------------------------------------------------------------


def test_every_respondent_field_is_optional() -> None:
    assert check_respondent() == Respondent()


def test_a_full_respondent_is_kept_and_the_suggestion_trimmed() -> None:
    r = check_respondent(
        age=34, sex="P", education="S1", occupation="WIRAUSAHA", suggestion="  Antrean rapi.  \n"
    )
    assert r == Respondent(34, "P", "S1", "WIRAUSAHA", "Antrean rapi.")
    assert check_respondent(suggestion="   ").suggestion is None


def test_an_empty_choice_is_not_given() -> None:
    assert check_respondent(sex="", education="", occupation="", suggestion="") == Respondent()


@pytest.mark.parametrize("age", [10, 120])
def test_the_age_bounds_are_allowed(age: int) -> None:
    assert check_respondent(age=age).age == age


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("age", 9, "skm_age_invalid"),
        ("age", 121, "skm_age_invalid"),
        ("age", True, "skm_age_invalid"),
        ("age", "34", "skm_age_invalid"),
        ("sex", "W", "skm_sex_unknown"),
        ("sex", "l", "skm_sex_unknown"),
        ("education", "SMK", "skm_education_unknown"),
        ("occupation", "ASN", "skm_occupation_unknown"),
        ("occupation", ["PNS"], "skm_occupation_unknown"),
        ("suggestion", "x" * 1001, "skm_suggestion_too_long"),
        ("suggestion", 42, "skm_suggestion_invalid"),
    ],
)
def test_a_field_the_form_cannot_produce_is_refused(field: str, value: object, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_respondent(**{field: value})  # type: ignore[arg-type]  # deliberately wrong input
    assert refused.value.code == code
    assert refused.value.message and refused.value.message_en


def test_a_suggestion_of_exactly_the_limit_is_kept() -> None:
    assert check_respondent(suggestion="y" * 1000).suggestion == "y" * 1000
    # Trimmed first: 1000 characters and the spaces around them fit.
    assert check_respondent(suggestion=" " + "y" * 1000 + " ").suggestion == "y" * 1000


# --- A response's life ----------------------------------------------------------------------------

FIRST = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(minutes=30)


def test_only_a_completed_visit_is_surveyed() -> None:
    check_answerable(Outcome.SERVED)
    for outcome in set(Outcome) - {Outcome.SERVED}:
        with pytest.raises(Conflict) as refused:
            check_answerable(outcome)
        assert refused.value.code == "survey_visit_not_completed"


def test_a_first_answer_is_always_taken() -> None:
    check_changeable(None, FIRST + dt.timedelta(days=300), WINDOW)


def test_a_change_is_taken_until_the_window_after_the_first_answer_ends() -> None:
    assert change_deadline(FIRST, WINDOW) == FIRST + WINDOW
    check_changeable(FIRST, FIRST, WINDOW)
    check_changeable(FIRST, FIRST + WINDOW - dt.timedelta(microseconds=1), WINDOW)
    for late in (FIRST + WINDOW, FIRST + WINDOW + dt.timedelta(hours=5)):
        with pytest.raises(Conflict) as refused:
            check_changeable(FIRST, late, WINDOW)
        assert refused.value.code == "survey_final" and "sudah final" in refused.value.message


def test_no_window_makes_the_first_answer_final() -> None:
    with pytest.raises(Conflict):
        check_changeable(FIRST, FIRST, dt.timedelta(0))


def test_a_change_keeps_the_respondent_fields_it_leaves_empty() -> None:
    before = Respondent(34, "P", "S1", "WIRAUSAHA", "Antrean rapi.")

    assert kept(None, Respondent(sex="L")) == Respondent(sex="L")
    assert kept(before, Respondent()) == before
    assert kept(before, Respondent(age=35, occupation="PNS")) == Respondent(
        35, "P", "S1", "PNS", "Antrean rapi."
    )


def test_numbers_are_grouped_as_each_language_writes_them() -> None:
    assert (grouped(1200, "id"), grouped(1200, "en"), grouped(999, "id")) == ("1.200", "1,200", "999")
