"""The arbiters over in-memory logs, for the tests: the service keeps the same logs in its
database and decides through the same domain functions (``schedule``, ``plan_call``,
``plan_message``); these only number the entries and keep the logs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from services.display.domain.announcements import (
    Announcement,
    Kind,
    Part,
    Segment,
    estimate_duration,
    schedule,
)
from services.display.domain.arbiter import LOCK, Plan, Policy, Render, plan_call, plan_message


def announce(
    *,
    zone: str,
    ticket_id: str,
    number: str,
    counter: int,
    text: str,
    kind: Kind,
    now: dt.datetime,
    last_end: dt.datetime | None,
    gap: dt.timedelta,
    seq: int = 0,
    duration: dt.timedelta | None = None,
) -> Announcement:
    """The next entry of a zone's log, given where the zone's voice ends (``last_end``).
    ``duration``: how long it plays (see :func:`spoken_duration`); estimated from the text when
    not given."""
    duration = estimate_duration(text) if duration is None else duration
    return Announcement(
        seq=seq,
        zone=zone,
        ticket_id=ticket_id,
        number=number,
        counter=counter,
        text=text,
        kind=kind,
        created_at=now,
        starts_at=schedule(last_end, now, duration, gap),
        duration=duration,
    )


@dataclass
class Arbiter:
    """Every call its own slot behind the zone's last (no grouping, no messages), over in-memory
    logs. ``seq`` is hall-wide, like the database's, so it orders announcements across zones too."""

    gap: dt.timedelta
    _logs: dict[str, list[Announcement]] = field(default_factory=dict)
    _seq: int = 0

    def add(
        self,
        *,
        zone: str,
        ticket_id: str,
        number: str,
        counter: int,
        text: str,
        kind: Kind,
        now: dt.datetime,
        duration: dt.timedelta | None = None,
    ) -> Announcement:
        log = self._logs.setdefault(zone, [])
        entry = announce(
            zone=zone,
            ticket_id=ticket_id,
            number=number,
            counter=counter,
            text=text,
            kind=kind,
            now=now,
            last_end=self.last_end(zone),
            gap=self.gap,
            duration=duration,
        )
        self._seq += 1
        entry = replace(entry, seq=self._seq)
        log.append(entry)
        return entry

    def last_end(self, zone: str) -> dt.datetime | None:
        log = self._logs.get(zone)
        return log[-1].ends_at if log else None

    def log(self, zone: str) -> tuple[Announcement, ...]:
        return tuple(self._logs.get(zone, ()))

    def zones(self) -> tuple[str, ...]:
        return tuple(self._logs)


def waiting(
    standing: Sequence[Announcement], now: dt.datetime, lock: dt.timedelta = LOCK
) -> list[Announcement]:
    """The standing entries a plan may still change: those starting after ``now + lock``."""
    return [entry for entry in standing if entry.starts_at > now + lock]


@dataclass
class Voice:
    """The whole arbiter (grouping and messages) over in-memory logs. ``log(zone)`` holds every
    entry ever appended, ``standing(zone)`` those not replaced."""

    policy: Policy
    render: Render
    _logs: dict[str, list[Announcement]] = field(default_factory=dict)
    _replaced: set[int] = field(default_factory=set)
    _last_end: dict[str, dt.datetime] = field(default_factory=dict)
    _seq: int = 0

    def call(self, zone: str, part: Part, now: dt.datetime) -> Plan:
        plan = plan_call(
            zone=zone,
            part=part,
            waiting=waiting(self.standing(zone), now, self.policy.lock),
            last_end=self._last_end.get(zone),
            now=now,
            policy=self.policy,
            render=self.render,
        )
        return self._apply(zone, plan)

    def message(
        self, zone: str, text: str, segments: tuple[Segment, ...], duration: dt.timedelta, now: dt.datetime
    ) -> Plan:
        plan = plan_message(
            zone=zone,
            text=text,
            segments=segments,
            duration=duration,
            waiting=waiting(self.standing(zone), now, self.policy.lock),
            last_end=self._last_end.get(zone),
            now=now,
            policy=self.policy,
        )
        return self._apply(zone, plan)

    def log(self, zone: str) -> tuple[Announcement, ...]:
        return tuple(self._logs.get(zone, ()))

    def standing(self, zone: str) -> tuple[Announcement, ...]:
        return tuple(e for e in self._logs.get(zone, ()) if e.seq not in self._replaced)

    def _apply(self, zone: str, plan: Plan) -> Plan:
        numbered = []
        for entry in plan.entries:
            self._seq += 1
            numbered.append(replace(entry, seq=self._seq))
        self._logs.setdefault(zone, []).extend(numbered)
        self._replaced.update(plan.replaced)
        self._last_end[zone] = plan.last_end
        return replace(plan, entries=tuple(numbered))
