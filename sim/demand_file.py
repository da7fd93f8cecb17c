"""A :class:`sim.demand.Demand` written back as a demand file, with comments.

The layout is the hand-written file's (``examples/demand/kendari.yaml``): flow mappings for the
small parts, one line per hour row, so a person can read and edit what a calibration wrote.
:func:`sim.demand.parse_demand` reads it back to the same demand (floats are written by ``repr``,
which round-trips exactly).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from sim.demand import Demand, Distribution, Profile

_PLAIN = re.compile(r"^[a-z][a-z0-9_-]*$")


def _key(text: str) -> str:
    # JSON strings are YAML strings too; a plain word stays plain for the reader.
    return (
        text
        if _PLAIN.match(text) and text not in ("yes", "no", "on", "off", "null", "true", "false")
        else json.dumps(text)
    )


def _num(value: float | int) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def _flow(items: Mapping[Any, object]) -> str:
    parts = []
    for k, v in items.items():
        if isinstance(v, float | int):
            text = _num(v)
        elif isinstance(v, tuple | list):
            text = "[" + ", ".join(_num(x) for x in v) + "]"
        else:
            text = _key(str(v))
        parts.append(f"{_key(str(k)) if not isinstance(k, int) else k}: {text}")
    return "{" + ", ".join(parts) + "}"


def _distribution(d: Distribution) -> str:
    if d.dist == "empirical":
        return _flow({"dist": d.dist, "values": d.values})
    if d.dist == "lognormal":
        return _flow({"dist": d.dist, "mean": d.mean, "sigma": d.sigma})
    if d.dist == "gamma":
        return _flow({"dist": d.dist, "mean": d.mean, "cv": d.cv})
    return _flow({"dist": d.dist, "mean": d.mean})


def _comment(comments: Mapping[str, str], key: str) -> str:
    return f"  # {comments[key]}" if key in comments else ""


def _profile(profile: Profile, indent: str) -> list[str]:
    return [f"{indent}{day}: {_flow(hours)}" for day, hours in profile.items()]


def dump_demand(demand: Demand, header: Sequence[str] = (), comments: Mapping[str, str] | None = None) -> str:
    """``header``: comment lines on top; ``comments``: field path -> a comment at the end of its line."""
    notes = comments or {}
    out = [
        f"# {part}" for line in header for part in textwrap.wrap(line, 100, subsequent_indent="  ") or [""]
    ]
    out += ["", f"hall: {json.dumps(demand.hall)}", ""]
    out.append(f"priority_share: {_num(demand.priority_share)}{_comment(notes, 'priority_share')}")
    names = (
        ("share", "slot_minutes", "punctuality_sd_minutes", "no_show")
        if demand.bookings.share
        else ("share",)
    )
    fields = {name: getattr(demand.bookings, name) for name in names}
    out.append(f"bookings: {_flow(fields)}{_comment(notes, 'bookings')}")
    if demand.patience is not None:
        out.append(f"patience: {_distribution(demand.patience)}")
    if demand.journeys:
        out.append("journeys:")
        for j in demand.journeys:
            item = _flow({"after": j.after, "then": j.then, "share": j.share})
            out.append(f"  - {item}{_comment(notes, f'journeys.{j.after}>{j.then}')}")
    out += ["", "services:"]
    for code, s in demand.services.items():
        out.append(f"  {_key(code)}:{_comment(notes, f'services.{code}')}")
        out.append("    arrivals:" + (" {}" if not s.arrivals else ""))
        out += _profile(s.arrivals, "      ")
        out.append(f"    service_time: {_distribution(s.service_time)}")
        for name in ("priority_share", "booking_share"):
            value = getattr(s, name)
            if value is not None:
                out.append(f"    {name}: {_num(value)}")
    if demand.staffing:
        out += ["", "staffing:"]
        for agency, profile in demand.staffing.items():
            out.append(f"  {_key(agency)}:")
            out += _profile(profile, "    ")
    return "\n".join(out) + "\n"
