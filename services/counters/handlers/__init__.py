"""The counters' work: the queue, the counters and the officers at them. Each command is one unit
of work: queue, counter and events commit together.

- :mod:`.events`: tickets joining the queue (and leaving it, cancelled) from ticketing's events.
- :mod:`.stations`: a counter's own life: open, pause, resume, close.
- :mod:`.calls`: the queue in the policy's order: call next, recall, serve, complete, skip,
  transfer.
- :mod:`.out_of_turn`: out of that order: call a number, hold, call the held, bring back.
- :mod:`.accounts`: people's accounts, signing in and out.
- :mod:`.commands`: agencies' systems pausing, resuming and closing their own counters.
- :mod:`.queries`: the read side: positions, forecasts, the counters and the queue lengths.
- :mod:`.desk`: the counter an action is taken at, as every feature finds it.
"""

from services.counters.handlers.accounts import officer_for, sign_out
from services.counters.handlers.calls import call_next, complete, recall, skip, start_serving, transfer
from services.counters.handlers.deps import Deps, Live
from services.counters.handlers.desk import Caller, SessionToken
from services.counters.handlers.events import CONSUMER, on_ticket_events
from services.counters.handlers.stations import (
    close_counter,
    close_left_counters,
    open_counter,
    pause_counter,
    prepare,
    resume_counter,
)

__all__ = [
    "CONSUMER",
    "Caller",
    "Deps",
    "Live",
    "SessionToken",
    "call_next",
    "close_counter",
    "close_left_counters",
    "complete",
    "officer_for",
    "on_ticket_events",
    "open_counter",
    "pause_counter",
    "prepare",
    "recall",
    "resume_counter",
    "sign_out",
    "skip",
    "start_serving",
    "transfer",
]
