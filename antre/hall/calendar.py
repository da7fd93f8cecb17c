"""The national calendars a hall file can include (``hours.calendars``): Indonesia's public
holidays (libur nasional) and collective leave days (cuti bersama) of a year, as the yearly joint
ministerial decree (SKB 3 Menteri) sets them, kept as data in ``calendars/<name>.yaml``.

A hall closes on both unless its file says ``open_on_cuti_bersama: true`` (some halls serve on
the leave days with a reduced crew). The hall's own ``holidays`` come on top and win on a date
both name (a regional holiday, a changed decree).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from pathlib import Path

import yaml

from antre.hall.model import Holiday

FOLDER = Path(__file__).parent / "calendars"


def names() -> list[str]:
    """The calendars shipped, e.g. ``indonesia-2026``."""
    return sorted(p.stem for p in FOLDER.glob("*.yaml"))


@functools.cache
def _read(name: str) -> dict[str, list[Holiday]]:
    data = yaml.safe_load((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"))
    return {
        kind: [Holiday(dt.date.fromisoformat(str(d["date"])), str(d["name"])) for d in data.get(kind) or ()]
        for kind in ("holidays", "cuti_bersama")
    }


def days_off(calendars: Iterable[str], cuti_bersama: bool, own: Iterable[Holiday]) -> tuple[Holiday, ...]:
    """The hall's closed days in date order: the calendars' (with their cuti bersama when
    ``cuti_bersama``), then its own on top. Every name must be one of :func:`names`."""
    by_date: dict[dt.date, Holiday] = {}
    for name in calendars:
        found = _read(name)
        for day in [*found["holidays"], *(found["cuti_bersama"] if cuti_bersama else [])]:
            by_date.setdefault(day.date, day)
    for day in own:
        by_date[day.date] = day
    return tuple(sorted(by_date.values(), key=lambda h: h.date))
