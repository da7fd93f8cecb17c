"""NIK structure, masking and the keyed hash stores keep instead of the number.

Example NIKs are made up: region 74.71.01 is a district of Kota Kendari (Sulawesi Tenggara)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from antre.problems import Invalid
from services.ticketing.domain.nik import PROVINCES, Nik, mask, nik_key, parse_nik

TODAY = dt.date(2026, 11, 30)
SECRET = b"k" * 32


@pytest.mark.parametrize(
    ("text", "born", "female", "case"),
    [
        ("7471010512900001", dt.date(1990, 12, 5), False, "man born 5 Dec 1990"),
        ("7471014512900002", dt.date(1990, 12, 5), True, "woman: day + 40"),
        ("7471017101000001", dt.date(2000, 1, 31), True, "woman born on the 31st: day 71"),
        ("7471014101000001", dt.date(2000, 1, 1), True, "woman born on the 1st: day 41"),
        ("7471012902000001", dt.date(2000, 2, 29), False, "29 Feb in a leap year"),
        ("7471011503200001", dt.date(2020, 3, 15), False, "a child: this century"),
        ("7471013011260001", dt.date(2026, 11, 30), False, "born today"),
        ("7471010112260001", dt.date(1926, 12, 1), False, "later this year: last century, not the future"),
        ("74.71.01 051290 0001", dt.date(1990, 12, 5), False, "dots and spaces as typed"),
        ("7471-0105-1290-0001", dt.date(1990, 12, 5), False, "dashes as typed"),
        ("9501011507850003", dt.date(1985, 7, 15), False, "Papua Pegunungan, a 2022 province"),
    ],
)
def test_a_valid_nik_is_read(text: str, born: dt.date, female: bool, case: str) -> None:
    nik = parse_nik(text, TODAY)
    assert (nik.birth_date, nik.female) == (born, female), case
    assert nik.birth_date <= TODAY
    assert nik.digits == "".join(c for c in text if c.isdigit())


def test_the_parts_of_a_nik() -> None:
    nik = parse_nik("7471014512900002", TODAY)
    assert nik == Nik(region="747101", birth_date=dt.date(1990, 12, 5), female=True, serial="0002")
    assert nik.province == "74" and PROVINCES[nik.province] == "Sulawesi Tenggara"


@pytest.mark.parametrize(
    ("text", "code", "case"),
    [
        ("747101051290001", "nik_length", "15 digits"),
        ("74710105129000011", "nik_length", "17 digits"),
        ("", "nik_length", "empty"),
        ("74710105129O0001", "nik_not_digits", "letter O for a zero"),
        ("NIK7471010512900", "nik_not_digits", "letters"),
        ("７４７１０１０５１２９００００１", "nik_not_digits", "full-width digits"),
        ("9901010512900001", "nik_region", "province 99 does not exist"),
        ("2001010512900001", "nik_region", "province 20 does not exist"),
        ("5401010512900001", "nik_region", "54 (East Timor) issues no NIK"),
        ("7400010512900001", "nik_region", "regency 00"),
        ("7471000512900001", "nik_region", "district 00"),
        ("7471013102900001", "nik_birth_date", "31 February"),
        ("7471013201900001", "nik_birth_date", "day 32"),
        ("7471014001900001", "nik_birth_date", "day 40: neither a man's nor a woman's"),
        ("7471017201900001", "nik_birth_date", "day 72: a woman's 32nd"),
        ("7471010001900001", "nik_birth_date", "day 00"),
        ("7471010513900001", "nik_birth_date", "month 13"),
        ("7471012902010001", "nik_birth_date", "29 Feb 2001 and 1901: no leap year"),
        ("7471010512900000", "nik_serial", "serial 0000"),
    ],
)
def test_an_invalid_nik_is_refused_naming_the_problem(text: str, code: str, case: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_nik(text, TODAY)
    assert refused.value.code == code, case
    assert refused.value.message and refused.value.message_en


def test_a_birth_date_that_exists_only_in_the_future_is_refused() -> None:
    """Two digits of year leave two centuries; a date valid in neither past one is in the future:
    on 15 January 2000, 29-02-00 can only mean 29 February 2000 (1900 was no leap year)."""
    with pytest.raises(Invalid) as refused:
        parse_nik("7471012902000001", dt.date(2000, 1, 15))
    assert refused.value.code == "nik_birth_date"
    assert "future" in refused.value.message_en and "belum terjadi" in refused.value.message
    assert parse_nik("7471012902000001", dt.date(2000, 2, 29)).birth_date == dt.date(2000, 2, 29)


def test_the_messages_name_the_wrong_part() -> None:
    with pytest.raises(Invalid) as region:
        parse_nik("9901010512900001", TODAY)
    assert "99" in region.value.message and "province" in region.value.message_en
    with pytest.raises(Invalid) as length:
        parse_nik("12345", TODAY)
    assert "16" in length.value.message and "5" in length.value.message_en


def test_every_province_code_is_two_digits_in_the_ranges_in_use() -> None:
    assert all(len(code) == 2 and code.isdigit() for code in PROVINCES)
    assert len(PROVINCES) == 38  # Indonesia's provinces since December 2022
    assert {c[0] for c in PROVINCES} == {"1", "2", "3", "5", "6", "7", "8", "9"}


# ---- never shown in full ----


def test_masking_shows_the_serial_only() -> None:
    nik = parse_nik("7471010512900001", TODAY)
    assert mask(nik) == "************0001"
    assert mask("7471 0105 1290 0001") == "************0001"
    assert mask("123") == "***"


def test_a_nik_in_a_log_line_is_masked() -> None:
    nik = parse_nik("7471010512900001", TODAY)
    assert "7471010512900001" not in repr(nik)
    assert "7471010512900001" not in f"{nik}"
    assert "************0001" in repr(nik)


# ---- stored as a keyed hash ----


def test_the_stored_key_is_hmac_sha256_under_a_secret() -> None:
    nik = parse_nik("7471010512900001", TODAY)
    key = nik_key(nik, SECRET)
    assert key == hmac.new(SECRET, b"7471010512900001", hashlib.sha256).hexdigest()
    assert len(key) == 64 and "7471010512900001" not in key


def test_the_same_nik_gives_the_same_key_however_typed() -> None:
    """So a store can enforce one active booking per NIK and count its no-shows."""
    nik = parse_nik("7471010512900001", TODAY)
    assert nik_key(nik, SECRET) == nik_key("7471 0105 1290 0001", SECRET) == nik_key(nik.digits, SECRET)
    assert nik_key(nik, SECRET) != nik_key("7471010512900002", SECRET)


def test_without_the_secret_a_leaked_key_matches_no_guess() -> None:
    nik = parse_nik("7471010512900001", TODAY)
    leaked = nik_key(nik, SECRET)
    assert leaked != hashlib.sha256(b"7471010512900001").hexdigest()
    assert leaked != nik_key(nik, b"another secret of 32 bytes......")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        nik_key("7471010512900001", b"short")
