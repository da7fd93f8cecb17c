"""The hall loader: the Kendari example loads, and broken documents name the field and the line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from antre.hall.load import HallError, load_hall, parse_hall

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "kendari.yaml"

# Line numbers matter: the cases below edit one line each and expect it in the message.
BASE = """\
id: uji
name: MPP Uji
timezone: Asia/Makassar
zones:
  - {code: z1, name: Zona 1}
agencies:
  - {code: dukcapil, name: Disdukcapil}
services:
  - code: ktp-el
    name: KTP-el
    agency: dukcapil
    prefix: A
  - code: kk
    name: Kartu Keluarga
    agency: dukcapil
    prefix: B
counters:
  - number: 1
    name: Loket 1
    zone: z1
    services: [ktp-el, kk]
hours:
  monday: {open: 08:00, close: 15:00}
  friday:
    open: 8:00
    close: 15:30
"""


def edit(line: int, old: str, new: str) -> str:
    lines = BASE.splitlines()
    assert old in lines[line - 1], f"line {line} is {lines[line - 1]!r}"
    lines[line - 1] = lines[line - 1].replace(old, new)
    return "\n".join(lines) + "\n"


def test_base_document_is_valid() -> None:
    hall = parse_hall(BASE)

    assert [c.services for c in hall.counters] == [("ktp-el", "kk")]


def test_unquoted_single_digit_hour_is_a_clock_time() -> None:
    hall = parse_hall(BASE)

    assert hall.hours.friday is not None
    assert hall.hours.friday.open == dt.time(8, 0)


def test_quoted_single_digit_hour_is_a_clock_time_too() -> None:
    hall = parse_hall(edit(25, "8:00", '"8:00"'))

    assert hall.hours.friday is not None
    assert hall.hours.friday.open == dt.time(8, 0)


def test_kendari_example_loads() -> None:
    hall = load_hall(EXAMPLE)

    assert hall.id == "kendari"
    assert hall.timezone == "Asia/Makassar"
    assert {a.code for a in hall.agencies} >= {"dukcapil", "dpmptsp", "bapenda", "samsat", "polresta"}
    dukcapil = [c for c in hall.counters if hall.counter_agencies(c) == {"dukcapil"}]
    assert 5 <= len(dukcapil) <= 6
    skck = hall.service("skck")
    assert skck is not None and skck.standard.fee_idr == 30000
    assert hall.hours.friday is not None and hall.hours.friday.close == dt.time(15, 30)
    assert hall.hours.sunday is None
    assert [b.days for b in hall.hours.breaks] == [("friday",)]
    assert dt.date(2026, 8, 17) in {h.date for h in hall.hours.holidays}


BROKEN = {
    "unknown key": (edit(12, "prefix", "prefx"), 12, "services[0].prefx"),
    "bad time": (edit(23, "close: 15:00", "close: 25:00"), 23, "hours.monday.close"),
    "time as a number": (edit(23, "open: 08:00", "open: 800"), 23, "hours.monday.open"),
    "unknown service on a counter": (edit(21, "kk]", "xyz]"), 21, "counters[0].services[1]"),
    "duplicate prefix": (edit(16, "prefix: B", "prefix: A"), 16, "services[1].prefix"),
    "bad timezone": (edit(3, "Asia/Makassar", "Asia/Kendari"), 3, "timezone"),
    "open after close": (edit(25, "8:00", "16:00"), 24, "hours.friday"),
    "missing field": (edit(14, "name: Kartu Keluarga", "nama: Kartu Keluarga"), 13, "services[1].name"),
    "duplicate key": (edit(2, "name: MPP Uji", "id: lagi"), 2, "id"),
    "reserved hall id": (edit(1, "id: uji", "id: live"), 1, "id"),
}


@pytest.mark.parametrize(("text", "line", "path"), BROKEN.values(), ids=list(BROKEN))
def test_broken_document_names_field_and_line(text: str, line: int, path: str) -> None:
    with pytest.raises(HallError) as caught:
        parse_hall(text, source="uji.yaml")

    assert any(p.startswith(f"uji.yaml:{line}: {path}: ") for p in caught.value.problems), str(caught.value)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# a list, not a hall\n- a\n- b\n", 2),
        (edit(12, "prefix: A", "prefix: A: B"), 12),
        ("", 1),
    ],
    ids=["non-mapping top level", "invalid YAML", "empty"],
)
def test_unusable_document_names_the_line(text: str, line: int) -> None:
    with pytest.raises(HallError) as caught:
        parse_hall(text, source="uji.yaml")

    assert [p.split(": ")[0] for p in caught.value.problems] == [f"uji.yaml:{line}"]


def test_every_problem_is_listed_in_line_order_bilingually() -> None:
    text = edit(11, "dukcapil", "dukcapl").replace("prefix: B", "prefix: A")

    with pytest.raises(HallError) as caught:
        parse_hall(text, source="uji.yaml")

    assert caught.value.problems == (
        "uji.yaml:11: services[0].agency: instansi 'dukcapl' tidak dikenal (maksud Anda 'dukcapil'?)"
        " / unknown agency 'dukcapl' (did you mean 'dukcapil'?)",
        "uji.yaml:16: services[1].prefix: awalan nomor 'A' ganda, sudah dipakai di services[0]"
        " / duplicate ticket prefix 'A', already used by services[0]",
    )
    assert str(caught.value) == "\n".join(caught.value.problems)


def test_file_problems_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "hall.yaml"
    path.write_text(edit(20, "zone: z1", "zone: z11"), encoding="utf-8")

    with pytest.raises(HallError) as caught:
        load_hall(path)

    assert caught.value.problems == (
        f"{path}:20: counters[0].zone: zona 'z11' tidak dikenal (maksud Anda 'z1'?)"
        " / unknown zone 'z11' (did you mean 'z1'?)",
    )


def test_service_no_counter_serves_is_an_error() -> None:
    with pytest.raises(HallError, match=r"uji.yaml:13: services\[1\]: "):
        parse_hall(edit(21, "[ktp-el, kk]", "[ktp-el]"), source="uji.yaml")


def test_a_returned_ticket_goes_to_the_front_unless_the_hall_says_otherwise() -> None:
    assert parse_hall(BASE).queue.return_after == 0
    hall = parse_hall(BASE + "queue:\n  return_after: 3\n")
    assert hall.queue.return_after == 3


@pytest.mark.parametrize(
    ("value", "english"),
    [("-1", "must not be negative"), ("dua", "valid integer")],
    ids=["negative", "not a number"],
)
def test_a_bad_return_place_names_its_field_and_line(value: str, english: str) -> None:
    with pytest.raises(HallError) as caught:
        parse_hall(BASE + f"queue:\n  dispatch: fifo\n  return_after: {value}\n", source="uji.yaml")

    line = len(BASE.splitlines()) + 3
    problem = next((p for p in caught.value.problems if "return_after" in p), str(caught.value))
    assert problem.startswith(f"uji.yaml:{line}: queue.return_after: ") and english in problem


def test_boards_show_the_ikm_only_where_the_hall_says_so() -> None:
    assert parse_hall(BASE).boards.show_ikm is False
    assert parse_hall(BASE + "boards:\n  show_ikm: true\n").boards.show_ikm is True
    with pytest.raises(HallError) as caught:
        parse_hall(BASE + "boards:\n  show_ikn: true\n", source="uji.yaml")
    line = len(BASE.splitlines()) + 2
    assert caught.value.problems[0].startswith(f"uji.yaml:{line}: boards.show_ikn: ")
    assert "did you mean 'show_ikm'" in caught.value.problems[0]
