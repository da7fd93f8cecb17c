"""Reading a hall document: YAML in, a validated :class:`~antre.hall.model.Hall` out.

This module owns the hall file's rules beyond its types (unique codes, references that must exist,
hours that make sense) and the way problems are reported: all of them at once, each with the YAML
line and the field path, in Bahasa Indonesia first and English second, because the person fixing
the file is a hall administrator, not the engineer who wrote the schema.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import re
import string
import types
import typing
import zoneinfo
from collections.abc import Collection, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic
import yaml
from pydantic_core import ErrorDetails

from antre.events import SUFFIXES
from antre.hall import calendar
from antre.hall import model as hall_model
from antre.hall.model import WEEKDAYS, Booking, Hall

Loc = tuple[str | int, ...]

# Every event a webhook may ask for: the subjects' entity.event suffixes.
WEBHOOK_EVENTS = frozenset(SUFFIXES.values())
_TOKEN = re.compile(r"[a-z0-9][a-z0-9_-]*")  # one NATS subject token: no dots, spaces or wildcards
_PREFIX = re.compile(r"[A-Z]{1,2}")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-9_]*)+(?:\.[0-9_]*)?$")


class HallError(ValueError):
    """A hall document that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


class _HallLoader(yaml.SafeLoader):
    """SafeLoader that keeps ``8:00`` the text of a clock time instead of YAML 1.1's base-60 integer
    480 (which pydantic would happily take as 480 seconds, 00:08). Dates stay text too, so that a
    bad date is reported by the validator with its field path instead of crashing the constructor."""


_HallLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "-+0123456789":  # first in line, so that it wins over the sexagesimal int and float
    _HallLoader.yaml_implicit_resolvers[_first].insert(0, ("tag:yaml.org,2002:str", _SEXAGESIMAL))


def _str(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    text = str(loader.construct_scalar(node))
    # pydantic wants HH:MM; people write 8:00, quoted or not.
    return "0" + text if re.fullmatch(r"[0-9]:[0-5][0-9](?::[0-5][0-9])?", text) else text


_HallLoader.add_constructor("tag:yaml.org,2002:str", _str)


class _Report:
    """Problems found so far, and the line of every key and item to pin them to."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[Loc, int] = {(): 1}
        self.problems: list[tuple[int, str]] = []

    def add(self, loc: Loc, indonesian: str, english: str, line: int | None = None) -> None:
        if line is None:
            # A missing or defaulted field has no line of its own: use its nearest written parent.
            line = next(self.lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in self.lines)
        where = f"{_path(loc)}: " if loc else ""
        self.problems.append((line, f"{self.source}:{line}: {where}{indonesian} / {english}"))

    def error(self) -> HallError:
        return HallError([text for _, text in sorted(self.problems, key=lambda p: p[0])])


def read_document(text: str) -> object:
    """The YAML of a hall file as plain data, with clock times kept as text (for tools that edit
    a hall file programmatically and dump it again)."""
    return yaml.load(text, Loader=_HallLoader)  # a SafeLoader subclass: no arbitrary objects


def load_hall(path: str | Path) -> Hall:
    """Read and validate a hall file; an unreadable file raises :class:`OSError` as usual."""
    return parse_hall(Path(path).read_text(encoding="utf-8"), source=str(path))


def parse_hall(text: str, source: str = "<hall>") -> Hall:
    """Validate a hall document, raising :class:`HallError` that lists every problem found."""
    report = _Report(source)
    data: object = None
    loader = _HallLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            report.add((), "dokumen kosong", "the document is empty")
        elif not isinstance(node, yaml.MappingNode):
            line = node.start_mark.line + 1
            report.add((), "dokumen harus berupa mapping", "the document must be a mapping", line)
        else:
            _record_lines(node, (), report, set())
            data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        report.add((), f"YAML tidak sah: {problem}", f"invalid YAML: {problem}", line)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise report.error()

    data = _check_shape(data, Hall, (), report)  # its problems wait: pydantic may find more
    try:
        hall = _adapter().validate_python(data)
    except pydantic.ValidationError as exc:
        for error in exc.errors(include_url=False):
            report.add(tuple(error["loc"]), *_describe(error))
        raise report.error() from None
    _cross_check(hall, report)  # needs typed values, so only once the types are right
    if report.problems:
        raise report.error()
    hours = hall.hours
    if hours.calendars:
        days_off = calendar.days_off(hours.calendars, not hours.open_on_cuti_bersama, hours.holidays)
        hall = dataclasses.replace(hall, hours=dataclasses.replace(hours, holidays=days_off))
    return hall


@functools.cache
def _adapter() -> pydantic.TypeAdapter[Hall]:
    return pydantic.TypeAdapter(Hall)


def _path(loc: Loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _record_lines(node: yaml.Node, loc: Loc, report: _Report, active: set[int]) -> None:
    if id(node) in active:  # a recursive alias; the validator will reject the value itself
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue
            child = (*loc, key.value)
            line = key.start_mark.line + 1
            if child in report.lines:  # PyYAML silently keeps the last of two equal keys
                report.add(child, "kunci ganda", "duplicate key", line)
            report.lines[child] = line
            _record_lines(value, child, report, active)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            report.lines[(*loc, index)] = item.start_mark.line + 1
            _record_lines(item, (*loc, index), report, active)
    active.discard(id(node))


def _check_shape(data: object, hint: object, loc: Loc, report: _Report) -> object:
    """Report unknown (mistyped) keys, which pydantic would ignore, and return the data with
    numbers turned to text where a time or date belongs: pydantic would read 800 as 800 seconds
    after midnight, UTC; as text it is rejected with its field path."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        for arg in typing.get_args(hint):
            if dataclasses.is_dataclass(arg):
                data = _check_shape(data, arg, loc, report)
    elif typing.get_origin(hint) is tuple and isinstance(data, list):
        return [
            _check_shape(item, typing.get_args(hint)[0], (*loc, i), report) for i, item in enumerate(data)
        ]
    elif isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(data, dict):
        hints = _hints(hint)
        for key in data:
            _known(report, (*loc, key), key, hints, ("kunci", "key"))
        return {k: _check_shape(v, hints[k], (*loc, k), report) if k in hints else v for k, v in data.items()}
    elif hint in (dt.time, dt.date) and isinstance(data, int | float):
        return str(data)
    return data


@functools.cache
def _hints(cls: type) -> dict[str, object]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {name: hint for name, hint in typing.get_type_hints(cls).items() if name in names}


_INDONESIAN = {  # by the first word of pydantic's error type
    "string": "harus berupa teks",
    "int": "harus bilangan bulat",
    "float": "harus bilangan",
    "bool": "harus true atau false",
    "time": "harus jam berformat HH:MM",
    "date": "harus tanggal berformat YYYY-MM-DD",
    "tuple": "harus berupa daftar",
    "dataclass": "harus berupa mapping (kunci: nilai)",
}


def _describe(error: ErrorDetails) -> tuple[str, str]:
    if error["type"] == "missing":
        return "wajib diisi", "field required"
    if error["type"] == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        indonesian = "harus salah satu dari " + expected.replace(" or ", " atau ")
    else:
        indonesian = _INDONESIAN.get(error["type"].split("_")[0], "nilai tidak sah")
    value = error["input"]
    shown = repr(value) if isinstance(value, str | int | float | bool | None) else type(value).__name__
    return f"{indonesian}, bukan {shown}", f"{error['msg']}, got {shown}"


def _known(
    report: _Report, loc: Loc, value: object, known: Collection[object], what: tuple[str, str]
) -> None:
    if value in known:
        return
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=1)
    maybe = (f" (maksud Anda '{close[0]}'?)", f" (did you mean '{close[0]}'?)") if close else ("", "")
    report.add(loc, f"{what[0]} {value!r} tidak dikenal{maybe[0]}", f"unknown {what[1]} {value!r}{maybe[1]}")


def _unique(report: _Report, section: str, items: Sequence[object], attr: str, what: tuple[str, str]) -> None:
    first: dict[object, int] = {}
    for index, item in enumerate(items):
        value = getattr(item, attr)
        if value in first:
            other = f"{section}[{first[value]}]"
            report.add(
                (section, index, attr),
                f"{what[0]} {value!r} ganda, sudah dipakai di {other}",
                f"duplicate {what[1]} {value!r}, already used by {other}",
            )
        first.setdefault(value, index)


def _token(report: _Report, loc: Loc, value: str) -> None:
    if not _TOKEN.fullmatch(value):
        report.add(loc, "hanya huruf kecil, angka, - dan _", "only lowercase letters, digits, - and _")


def _span(report: _Report, loc: Loc, start: dt.time, end: dt.time) -> None:
    if start.tzinfo or end.tzinfo:  # also: aware and naive times do not compare
        report.add(loc, "tulis tanpa zona waktu, dalam waktu setempat", "write local time, without an offset")
    elif start >= end:
        report.add(
            loc, f"{start:%H:%M} harus sebelum {end:%H:%M}", f"{start:%H:%M} must be before {end:%H:%M}"
        )


def _check_fee(report: _Report, loc: Loc, standard: hall_model.ServiceStandard) -> None:
    if standard.fee_idr < 0:
        report.add((*loc, "fee_idr"), "tidak boleh negatif", "must not be negative")
    elif standard.fee_assessed and standard.fee_idr:
        report.add(
            (*loc, "fee_assessed"),
            "biaya sesuai ketetapan tidak bisa bersama fee_idr tetap; hapus fee_idr atau fee_assessed",
            "an assessed fee cannot go with a fixed fee_idr; remove fee_idr or fee_assessed",
        )


def _check_english(report: _Report, loc: Loc, standard: hall_model.ServiceStandard) -> None:
    theirs, ours = len(standard.en.requirements), len(standard.requirements)
    if theirs and theirs != ours:  # a page pairs them one to one
        report.add(
            (*loc, "en", "requirements"),
            f"{theirs} persyaratan dalam bahasa Inggris untuk {ours} persyaratan; "
            "samakan jumlah dan urutannya",
            f"{theirs} English requirements for {ours} requirements; give one for each, in the same order",
        )


def _check_booking(report: _Report, loc: Loc, booking: Booking) -> None:
    capacity = 0
    for j, session in enumerate(booking.sessions):
        _span(report, (*loc, "sessions", j), session.start, session.end)
        if session.capacity < 0:
            report.add((*loc, "sessions", j, "capacity"), "tidak boleh negatif", "must not be negative")
        capacity += session.capacity
    if not 0 <= booking.online_quota <= booking.daily_quota:
        report.add(
            (*loc, "online_quota"), "harus antara 0 dan daily_quota", "must be between 0 and daily_quota"
        )
    if booking.online_quota > capacity:
        report.add(
            (*loc, "online_quota"),
            f"melebihi kapasitas sesi ({capacity})",
            f"exceeds the sessions' capacity ({capacity})",
        )
    for name in (
        "days_ahead",
        "check_in_early_minutes",
        "check_in_late_minutes",
        "turn_near",
        "near_slot_bound_minutes",
    ):
        if getattr(booking, name) < 0:
            report.add((*loc, name), "tidak boleh negatif", "must not be negative")
    if booking.ratio < 1:
        report.add((*loc, "ratio"), "minimal 1", "at least 1")


def _cross_check(hall: Hall, report: _Report) -> None:
    zones = {z.code for z in hall.zones}
    agencies = {a.code for a in hall.agencies}
    services = {s.code for s in hall.services}
    _unique(report, "zones", hall.zones, "code", ("kode zona", "zone code"))
    _unique(report, "agencies", hall.agencies, "code", ("kode instansi", "agency code"))
    _unique(report, "services", hall.services, "code", ("kode layanan", "service code"))
    _unique(report, "services", hall.services, "prefix", ("awalan nomor", "ticket prefix"))
    _unique(report, "counters", hall.counters, "number", ("nomor loket", "counter number"))
    _unique(report, "kiosks", hall.kiosks, "id", ("id kios", "kiosk id"))

    _token(report, ("id",), hall.id)
    if hall.id == "live":  # antre.live.* carries the replicas' live notes (see antre.live)
        report.add(("id",), "'live' adalah nama cadangan", "'live' is a reserved name")
    try:
        ZoneInfo(hall.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        names = zoneinfo.available_timezones()  # only now: it scans the time zone database
        _known(report, ("timezone",), hall.timezone, names, ("zona waktu", "time zone"))

    for i, agency in enumerate(hall.agencies):
        _token(report, ("agencies", i, "code"), agency.code)
        if agency.zone:
            _known(report, ("agencies", i, "zone"), agency.zone, zones, ("zona", "zone"))
    served = {code for counter in hall.counters for code in counter.services}
    for i, service in enumerate(hall.services):
        _token(report, ("services", i, "code"), service.code)
        if not _PREFIX.fullmatch(service.prefix):
            report.add(("services", i, "prefix"), "harus 1-2 huruf besar", "must be 1-2 uppercase letters")
        _known(report, ("services", i, "agency"), service.agency, agencies, ("instansi", "agency"))
        if service.code not in served:
            report.add(("services", i), "tidak ada loket yang melayaninya", "no counter serves it")
        if service.booking is not None:
            _check_booking(report, ("services", i, "booking"), service.booking)
        _check_fee(report, ("services", i, "standard"), service.standard)
        _check_english(report, ("services", i, "standard"), service.standard)
    for i, counter in enumerate(hall.counters):
        _known(report, ("counters", i, "zone"), counter.zone, zones, ("zona", "zone"))
        if not counter.services:
            report.add(("counters", i, "services"), "loket tanpa layanan", "the counter serves no service")
        for j, code in enumerate(counter.services):
            _known(report, ("counters", i, "services", j), code, services, ("layanan", "service"))
        blends = {
            (s.booking.blend, s.booking.ratio, s.booking.near_slot_bound_minutes)
            for s in hall.services
            if s.code in counter.services and s.booking is not None
        }
        if len(blends) > 1:
            report.add(
                ("counters", i, "services"),
                "layanan dengan reservasi di satu loket harus memakai blend yang sama",
                "booking services at one counter must use the same blend",
            )

    hours = hall.hours
    for day in WEEKDAYS:
        if (span := getattr(hours, day)) is not None:
            _span(report, ("hours", day), span.open, span.close)
    for i, pause in enumerate(hours.breaks):
        _span(report, ("hours", "breaks", i), pause.start, pause.end)
    if hours.cutoff_minutes < 0:
        report.add(("hours", "cutoff_minutes"), "tidak boleh negatif", "must not be negative")
    shipped = calendar.names()
    for i, name in enumerate(hours.calendars):
        if name not in shipped:
            known = ", ".join(shipped)
            report.add(
                ("hours", "calendars", i),
                f"kalender '{name}' tidak dikenal (yang ada: {known})",
                f"unknown calendar '{name}' (there are: {known})",
            )
    if hall.queue.return_after < 0:
        report.add(("queue", "return_after"), "tidak boleh negatif", "must not be negative")

    for i, kiosk in enumerate(hall.kiosks):
        if kiosk.printer == "network" and not kiosk.printer_host:
            report.add(
                ("kiosks", i, "printer_host"), "wajib untuk printer network", "needed by a network printer"
            )
    for i, hook in enumerate(hall.webhooks):
        if hook.agency:
            _known(report, ("webhooks", i, "agency"), hook.agency, agencies, ("instansi", "agency"))
        for j, name in enumerate(hook.events):
            _known(report, ("webhooks", i, "events", j), name, WEBHOOK_EVENTS, ("peristiwa", "event"))
    _check_messages(report, hall.messages)
    _check_announcements(report, hall)


def _check_announcements(report: _Report, hall: Hall) -> None:
    """The hall's voice: templates that use only their placeholders (a call must say the ticket
    and the counter), Indonesian always spoken first, and grouping bounds that make sense."""
    voice = hall.announcements
    loc: Loc = ("announcements",)
    for name in ("template_id", "template_en"):
        names = _template_names(report, (*loc, name), getattr(voice, name), hall_model.CALL_PLACEHOLDERS)
        for needed in ("ticket", "counter"):
            if names is not None and needed not in names:
                report.add(
                    (*loc, name),
                    f"harus memuat {{{needed}}}: warga perlu mendengarnya",
                    f"must contain {{{needed}}}: citizens need to hear it",
                )
    if not voice.languages or voice.languages[0] != "id":
        report.add(
            (*loc, "languages"),
            "harus diawali id (Bahasa Indonesia), misalnya [id] atau [id, en]",
            "must start with id (Bahasa Indonesia), e.g. [id] or [id, en]",
        )
    elif len(set(voice.languages)) != len(voice.languages):
        report.add((*loc, "languages"), "bahasa ganda", "a language is listed twice")
    if voice.group_max < 1:
        report.add((*loc, "group_max"), "minimal 1 (1: tanpa pengelompokan)", "at least 1 (1: never group)")
    if voice.group_lag_seconds < 0:
        report.add((*loc, "group_lag_seconds"), "tidak boleh negatif", "must not be negative")
    seen: set[str] = set()
    for i, message in enumerate(voice.messages):
        mloc: Loc = (*loc, "messages", i)
        _token(report, (*mloc, "code"), message.code)
        if message.code in seen:
            twice = (f"kode pesan {message.code!r} ganda", f"duplicate message code {message.code!r}")
            report.add((*mloc, "code"), *twice)
        seen.add(message.code)
        if not message.id.strip():
            report.add((*mloc, "id"), "wajib diisi", "field required")
        for language in ("id", "en"):
            if text := getattr(message, language):
                _template_names(report, (*mloc, language), text, hall_model.MESSAGE_PLACEHOLDERS)


def _check_messages(report: _Report, messages: hall_model.CitizenMessages) -> None:
    """Citizen message templates may use only their kind's placeholders, written plainly; the
    footer must say how to stop; reminders must not be due in the quiet hours they would wait out."""
    for kind, allowed in hall_model.TEMPLATE_PLACEHOLDERS.items():
        template = getattr(messages.templates, kind)
        for language in ("id", "en"):
            text = getattr(template, language)
            if text:
                loc = ("messages", "templates", kind, language)
                names = _template_names(report, loc, text, allowed)
                if kind == "footer" and names is not None and "stop" not in names:
                    report.add(
                        loc,
                        "harus memuat {stop}: warga perlu tahu cara berhenti",
                        "must contain {stop}: citizens need to know how to stop",
                    )
    times = {name: getattr(messages, name) for name in ("quiet_start", "quiet_end", "reminder_at")}
    for name, moment in times.items():
        if moment.tzinfo:
            report.add(
                ("messages", name),
                "tulis tanpa zona waktu, dalam waktu setempat",
                "write local time, without an offset",
            )
    if any(moment.tzinfo for moment in times.values()):
        return
    start, end, remind = times["quiet_start"], times["quiet_end"], times["reminder_at"]
    quiet = (start <= remind or remind < end) if start > end else start <= remind < end
    if start != end and quiet:
        report.add(
            ("messages", "reminder_at"),
            f"{remind:%H:%M} jatuh di jam tenang {start:%H:%M}-{end:%H:%M}",
            f"{remind:%H:%M} falls in the quiet hours {start:%H:%M}-{end:%H:%M}",
        )


def _template_names(report: _Report, loc: Loc, text: str, allowed: frozenset[str]) -> set[str] | None:
    """The placeholders a template uses, each problem reported; None when the text cannot be read."""
    shown = ", ".join("{" + name + "}" for name in sorted(allowed))
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        report.add(
            loc,
            "kurung kurawal tidak seimbang (tulis {{ dan }} untuk kurung biasa)",
            "unbalanced braces (write {{ and }} for a literal brace)",
        )
        return None
    names: set[str] = set()
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        names.add(name)
        if name not in allowed:
            report.add(
                loc,
                f"isian {{{name}}} tidak dikenal (yang boleh: {shown})",
                f"unknown placeholder {{{name}}} (allowed: {shown})",
            )
        elif spec or conversion:
            report.add(loc, f"tulis {{{name}}} tanpa format", f"write {{{name}}} without a format")
    return names
