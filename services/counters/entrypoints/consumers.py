"""What the counters listen to: tickets becoming callable (or cancelled before they were)."""

from __future__ import annotations

from antre.events import subject_filter
from antre.runtime import Runtime
from services.counters import handlers


def install(runtime: Runtime, deps: handlers.Deps) -> None:
    subjects = [subject_filter(runtime.hall.id, s) for s in ("ticket.issued", "ticket.cancelled")]
    runtime.consume(
        "queue", subjects, lambda envelopes: handlers.on_ticket_events(deps, envelopes), batched=True
    )
