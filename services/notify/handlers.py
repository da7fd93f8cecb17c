"""Notify's work: turning events into deliveries owed to webhooks, and paying them.

An event becomes one delivery per interested webhook URL, written in the same transaction as the
inbox record, so a redelivered event creates nothing. The worker then claims due deliveries,
POSTs them outside any transaction (a slow receiver must not hold a database lock) and records
each outcome with the domain's retry rules.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from antre import db
from antre.events import SUFFIXES, Envelope
from antre.hall.model import Hall
from antre.inbox import first_time
from antre.problems import Invalid, NotFound
from antre.uow import UnitOfWork
from services.notify.adapters import repository as repo
from services.notify.adapters import webhook
from services.notify.adapters.tables import inbox
from services.notify.domain import deliveries as domain
from services.notify.domain.deliveries import Delivery, State
from services.notify.metrics import Metrics

log = logging.getLogger(__name__)

CONSUMER = "notify-webhooks"


class Sender(Protocol):
    def post_all(self, deliveries: Sequence[Delivery]) -> Sequence[webhook.Result]: ...


@dataclass
class Deps:
    hall: Hall
    uow: UnitOfWork
    metrics: Metrics
    sender: Sender
    max_attempts: int = domain.MAX_ATTEMPTS
    batch: int = 50
    # How long a claimed delivery stays hidden from other workers. Far longer than a batch can
    # take (sent in parallel, each phase bounded by the timeout), so a delivery is sent twice at
    # once only if its worker died mid-send; then the lease runs out and it is simply retried.
    lease: dt.timedelta = dt.timedelta(minutes=2)
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex


# ---- events in ----


def on_events(deps: Deps, envelopes: Sequence[Envelope]) -> int:
    """Record the deliveries the events call for; returns how many were created."""
    created = 0
    for envelope in envelopes:
        message = envelope.message
        event = SUFFIXES.get(type(message))
        if event is None:
            continue
        agency = message.meta.agency  # type: ignore[attr-defined]
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


# ---- deliveries out ----


def deliver_due(deps: Deps) -> int:
    """One round of the worker: send what is due, record what happened; returns how many were
    attempted."""
    with deps.uow.begin() as tx:
        due = repo.claim_due(tx.conn, tx.now, deps.batch, tx.now + deps.lease)
    if not due:
        _count_pending(deps)
        return 0
    results = deps.sender.post_all(due)
    with deps.uow.begin() as tx:
        for delivery, result in zip(due, results, strict=True):
            if result.ok:
                after = domain.after_success(delivery, tx.now)
            else:
                after = domain.after_failure(delivery, tx.now, result.error, deps.max_attempts)
            repo.save(tx.conn, after)
            _observe(deps, after, result)
        pending = repo.count_pending(tx.conn)
    deps.metrics.pending.set(pending)
    return len(due)


def _observe(deps: Deps, after: Delivery, result: webhook.Result) -> None:
    deps.metrics.delivery_seconds.observe(result.seconds)
    if after.state == State.DELIVERED:
        deps.metrics.deliveries.labels("delivered").inc()
    elif after.state == State.FAILED:
        deps.metrics.deliveries.labels("failed").inc()
        log.warning(
            "webhook %s gave up on event %s after %d attempts: %s",
            webhook.redact(after.url),
            after.event_id,
            after.attempts,
            after.last_error,
        )
    else:
        deps.metrics.deliveries.labels("retry").inc()


def _count_pending(deps: Deps) -> None:
    with db.read(deps.uow.engine) as conn:
        deps.metrics.pending.set(repo.count_pending(conn))


# ---- queries for operators ----


def list_deliveries(deps: Deps, state: str = "", limit: int = 50) -> list[Delivery]:
    wanted: State | None = None
    if state:
        try:
            wanted = State(state)
        except ValueError:
            allowed = ", ".join(s.value for s in State)
            raise Invalid(
                "unknown_state",
                f"Status '{state}' tidak dikenal (pilihan: {allowed})",
                f"Unknown state '{state}' (one of: {allowed})",
            ) from None
    with db.read(deps.uow.engine) as conn:
        return repo.listing(conn, wanted, limit)


def get_delivery(deps: Deps, delivery_id: str) -> Delivery:
    with db.read(deps.uow.engine) as conn:
        delivery = repo.get(conn, delivery_id)
    if delivery is None:
        raise NotFound("unknown_delivery", "Pengiriman tidak ditemukan", "Delivery not found")
    return delivery
