"""What reports listens to: every ticket, counter, booking, survey and device event of the hall, on one
durable consumer, in the stream's order (a visit's fold needs its events in order): exclusive, so
one replica folds at a time and another takes over when it dies; the others serve pages."""

from __future__ import annotations

from antre.events import subject_filter
from antre.hall.model import Hall
from antre.runtime import Runtime
from services.reports import handlers

DURABLE = "record"
EVENTS = (
    "ticket.*",
    "counter.opened",
    "counter.paused",
    "counter.resumed",
    "counter.closed",
    "booking.*",
    "survey.*",
    "device.status",
)


def subjects(hall: Hall) -> list[str]:
    return [subject_filter(hall.id, event) for event in EVENTS]


def install(runtime: Runtime, deps: handlers.Deps, linger: float) -> None:
    runtime.consume(
        DURABLE,
        subjects(runtime.hall),
        lambda envelopes: handlers.on_events(deps, envelopes),
        batched=True,
        linger=linger,
        exclusive=True,
    )
