"""The citizen's "your number was called" text, Indonesian first."""

from __future__ import annotations

from services.notify.domain.messages import Text, called


def test_called_names_number_counter_and_agency() -> None:
    assert called("A-012", 3, "Disdukcapil", "Civil Registry Office") == Text(
        id="Nomor antrean A-012, silakan menuju Loket 3 (Disdukcapil)",
        en="Queue number A-012, please go to Counter 3 (Civil Registry Office)",
    )


def test_english_falls_back_to_the_indonesian_agency_name() -> None:
    assert called("B-001", 12, "Bapenda").en == "Queue number B-001, please go to Counter 12 (Bapenda)"


def test_without_agency_there_are_no_brackets() -> None:
    assert called("A-012", 3).id == "Nomor antrean A-012, silakan menuju Loket 3"


def test_without_counter_the_citizen_is_told_they_were_called() -> None:
    text = called("A-012", 0, "Disdukcapil")

    assert text.id == "Nomor antrean A-012 dipanggil (Disdukcapil)"
    assert text.en == "Queue number A-012 is being called (Disdukcapil)"
