"""What the display listens to: every call (to announce it) and every change a board shows."""

from __future__ import annotations

from antre.events import subject_filter
from antre.runtime import Runtime
from services.display import handlers

FOLLOWED = (
    "ticket.called",
    "ticket.recalled",
    "ticket.serving",
    "ticket.completed",
    "ticket.skipped",
    "ticket.transferred",
    "ticket.issued",
    "ticket.cancelled",
    "counter.opened",
    "counter.paused",
    "counter.resumed",
    "counter.closed",
)


def install(runtime: Runtime, deps: handlers.Deps) -> None:
    subjects = [subject_filter(runtime.hall.id, suffix) for suffix in FOLLOWED]
    runtime.consume("board", subjects, lambda envelopes: handlers.on_hall_events(deps, envelopes))
