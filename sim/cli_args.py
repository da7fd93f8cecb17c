"""What the twin's commands accept on the command line, each refused in Bahasa Indonesia then
English before anything is simulated: a wrong value found after a 30-second run, or as a
traceback from deep inside a worker pool, tells a hall's staff nothing."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

from antre.hall.model import WEEKDAYS, Hall

# Indonesian names are accepted too: the people who run the twin say "senin".
HARI = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
WEEKDAY_NAMES = dict(zip(WEEKDAYS, WEEKDAYS, strict=True)) | dict(zip(HARI, WEEKDAYS, strict=True))


# argparse's own verdicts, which come in English only, with the Indonesian put first.
ARGPARSE_WORDS = (
    ("the following arguments are required:", "argumen wajib belum diberikan"),
    ("unrecognized arguments:", "argumen tidak dikenal"),
    ("invalid choice:", "pilihan tidak dikenal"),
    ("expected one argument", "perlu satu nilai"),
    ("invalid int value:", "bukan bilangan bulat"),
)


class Parser(argparse.ArgumentParser):
    """argparse, with its one-line verdict in both languages, Bahasa Indonesia first. The types
    below say what is wrong in both themselves; argparse's own English verdicts get Indonesian
    put before them."""

    def error(self, message: str) -> NoReturn:
        message = message.removeprefix("argument ")
        option, _, verdict = message.partition(": ") if message.startswith("-") else ("", "", message)
        for english, indonesian in ARGPARSE_WORDS:
            if english in verdict:
                message = f"{option}: {indonesian} / {verdict}" if option else f"{indonesian} / {verdict}"
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {message}\n")


def weekday(text: str) -> str:
    name = WEEKDAY_NAMES.get(text.strip().lower().replace("'", ""))
    if name is None:
        raise argparse.ArgumentTypeError(
            f"hari tidak dikenal {text!r}; pilih salah satu: {', '.join(WEEKDAYS)} (atau senin ... minggu) "
            f"/ unknown weekday {text!r}; choose one of those"
        )
    return name


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"tanggal tidak sah {text!r}, tulis YYYY-MM-DD / invalid date {text!r}, write YYYY-MM-DD"
        ) from None


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"bukan bilangan bulat: {text!r} / not a whole number: {text!r}"
        ) from None


def replications(text: str) -> int:
    n = _integer(text)
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"paling sedikit 1 replikasi, bukan {n} (40 memberi interval yang sempit) "
            f"/ at least 1 replication, not {n} (40 gives narrow intervals)"
        )
    return n


def jobs(text: str) -> int:
    n = _integer(text)
    if n < 0:
        raise argparse.ArgumentTypeError(
            f"jumlah proses tidak boleh negatif: {n} (0: satu per inti CPU) "
            f"/ worker processes cannot be negative: {n} (0: one per CPU core)"
        )
    return n


def minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(
            f"menit harus angka lebih dari 0, bukan {text!r} / minutes must be a number above 0, not {text!r}"
        )
    return value


def likelihood(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"peluang harus di antara 0 dan 1 (mis. 0.9), bukan {text!r} "
            f"/ a likelihood must be between 0 and 1 (e.g. 0.9), not {text!r}"
        )
    return value


def file_problem(exc: OSError | UnicodeDecodeError, path: Path) -> str:
    """A file that could not be read, named, in both languages."""
    if isinstance(exc, UnicodeDecodeError):
        return f"{path}: bukan teks UTF-8 / not UTF-8 text"
    name = exc.filename or path
    if isinstance(exc, FileNotFoundError):
        return f"berkas tidak ditemukan: {name} / file not found: {name}"
    return (
        f"berkas tidak dapat dibaca: {name} ({exc.strerror}) / cannot read the file: {name} ({exc.strerror})"
    )


def output_problem(target: str | Path | None) -> str | None:
    """Why a report could not be written where asked, checked before the run rather than after."""
    if target is None or str(target) == "-":
        return None
    folder = Path(target).resolve().parent
    if not folder.is_dir():
        return f"folder tidak ada: {folder} / no such folder: {folder}"
    if Path(target).is_dir():
        return f"{target} adalah folder, bukan berkas / {target} is a folder, not a file"
    return None


def closed_problem(hall: Hall, day: dt.date) -> str | None:
    """A day the hall does not open has nothing to simulate."""
    holiday = next((h.name for h in hall.hours.holidays if h.date == day), None)
    if hall.hours.on(day) is not None and holiday is None:
        return None
    weekday = day.weekday()
    id_why, en_why = (
        (f"libur {holiday}", f"holiday {holiday}") if holiday else (HARI[weekday], WEEKDAYS[weekday])
    )
    return (
        f"{hall.name} tutup pada {day.isoformat()} ({id_why}); pilih hari buka dengan --weekday atau "
        f"--date / {hall.name} is closed on {day.isoformat()} ({en_why}); choose an open day with "
        "--weekday or --date"
    )
