"""The twin's commands refuse bad input before simulating anything: a clear line in Bahasa
Indonesia then English and exit code 2, never a traceback nor a silent empty run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim import cli_args
from sim.cli import main
from sim.demand import load_demand

DEMAND = Path(__file__).resolve().parents[3] / "examples" / "demand" / "kendari.yaml"


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """What the command said when it refused; argparse's refusals exit, ours return."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code  # type: ignore[assignment]  # argparse exits with an int
    said = capsys.readouterr()
    assert code == 2, said
    assert "Traceback" not in said.err and not said.out, said
    return said.err


def in_order(said: str, indonesian: str, english: str) -> None:
    assert indonesian in said and english in said, said
    assert said.index(indonesian) < said.index(english), said


def test_a_missing_demand_file_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "permintaan.yaml"
    said = refused(capsys, "day", str(missing))
    in_order(said, f"berkas tidak ditemukan: {missing}", f"file not found: {missing}")


def test_a_demand_file_naming_a_missing_hall_names_the_hall_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    demand = tmp_path / "demand.yaml"
    demand.write_text(DEMAND.read_text(encoding="utf-8").replace("../kendari.yaml", "nowhere.yaml"))
    said = refused(capsys, "staff", str(demand))
    in_order(said, "berkas tidak ditemukan", "file not found")
    assert "nowhere.yaml" in said


def test_an_unknown_weekday_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    said = refused(capsys, "day", str(DEMAND), "--weekday", "funday")
    in_order(said, "hari tidak dikenal 'funday'", "unknown weekday 'funday'")
    assert "monday" in said and "senin" in said


@pytest.mark.parametrize("command", ["day", "compare", "staff"])
def test_negative_jobs_are_refused_before_the_worker_pool(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """With 8 replications or more the work goes to a process pool, which failed with its own
    ValueError; the value is refused with the others now."""
    said = refused(capsys, command, str(DEMAND), "--jobs", "-1", "-n", "8")
    in_order(said, "tidak boleh negatif: -1", "cannot be negative: -1")


@pytest.mark.parametrize("n", ["0", "-3"])
@pytest.mark.parametrize("command", ["day", "cutoff"])
def test_no_replications_is_no_run(capsys: pytest.CaptureFixture[str], command: str, n: str) -> None:
    """``-n 0`` printed a table of dashes and exited 0."""
    said = refused(capsys, command, str(DEMAND), "-n", n)
    in_order(said, "paling sedikit 1 replikasi", "at least 1 replication")


@pytest.mark.parametrize(
    ("args", "indonesian", "english"),
    [
        (["--date", "2026-02-30"], "tanggal tidak sah", "invalid date"),
        (["--weekday", "minggu"], "tutup pada 2026-03-08 (minggu)", "is closed on 2026-03-08 (sunday)"),
        (["--seed", "x"], "bukan bilangan bulat", "invalid int value"),
        (["--dispatch", "lifo"], "pilihan tidak dikenal", "invalid choice"),
        (["--html", "/nowhere/report.html"], "folder tidak ada: /nowhere", "no such folder: /nowhere"),
    ],
)
def test_other_bad_input_is_refused_in_both_languages(
    capsys: pytest.CaptureFixture[str], args: list[str], indonesian: str, english: str
) -> None:
    said = refused(capsys, "day", str(DEMAND), *args)
    in_order(said, indonesian, english)


def test_staff_and_cutoff_refuse_targets_they_cannot_mean(capsys: pytest.CaptureFixture[str]) -> None:
    in_order(refused(capsys, "staff", str(DEMAND), "--target", "-5"), "lebih dari 0", "above 0")
    in_order(refused(capsys, "cutoff", str(DEMAND), "--level", "1.5"), "di antara 0 dan 1", "between 0 and 1")


def test_weekdays_in_either_language() -> None:
    assert cli_args.weekday("Senin") == cli_args.weekday("monday") == "monday"
    assert cli_args.weekday("jum'at") == "friday"


def test_a_holiday_is_named() -> None:
    _, hall = load_demand(DEMAND)
    holiday = hall.hours.holidays[0]  # Kendari's file lists the year's public holidays
    said = cli_args.closed_problem(hall, holiday.date)
    assert said and f"libur {holiday.name}" in said and f"holiday {holiday.name}" in said
    assert cli_args.closed_problem(hall, dt.date(2026, 3, 2)) is None  # an ordinary Monday
