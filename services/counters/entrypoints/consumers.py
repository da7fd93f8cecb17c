"""What the counters listen to: tickets becoming callable (or cancelled before they were), and
agencies' systems' commands to their own counters."""

from __future__ import annotations

from antre.events import subject_filter
from antre.runtime import Runtime
from services.counters import handlers
from services.counters.handlers import commands
from services.counters.metrics import CommandMetrics

LINGER = 0.05  # seconds between fetches while issued tickets flow (see antre.bus.Consumer)


def command_subjects(hall: str) -> list[str]:
    return [f"antre.{hall}.*.command.counter.*"]


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
    metrics = CommandMetrics(deps.metrics.registry)
    runtime.consume(
        "commands",
        command_subjects(runtime.hall.id),
        lambda envelopes: commands.on_commands(deps, metrics, envelopes),
    )
