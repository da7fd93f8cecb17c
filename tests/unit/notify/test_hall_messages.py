"""The hall file's ``messages`` section as the loader reads it: defaults when it is absent, the
example's overrides, and bilingual refusals naming the field and line of a bad template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from antre.hall.load import HallError, load_hall, parse_hall

KENDARI = Path(__file__).resolve().parents[3] / "examples" / "kendari.yaml"


def kendari_text() -> str:
    text = KENDARI.read_text(encoding="utf-8")
    return text[: text.index("\nmessages:\n")] + "\n"  # the example without its messages section


def with_messages(section: str) -> str:
    return kendari_text() + section


def problems(text: str) -> list[str]:
    with pytest.raises(HallError) as raised:
        parse_hall(text, source="kendari.yaml")
    return list(raised.value.problems)


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_a_hall_file_without_messages_still_loads_with_the_defaults() -> None:
    hall = parse_hall(kendari_text())

    assert hall.messages.templates.called.id == ""
    assert (hall.messages.quiet_start, hall.messages.quiet_end) == (dt.time(21), dt.time(7))
    assert hall.messages.reminder_at == dt.time(16)


def test_the_example_overrides_the_call_and_the_footer() -> None:
    hall = load_hall(KENDARI)

    assert hall.messages.templates.called.id.startswith(
        "Nomor antrean {number}, silakan menuju Loket {counter}"
    )
    assert "{stop}" in hall.messages.templates.footer.en
    assert hall.messages.templates.reminder.id == ""


def test_an_unknown_placeholder_is_named_with_its_field_and_line_in_both_languages() -> None:
    text = with_messages(
        "messages:\n  templates:\n    called:\n      id: 'Nomor {number} ke loket {loket}'\n"
    )

    [problem] = problems(text)

    line = line_of(text, "      id: 'Nomor {number} ke loket {loket}'")
    assert problem == (
        f"kendari.yaml:{line}: messages.templates.called.id: isian {{loket}} tidak dikenal (yang boleh: "
        "{agency}, {counter}, {hall}, {number}, {service}) / unknown placeholder {loket} (allowed: "
        "{agency}, {counter}, {hall}, {number}, {service})"
    )


def test_placeholders_are_per_kind() -> None:
    # {code} belongs to booking messages, not to the call.
    text = with_messages("messages:\n  templates:\n    called:\n      en: 'Booking {code}'\n")

    assert "unknown placeholder {code}" in problems(text)[0]


def test_formats_attributes_and_broken_braces_are_refused() -> None:
    text = with_messages(
        "messages:\n  templates:\n"
        "    turn_near:\n      id: '{number!r} {ahead:>3}'\n      en: '{number.__class__}'\n"
        "    survey:\n      id: 'Isi survei {survey'\n"
    )

    found = problems(text)

    assert any("turn_near.id: tulis {number} tanpa format" in p for p in found)
    assert any("turn_near.id: tulis {ahead} tanpa format" in p for p in found)
    assert any("turn_near.en: isian {number.__class__} tidak dikenal" in p for p in found)
    assert any("survey.id: kurung kurawal tidak seimbang" in p and "unbalanced braces" in p for p in found)


def test_the_footer_must_say_how_to_stop() -> None:
    text = with_messages("messages:\n  templates:\n    footer:\n      id: 'Pesan otomatis {hall}'\n")

    [problem] = problems(text)

    assert "messages.templates.footer.id: harus memuat {stop}" in problem
    assert "must contain {stop}" in problem


def test_a_misspelt_message_kind_is_refused_with_a_suggestion() -> None:
    text = with_messages("messages:\n  templates:\n    remnder:\n      id: 'x'\n")

    [problem] = problems(text)

    assert "messages.templates.remnder: kunci 'remnder' tidak dikenal (maksud Anda 'reminder'?)" in problem


def test_reminders_may_not_be_due_in_quiet_hours() -> None:
    text = with_messages("messages:\n  quiet_start: 20:00\n  quiet_end: 6:00\n  reminder_at: 20:30\n")

    [problem] = problems(text)

    assert problem.endswith(
        "messages.reminder_at: 20:30 jatuh di jam tenang 20:00-06:00"
        " / 20:30 falls in the quiet hours 20:00-06:00"
    )
    assert f"kendari.yaml:{line_of(text, '  reminder_at: 20:30')}:" in problem
