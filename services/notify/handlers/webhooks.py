"""Events to agencies' webhooks: one delivery per interested webhook URL, written in the same
transaction as the inbox record, so a redelivered event creates nothing."""

from __future__ import annotations

from collections.abc import Sequence

from antre.events import SUFFIXES, Envelope, meta_of
from antre.inbox import first_time
from services.notify.adapters import repository as repo
from services.notify.adapters import webhook
from services.notify.adapters.tables import inbox
from services.notify.domain import deliveries as domain
from services.notify.handlers.deps import Deps

CONSUMER = "notify-webhooks"


def on_events(deps: Deps, envelopes: Sequence[Envelope]) -> int:
    """Record the deliveries the events call for; returns how many were created."""
    created = 0
    for envelope in envelopes:
        message = envelope.message
        event = SUFFIXES.get(type(message))
        if event is None:
            continue
        agency = meta_of(message).agency
        targets = domain.subscribers(deps.hall.webhooks, event, agency)
        if not targets:
            continue
        # Built once, now: the text names the counter and agency as the hall file has them at the
        # time of the call, and every retry sends the very same bytes.
        payload = webhook.encode(webhook.body(deps.hall, message))
        with deps.uow.begin() as tx:
            if not first_time(tx.conn, inbox, CONSUMER, envelope.event_id, tx.now):
                continue
            for hook in targets:
                delivery = domain.new_delivery(
                    delivery_id=deps.new_id(),
                    event_id=envelope.event_id,
                    event=event,
                    url=hook.url,
                    subject=envelope.subject,
                    payload=payload,
                    now=tx.now,
                    traceparent=envelope.traceparent,
                )
                created += repo.add(tx.conn, delivery)
    return created
