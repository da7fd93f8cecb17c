"""What notify listens to: every event some webhook of the hall wants."""

from __future__ import annotations

from antre.events import subject_filter
from antre.hall.model import Hall
from antre.runtime import Runtime
from services.notify import handlers
from services.notify.domain.deliveries import wanted_events

DURABLE = "webhooks"
# With no webhook configured the consumer still follows calls, so the pipeline (and its metrics)
# is exercised in every hall, not only in the ones that have a receiver.
DEFAULT_EVENTS = ("ticket.called",)


def subjects(hall: Hall) -> list[str]:
    # Every agency ("*") for each event: a webhook's agency filter is applied when the event
    # arrives, because JetStream refuses overlapping filter subjects on one consumer.
    events = wanted_events(hall.webhooks) or list(DEFAULT_EVENTS)
    return [subject_filter(hall.id, event) for event in events]


def install(runtime: Runtime, deps: handlers.Deps) -> None:
    runtime.consume(DURABLE, subjects(runtime.hall), lambda envelopes: handlers.on_events(deps, envelopes))
