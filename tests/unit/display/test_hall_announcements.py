"""The hall file's `announcements` section: defaults that work, and every mistake reported with its
line, in Bahasa Indonesia and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from antre.hall.load import HallError, parse_hall
from antre.hall.model import Announcements
from antre.speech import render_call, vocabulary
from services.display.domain.wording import hall_vocabulary

KENDARI = (Path(__file__).parents[3] / "examples" / "kendari.yaml").read_text()


def without_voice() -> str:
    """Kendari's file with its `announcements` section left out."""
    kept, inside = [], False
    for line in KENDARI.splitlines():
        if line.startswith("announcements:"):
            inside = True
        elif inside and line and not line.startswith(" "):
            inside = False
        if not inside:
            kept.append(line)
    return "\n".join(kept) + "\n"


def with_voice(section: str) -> str:
    return without_voice() + section


def problems(section: str) -> list[str]:
    with pytest.raises(HallError) as caught:
        parse_hall(with_voice(section), "hall.yaml")
    return list(caught.value.problems)


def test_kendari_speaks_indonesian_and_groups_bursts() -> None:
    voice = parse_hall(KENDARI).announcements
    assert voice.languages == ("id",)
    assert voice.group_max == 3 and voice.group_lag_seconds == 15
    assert voice.message("break") is not None


def test_a_hall_without_the_section_gets_the_defaults() -> None:
    assert parse_hall(without_voice()).announcements == Announcements()


def test_english_second_and_an_agency_in_the_template() -> None:
    hall = parse_hall(
        with_voice(
            "announcements:\n"
            '  template_id: "Nomor antrean {ticket}, {agency}, silakan menuju loket {counter}"\n'
            "  languages: [id, en]\n"
        )
    )
    assert hall.announcements.languages == ("id", "en")
    words = hall_vocabulary(hall, "id")
    assert {"kependudukan", "samsat", "polresta"} <= set(words)  # the agencies' names
    assert set(vocabulary("id")) <= set(words)
    # Without {agency} in the English template, English needs no agency names.
    assert "samsat" not in hall_vocabulary(hall, "en")
    assert render_call(hall.announcements.template_id, "A-012", 3, "Samsat") == (
        "Nomor antrean A nol satu dua, Samsat, silakan menuju loket tiga"
    )


def test_mistakes_are_named_with_their_line() -> None:
    lines = without_voice().count("\n") + 1  # the line of `announcements:`
    found = problems(
        "announcements:\n"
        '  template_id: "Nomor {ticket}, silakan ke {loket}"\n'
        "  languages: [en, id]\n"
        "  group_max: 0\n"
        "  group_lag_seconds: -1\n"
        "  messages:\n"
        '    - {code: Istirahat, id: "Loket {counter} {x}"}\n'
        '    - {code: Istirahat, id: ""}\n'
    )
    text = "\n".join(found)
    assert f"hall.yaml:{lines + 1}: announcements.template_id: isian {{loket}} tidak dikenal" in text
    assert "must contain {counter}" in text
    assert f"hall.yaml:{lines + 2}: announcements.languages: harus diawali id" in text
    assert f"hall.yaml:{lines + 3}: announcements.group_max: minimal 1" in text
    assert f"hall.yaml:{lines + 4}: announcements.group_lag_seconds: tidak boleh negatif" in text
    assert "announcements.messages[0].code: hanya huruf kecil" in text
    assert "unknown placeholder {x} (allowed: {counter})" in text
    assert "announcements.messages[1].code: kode pesan 'Istirahat' ganda / duplicate message code" in text
    assert "announcements.messages[1].id: wajib diisi / field required" in text


def test_an_unknown_language_or_key_is_refused() -> None:
    text = "\n".join(problems("announcements:\n  languages: [id, fr]\n  group_maks: 2\n"))
    assert "announcements.languages[1]" in text and "'fr'" in text
    assert "group_maks" in text and "did you mean 'group_max'" in text
