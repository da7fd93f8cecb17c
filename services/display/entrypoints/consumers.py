"""What the display listens to: every call (to announce it), every change a board shows, and the
hall's satisfaction index of the month (the boards' footer).

Calls have a consumer of their own, so that the hall's voice never waits behind a burst of issued
tickets or completions; the board's domain takes reports in any order (a stage never goes back)."""

from __future__ import annotations

from collections.abc import Sequence

from antre.events import Envelope, subject_filter
from antre.runtime import Runtime
from services.display import handlers

LINGER = 0.05  # seconds between fetches while board events flow (see antre.bus.Consumer)

CALLS = ("ticket.called", "ticket.recalled")
BOARD = (
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
    def handle(envelopes: Sequence[Envelope]) -> None:
        handlers.on_hall_events(deps, envelopes)

    hall = runtime.hall.id
    runtime.consume("calls", [subject_filter(hall, suffix) for suffix in CALLS], handle, batched=True)
    # The board's other changes may gather for a linger while they flow; calls never wait.
    board = [subject_filter(hall, suffix) for suffix in BOARD]
    runtime.consume("board", board, handle, batched=True, linger=LINGER)
    # A consumer of its own: the board's consumer keeps the filter it was made with.
    index = [subject_filter(hall, "skm.index")]
    runtime.consume("skm", index, lambda envelopes: handlers.on_index(deps, envelopes), batched=True)
