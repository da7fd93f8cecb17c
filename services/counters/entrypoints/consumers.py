"""What the counters listen to: tickets becoming callable (or cancelled before they were)."""

from __future__ import annotations

from antre.events import subject_filter
from antre.runtime import Runtime
from services.counters import handlers

LINGER = 0.05  # seconds between fetches while issued tickets flow (see antre.bus.Consumer)


def install(runtime: Runtime, deps: handlers.Deps) -> None:
    subjects = [subject_filter(runtime.hall.id, s) for s in ("ticket.issued", "ticket.cancelled")]
    # A ticket reaches the queue within a linger of being issued; a busy kiosk hour costs one
    # commit per batch instead of one per ticket.
    runtime.consume(
        "queue",
        subjects,
        lambda envelopes: handlers.on_ticket_events(deps, envelopes),
        batched=True,
        linger=LINGER,
    )
