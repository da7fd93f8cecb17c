"""The fee of a service standard: a fixed amount, free, or assessed by law per case (taxes)."""

from __future__ import annotations

import pytest

from antre.hall.load import HallError, load_hall, parse_hall
from tests.unit.antre.test_hall_load import EXAMPLE

HALL = """\
id: uji
name: MPP Uji
timezone: Asia/Makassar
zones:
  - {code: z1, name: Zona 1}
agencies:
  - {code: samsat, name: Samsat}
services:
  - code: pkb
    name: Pajak Kendaraan
    agency: samsat
    prefix: M
    standard:
      fee_idr: {fee_idr}
      fee_assessed: {fee_assessed}
counters:
  - {number: 1, name: Loket 1, zone: z1, services: [pkb]}
hours:
  monday: {open: 08:00, close: 15:00}
"""


def hall_text(fee_idr: str, fee_assessed: str) -> str:
    return HALL.replace("{fee_idr}", fee_idr).replace("{fee_assessed}", fee_assessed)


def test_an_assessed_fee_loads() -> None:
    service = parse_hall(hall_text("0", "true")).service("pkb")

    assert service is not None
    assert service.standard.fee_assessed is True
    assert service.standard.fee_idr == 0


def test_a_fee_is_fixed_unless_the_hall_says_it_is_assessed() -> None:
    service = parse_hall(HALL.replace("      fee_assessed: {fee_assessed}\n", "").replace("{fee_idr}", "0"))

    pkb = service.service("pkb") if service is not None else None
    assert pkb is not None
    assert pkb.standard.fee_assessed is False


@pytest.mark.parametrize(
    ("fee_idr", "fee_assessed", "where", "indonesian", "english"),
    [
        ("30000", "true", ":15: services[0].standard.fee_assessed", "tidak bisa bersama", "cannot go with"),
        ("0", "kadang", ":15: services[0].standard.fee_assessed", "harus true atau false", "valid boolean"),
        ("-5000", "false", ":14: services[0].standard.fee_idr", "tidak boleh negatif", "not be negative"),
    ],
)
def test_a_bad_fee_names_its_field_and_line_in_both_languages(
    fee_idr: str, fee_assessed: str, where: str, indonesian: str, english: str
) -> None:
    with pytest.raises(HallError) as caught:
        parse_hall(hall_text(fee_idr, fee_assessed))

    (problem,) = caught.value.problems
    assert where in problem  # the fee's own line and field
    assert indonesian in problem and english in problem


def test_the_example_hall_marks_its_taxes_as_assessed() -> None:
    hall = load_hall(EXAMPLE)

    assessed = {s.code for s in hall.services if s.standard.fee_assessed}
    assert {"pkb-tahunan", "stnk-5-tahunan", "bphtb", "pbb-p2", "pajak-daerah"} <= assessed
    assert "ktp-el" not in assessed and "skck" not in assessed  # free, and a fixed PNBP
