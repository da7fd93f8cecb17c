"""What notify listens to: every event some webhook of the hall wants, and, when a citizen
channel is configured, the booking and ticket events behind citizens' messages (a durable of its
own, so a slow provider never holds up the webhooks, nor the reverse)."""

from __future__ import annotations

from antre.events import subject_filter
from antre.hall.model import Hall
from antre.runtime import Runtime
from services.notify import handlers
from services.notify.domain.deliveries import wanted_events
from services.notify.handlers.citizens import EVENTS as CITIZEN_EVENTS

DURABLE = "webhooks"
CITIZENS_DURABLE = "citizens"
# With no webhook configured the consumer still follows calls, so the pipeline (and its metrics)
# is exercised in every hall, not only in the ones that have a receiver.
DEFAULT_EVENTS = ("ticket.called",)


def subjects(hall: Hall) -> list[str]:
    # Every agency ("*") for each event: a webhook's agency filter is applied when the event
    # arrives, because JetStream refuses overlapping filter subjects on one consumer.
    events = wanted_events(hall.webhooks) or list(DEFAULT_EVENTS)
    return [subject_filter(hall.id, event) for event in events]


def citizen_subjects(hall: Hall) -> list[str]:
    return [subject_filter(hall.id, event) for event in CITIZEN_EVENTS]


def install(runtime: Runtime, deps: handlers.Deps) -> None:
    runtime.consume(DURABLE, subjects(runtime.hall), lambda envelopes: handlers.on_events(deps, envelopes))
    if deps.citizens.enabled:
        runtime.consume(
            CITIZENS_DURABLE,
            citizen_subjects(runtime.hall),
            lambda envelopes: handlers.on_citizen_events(deps, envelopes),
        )
