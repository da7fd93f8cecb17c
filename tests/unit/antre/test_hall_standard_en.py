"""A service standard's English words: optional, one English requirement per Indonesian one."""

from __future__ import annotations

import pytest

from antre.hall.load import HallError, load_hall, parse_hall
from tests.unit.antre.test_hall_fee import HALL
from tests.unit.antre.test_hall_load import EXAMPLE

STANDARD = """\
    standard:
      requirements: [STNK asli, KTP-el asli]
      procedure: Bayar di kasir.
      en:
        requirements: {english}
        procedure: Pay at the cashier.
"""


def hall_text(english: str) -> str:
    start = HALL.index("    standard:\n")
    end = HALL.index("counters:\n")
    return HALL[:start] + STANDARD.replace("{english}", english) + HALL[end:]


def test_english_words_load_beside_the_indonesian_ones() -> None:
    service = parse_hall(hall_text("[Original STNK, Original KTP-el]")).service("pkb")

    assert service is not None
    assert service.standard.requirements == ("STNK asli", "KTP-el asli")
    assert service.standard.en.requirements == ("Original STNK", "Original KTP-el")
    assert service.standard.en.procedure == "Pay at the cashier."
    assert service.standard.en.product == ""  # left out: the page shows the Indonesian one


def test_english_requirements_must_pair_one_to_one() -> None:
    with pytest.raises(HallError) as caught:
        parse_hall(hall_text("[Original STNK]"))

    (problem,) = caught.value.problems
    assert "services[0].standard.en.requirements" in problem
    assert "1 persyaratan dalam bahasa Inggris untuk 2" in problem
    assert "1 English requirements for 2" in problem


def test_the_example_hall_gives_every_standard_in_english() -> None:
    for service in load_hall(EXAMPLE).services:
        ours, theirs = service.standard, service.standard.en
        assert len(theirs.requirements) == len(ours.requirements), service.code
        for field in ("procedure", "time_to_complete", "product", "complaints"):
            assert bool(getattr(theirs, field)) == bool(getattr(ours, field)), (service.code, field)
