"""What ticketing listens to: the counters' reports on its tickets, for the status page."""

from __future__ import annotations

from antre.events import subject_filter
from antre.runtime import Runtime
from services.ticketing import handlers

FOLLOWED = (
    "ticket.called",
    "ticket.recalled",
    "ticket.serving",
    "ticket.completed",
    "ticket.skipped",
    "ticket.transferred",
)


def install(runtime: Runtime, deps: handlers.Deps) -> None:
    subjects = [subject_filter(runtime.hall.id, suffix) for suffix in FOLLOWED]
    runtime.consume(
        "status", subjects, lambda envelopes: handlers.on_queue_events(deps, envelopes), batched=True
    )
