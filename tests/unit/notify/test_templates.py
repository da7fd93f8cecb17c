"""Citizens' words: the built-in texts in both languages, the hall file's overrides, placeholders,
dates and sessions as citizens read them. Pure."""

from __future__ import annotations

import dataclasses
import datetime as dt
import string
from pathlib import Path

import pytest

from antre.hall.load import load_hall
from antre.hall.model import TEMPLATE_PLACEHOLDERS, Hall, Template, Templates
from services.notify.domain import citizens, templates
from services.notify.domain.citizens import Contact

KENDARI = Path(__file__).resolve().parents[3] / "examples" / "kendari.yaml"
SESSION = dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC)  # Tuesday 08:00 WITA
STOP = "https://mpp.example/berhenti"


@pytest.fixture(scope="module")
def hall() -> Hall:
    return load_hall(KENDARI)


def booked(language: str = "id") -> Contact:
    made = citizens.new_contact(
        booking_id="bk-1",
        agency="dukcapil",
        service="ktp-el",
        code="KDI-7Q4M",
        day="2026-03-03",
        session_start=SESSION,
        session_end=SESSION + dt.timedelta(hours=1),
        phone="0812-3456-7890",
        email="",
        language_code=language,
        now=SESSION - dt.timedelta(days=1),
        timezone="Asia/Makassar",
        retention_days=3,
        available=("whatsapp",),
    )
    assert made is not None
    return dataclasses.replace(made, ticket_number="A-021")


@pytest.mark.parametrize("kind", sorted(templates.BUILT_IN))
@pytest.mark.parametrize("language", ["id", "en"])
def test_built_in_texts_use_only_their_kinds_placeholders(kind: str, language: str) -> None:
    text = getattr(templates.BUILT_IN[kind], language)
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    assert text
    assert names <= TEMPLATE_PLACEHOLDERS[kind]
    assert set(TEMPLATE_PLACEHOLDERS) == set(templates.BUILT_IN)


def test_the_confirmation_in_indonesian_with_the_halls_footer(hall: Hall) -> None:
    values = templates.values(hall, booked(), stop=STOP)

    text = templates.compose(hall.messages.templates, "confirmation", "id", values)

    assert text == (
        "Reservasi KTP Elektronik (perekaman, cetak, penggantian) di Mal Pelayanan Publik Kota Kendari "
        "berhasil. Kode reservasi: KDI-7Q4M. Jadwal: Selasa, 3 Maret 2026, sesi 08:00-09:00 WITA. "
        "Tunjukkan kode ini di kios atau meja bantuan untuk konfirmasi kedatangan.\n\n"
        "Pesan otomatis Mal Pelayanan Publik Kota Kendari. Berhenti menerima pesan: "
        "https://mpp.example/berhenti"
    )


def test_english_uses_english_names_of_service_and_agency(hall: Hall) -> None:
    values = templates.values(hall, booked("en"), stop=STOP, counter="2")

    text = templates.compose(hall.messages.templates, "called", "en", values)

    assert text.splitlines()[0] == (
        "Queue number A-021, please go to Counter 2 (Civil Registry Office). Have your documents ready."
    )
    assert "Tuesday, 3 March 2026" in templates.compose(hall.messages.templates, "reminder", "en", values)


def test_a_hall_without_templates_gets_the_built_in_words(hall: Hall) -> None:
    values = templates.values(hall, booked(), stop=STOP, counter="2")

    text = templates.compose(Templates(), "called", "id", values)

    assert text == (
        "Nomor antrean A-021, silakan menuju Loket 2 (Dinas Kependudukan dan Pencatatan Sipil).\n\n"
        "Berhenti menerima pesan ini: https://mpp.example/berhenti"
    )


def test_an_override_of_one_language_keeps_the_other_built_in() -> None:
    only_id = Templates(turn_near=Template(id="Siap-siap, {number}! {{{ahead}}} lagi"))

    assert templates.text_for(only_id, "turn_near", "id") == "Siap-siap, {number}! {{{ahead}}} lagi"
    assert templates.text_for(only_id, "turn_near", "en") == templates.BUILT_IN["turn_near"].en
    assert templates.render("Siap-siap, {number}! {{{ahead}}} lagi", {"number": "A-021", "ahead": "2"}) == (
        "Siap-siap, A-021! {2} lagi"
    )


def test_email_subjects_name_the_hall(hall: Hall) -> None:
    values = templates.values(hall, booked(), stop=STOP)

    assert templates.subject("confirmation", "id", values) == (
        "Mal Pelayanan Publik Kota Kendari: Konfirmasi reservasi KDI-7Q4M"
    )


def test_days_and_sessions_as_citizens_read_them() -> None:
    assert templates.day_text(dt.date(2026, 8, 17), "id") == "Senin, 17 Agustus 2026"
    assert templates.day_text(dt.date(2026, 8, 17), "en") == "Monday, 17 August 2026"
    end = SESSION + dt.timedelta(hours=1)
    assert templates.session_text(SESSION, end, "Asia/Makassar") == "08:00-09:00 WITA"
    assert templates.session_text(SESSION, end, "Asia/Jakarta") == "07:00-08:00 WIB"
    assert templates.session_text(SESSION, end, "Asia/Jayapura") == "09:00-10:00 WIT"
