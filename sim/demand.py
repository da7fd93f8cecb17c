"""The demand file: who comes to the hall, when, for what, how long they take and who staffs it.

One YAML document beside a hall file (see ``examples/demand/kendari.yaml``). Like the hall file it
is validated as a whole and every problem is reported at once with its line and field path, in
Bahasa Indonesia first and English second. Rates are visitors per hour; times are minutes.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pydantic
import yaml

from antre.hall.load import load_hall
from antre.hall.model import WEEKDAYS, Hall

Profile = dict[str, dict[int, float]]  # weekday or "default" -> hour (0-23) -> value
DAY_KEYS = (*WEEKDAYS, "default")
_STRICT = pydantic.ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Distribution:
    __pydantic_config__ = _STRICT  # a mistyped key is an error, not silently ignored

    """A duration in minutes. ``lognormal``: ``mean`` and ``sigma`` (sd of the log);
    ``gamma``: ``mean`` and ``cv``; ``exponential``: ``mean``; ``empirical``: observed ``values``,
    resampled as they are (a bootstrap of the recorded durations)."""

    dist: Literal["lognormal", "gamma", "exponential", "empirical"]
    mean: float = 0.0
    sigma: float = 0.5
    cv: float = 1.0
    values: tuple[float, ...] = ()


@dataclass(frozen=True)
class ServiceDemand:
    __pydantic_config__ = _STRICT  # a mistyped key is an error, not silently ignored

    arrivals: Profile  # all visitors, walk-in and booked together
    service_time: Distribution
    priority_share: float | None = None  # None: the file's default
    booking_share: float | None = None


@dataclass(frozen=True)
class Bookings:
    __pydantic_config__ = _STRICT  # a mistyped key is an error, not silently ignored

    """Booked citizens hold a slot of ``slot_minutes``; a share ``no_show`` never comes, the rest
    arrive at the slot's start plus N(0, ``punctuality_sd_minutes``) and check in on arrival."""

    share: float = 0.0
    slot_minutes: int = 15
    punctuality_sd_minutes: float = 5.0
    no_show: float = 0.0


@dataclass(frozen=True)
class Journey:
    __pydantic_config__ = _STRICT  # a mistyped key is an error, not silently ignored

    """A share of those served at ``after`` are transferred to ``then`` (same number, back of
    that queue): the multi-service visit, e.g. civil registry then regional revenue."""

    after: str
    then: str
    share: float


@dataclass(frozen=True)
class Demand:
    __pydantic_config__ = _STRICT  # a mistyped key is an error, not silently ignored

    hall: str  # the hall file, relative to the demand file
    services: dict[str, ServiceDemand]
    priority_share: float = 0.0
    bookings: Bookings = field(default_factory=Bookings)
    journeys: tuple[Journey, ...] = ()
    patience: Distribution | None = None  # None: nobody gives up
    staffing: dict[str, Profile] = field(default_factory=dict)  # agency -> counters open per hour

    def service_priority(self, code: str) -> float:
        share = self.services[code].priority_share
        return self.priority_share if share is None else share

    def service_booking(self, code: str) -> float:
        share = self.services[code].booking_share
        return self.bookings.share if share is None else share


def profile_on(profile: Profile, weekday: str) -> dict[int, float]:
    """The hourly values for a weekday: its own row, else ``default``, else nothing."""
    return profile.get(weekday, profile.get("default", {}))


class DemandError(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


class _Problems:
    def __init__(self, source: str, lines: dict[tuple[object, ...], int]) -> None:
        self.source, self.lines = source, lines
        self.found: list[tuple[int, str]] = []  # (line, problem)

    def add(self, loc: Sequence[object], indonesian: str, english: str) -> None:
        loc = tuple(loc)
        line = next((self.lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in self.lines), 1)
        path = ".".join(str(p) for p in loc)
        self.found.append(
            (line, f"{self.source}:{line}: {path + ': ' if path else ''}{indonesian} / {english}")
        )

    def raise_any(self) -> None:
        if self.found:
            raise DemandError([text for _, text in sorted(self.found, key=lambda p: p[0])])


def _lines(node: yaml.Node, loc: tuple[object, ...], out: dict[tuple[object, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            raw = key.value
            child = (*loc, int(raw) if isinstance(raw, str) and raw.isdigit() else raw)
            out[child] = key.start_mark.line + 1
            _lines(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*loc, i)] = item.start_mark.line + 1
            _lines(item, (*loc, i), out)


@functools.cache
def _adapter() -> pydantic.TypeAdapter[Demand]:
    return pydantic.TypeAdapter(Demand)


def parse_demand(text: str, source: str = "<demand>") -> Demand:
    """Validate the document's types; :func:`check_demand` then checks it against its hall."""
    lines: dict[tuple[object, ...], int] = {(): 1}
    problems = _Problems(source, lines)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        lines[("yaml",)] = mark.line + 1 if mark else 1
        problems.add(("yaml",), f"YAML tidak sah: {exc.problem}", f"invalid YAML: {exc.problem}")
        problems.raise_any()
        raise AssertionError from exc  # unreachable: raise_any raised
    if node is not None:
        _lines(node, (), lines)
    if not isinstance(data, dict):
        problems.add((), "dokumen harus berupa mapping", "the document must be a mapping")
        problems.raise_any()
    try:
        return _adapter().validate_python(data)
    except pydantic.ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = [p for p in error["loc"] if p not in ("[key]",)]
            if error["type"] == "missing":
                problems.add(loc, "wajib diisi", "field required")
            elif error["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
                problems.add(loc, "kunci tidak dikenal", "unknown key")
            else:
                problems.add(loc, f"nilai tidak sah ({error['input']!r})", error["msg"])
        problems.raise_any()
        raise AssertionError from exc


def check_demand(demand: Demand, hall: Hall, source: str = "<demand>", text: str = "") -> None:
    """The rules types cannot say: codes that exist in the hall, shares between 0 and 1, sane
    distributions and staffing within the counters each agency has."""
    lines: dict[tuple[object, ...], int] = {(): 1}
    node = yaml.compose(text, Loader=yaml.SafeLoader) if text else None
    if node is not None:  # None: a document of comments alone
        _lines(node, (), lines)
    p = _Problems(source, lines)
    services = {s.code for s in hall.services}
    for code, sd in demand.services.items():
        if code not in services:
            p.add(
                ("services", code), f"layanan {code!r} tidak ada di aula", f"service {code!r} not in the hall"
            )
        _check_profile(p, ("services", code, "arrivals"), sd.arrivals, upper=None)
        _check_dist(p, ("services", code, "service_time"), sd.service_time)
        for name in ("priority_share", "booking_share"):
            _share(p, ("services", code, name), getattr(sd, name))
    _share(p, ("priority_share",), demand.priority_share)
    _share(p, ("bookings", "share"), demand.bookings.share)
    _share(p, ("bookings", "no_show"), demand.bookings.no_show)
    if demand.bookings.slot_minutes <= 0:
        p.add(("bookings", "slot_minutes"), "harus lebih dari 0", "must be more than 0")
    if demand.bookings.punctuality_sd_minutes < 0:
        p.add(("bookings", "punctuality_sd_minutes"), "tidak boleh negatif", "must not be negative")
    if demand.patience is not None:
        _check_dist(p, ("patience",), demand.patience)
    for i, j in enumerate(demand.journeys):
        for name in ("after", "then"):
            if getattr(j, name) not in demand.services:
                p.add(("journeys", i, name), "layanan tidak ada di permintaan", "service not in the demand")
        if j.after == j.then:
            p.add(("journeys", i), "layanan tujuan sama dengan asal", "a journey cannot loop to itself")
        _share(p, ("journeys", i, "share"), j.share)
    for agency, profile in demand.staffing.items():
        if hall.agency(agency) is None:
            p.add(("staffing", agency), f"instansi {agency!r} tidak dikenal", f"unknown agency {agency!r}")
            continue
        _check_profile(p, ("staffing", agency), profile, upper=len(agency_counters(hall, agency)))
    p.raise_any()


def agency_counters(hall: Hall, agency: str) -> list[int]:
    """The counters staffed by an agency: those whose first service is the agency's."""
    by_code = {s.code: s.agency for s in hall.services}
    return [c.number for c in hall.counters if c.services and by_code.get(c.services[0]) == agency]


def opening_order(hall: Hall, agency: str) -> list[int]:
    """The agency's counters in the order a plan of ``k`` open counters opens them: each next one
    the counter that adds the most to its services' coverage (a service counts 1 / (1 + counters
    already open for it)), the lower number on a tie. Two of Kendari's six civil-registry counters
    are then 6 and 3, which serve five of its six services, not 1 and 2, which serve only ID cards
    and would leave family cards and certificates with no counter at all."""
    left = [c for c in hall.counters if c.number in set(agency_counters(hall, agency))]
    open_for: dict[str, int] = {}
    order: list[int] = []
    while left:
        best = max(left, key=lambda c: (sum(1 / (1 + open_for.get(s, 0)) for s in c.services), -c.number))
        left.remove(best)
        order.append(best.number)
        for code in best.services:
            open_for[code] = open_for.get(code, 0) + 1
    return order


def _share(p: _Problems, loc: tuple[object, ...], value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1.0:
        p.add(loc, "harus antara 0 dan 1", "must be between 0 and 1")


def _check_profile(p: _Problems, loc: tuple[object, ...], profile: Profile, upper: int | None) -> None:
    for day, hours in profile.items():
        if day not in DAY_KEYS:
            p.add((*loc, day), "hari tidak dikenal (monday..sunday, default)", "unknown day")
        for hour, value in hours.items():
            if not 0 <= hour <= 23:
                p.add((*loc, day, hour), "jam harus 0-23", "hour must be 0-23")
            if value < 0:
                p.add((*loc, day, hour), "tidak boleh negatif", "must not be negative")
            elif upper is not None and value > upper:
                p.add(
                    (*loc, day, hour), f"melebihi {upper} loket yang ada", f"more than the {upper} counters"
                )


def _check_dist(p: _Problems, loc: tuple[object, ...], d: Distribution) -> None:
    if d.dist == "empirical":
        if not d.values or min(d.values) <= 0:
            p.add((*loc, "values"), "perlu daftar durasi positif", "needs a list of positive durations")
    elif d.mean <= 0:
        p.add((*loc, "mean"), "harus lebih dari 0 menit", "must be more than 0 minutes")
    if d.dist == "lognormal" and d.sigma <= 0:
        p.add((*loc, "sigma"), "harus lebih dari 0", "must be more than 0")
    if d.dist == "gamma" and d.cv <= 0:
        p.add((*loc, "cv"), "harus lebih dari 0", "must be more than 0")


def load_demand(path: str | Path) -> tuple[Demand, Hall]:
    """Read a demand file and the hall file it names; raise :class:`DemandError` with every
    problem found (a broken hall file raises the hall loader's own error)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    demand = parse_demand(text, str(path))
    hall = load_hall((path.parent / demand.hall).resolve())
    check_demand(demand, hall, str(path), text)
    return demand, hall


def replace_staffing(demand: Demand, staffing: dict[str, Profile]) -> Demand:
    return dataclasses.replace(demand, staffing=staffing)
