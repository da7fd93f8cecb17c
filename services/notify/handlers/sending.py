"""Paying what is owed: the worker claims due deliveries, decides for each citizen's message
whether it may still go (the contact still there, the address not opted out, not quiet hours),
sends outside any transaction (a slow receiver must not hold a database lock) and records each
outcome with the domain's retry rules.

The citizen's address is looked up here, at sending time, not stored with the delivery: an
opt-out, a cancellation or the purge takes effect on messages already queued.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Connection

from antre import db
from services.notify.adapters import contacts
from services.notify.adapters import repository as repo
from services.notify.adapters.channels.base import Result
from services.notify.adapters.webhook import redact
from services.notify.domain import citizens, phone_codes, quiet
from services.notify.domain import deliveries as domain
from services.notify.domain.deliveries import WEBHOOK, Delivery, State
from services.notify.handlers.deps import Deps
from services.notify.handlers.phone_codes import address_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """What to do with one claimed delivery."""

    delivery: Delivery
    address: str = ""  # send it there
    drop: str = ""  # or drop it, for this reason
    wait_until: dt.datetime | None = None  # or put it back until then (quiet hours)


def deliver_due(deps: Deps) -> int:
    """One round of the worker: send what is due, record what happened; returns how many were
    attempted."""
    with deps.uow.begin() as tx:
        due = repo.claim_due(tx.conn, tx.now, deps.batch, tx.now + deps.lease)
        routes = [route(deps, tx.conn, delivery, tx.now) for delivery in due]
    if not due:
        _count_pending(deps)
        return 0
    sending = [r for r in routes if r.address]
    results = iter(deps.sender.send_all([(r.delivery, r.address) for r in sending]) if sending else [])
    with deps.uow.begin() as tx:
        for r in routes:
            if r.drop:
                repo.save(tx.conn, domain.dropped(r.delivery, tx.now, r.drop))
                _observe_citizen(deps, r.delivery, "dropped", None)
            elif r.wait_until is not None:
                repo.save(tx.conn, domain.postponed(r.delivery, r.wait_until, tx.now))
            else:
                result = next(results)
                after = _after(deps, r.delivery, result, tx.now)
                repo.save(tx.conn, after)
                _observe(deps, after, result)
        pending = repo.count_pending(tx.conn)
    deps.metrics.pending.set(pending)
    return len(sending)


def route(deps: Deps, conn: Connection, delivery: Delivery, now: dt.datetime) -> Route:
    if delivery.channel == WEBHOOK:
        return Route(delivery, address=delivery.url)
    if delivery.event == phone_codes.EVENT:
        # Asked for by the citizen a moment ago: no quiet hours, no opt-out; pointless once spent.
        address = address_of(conn, delivery.event_id, now)
        return Route(delivery, address=address) if address else Route(delivery, drop="code no longer usable")
    kind = citizens.kind_of(delivery.event)
    contact = contacts.get(conn, delivery.booking_id)
    if kind is None or contact is None:
        return Route(delivery, drop="contact gone: booking cancelled or contact purged")
    if citizens.may_wait(kind):
        until = _release(deps, now)
        if until > now:
            return Route(delivery, wait_until=until)
    address = citizens.address(contact, delivery.channel)
    if not address:
        return Route(delivery, drop=f"no address for {delivery.channel}")
    if not citizens.allowed_after_opt_out(kind):
        digest = citizens.optout_digest(deps.citizens.optout_key, address)
        if contacts.opted_out(conn, [digest]):
            return Route(delivery, drop="opted out")
    return Route(delivery, address=address)


def _release(deps: Deps, moment: dt.datetime) -> dt.datetime:
    m = deps.hall.messages
    return quiet.release(moment, deps.hall.timezone, m.quiet_start, m.quiet_end)


def _after(deps: Deps, delivery: Delivery, result: Result, now: dt.datetime) -> Delivery:
    if result.ok:
        return domain.after_success(delivery, now)
    after = domain.after_failure(delivery, now, result.error, deps.max_attempts, permanent=result.permanent)
    kind = citizens.kind_of(delivery.event)
    if after.state == State.PENDING and kind is not None and citizens.may_wait(kind):
        # A retry that would land in the night waits for the morning like the first attempt.
        after = domain.postponed(after, _release(deps, after.next_attempt_at), now)
    return after


def _observe(deps: Deps, after: Delivery, result: Result) -> None:
    outcome = {State.DELIVERED: "delivered", State.FAILED: "failed"}.get(after.state, "retry")
    if after.channel != WEBHOOK:
        _observe_citizen(deps, after, outcome, result)
        return
    deps.metrics.delivery_seconds.observe(result.seconds)
    deps.metrics.deliveries.labels(outcome).inc()
    if after.state == State.FAILED:
        log.warning(
            "webhook %s gave up on event %s after %d attempts: %s",
            redact(after.url),
            after.event_id,
            after.attempts,
            after.last_error,
        )


def _observe_citizen(deps: Deps, delivery: Delivery, outcome: str, result: Result | None) -> None:
    kind = citizens.kind_of(delivery.event)
    deps.metrics.citizen_messages.labels(delivery.channel, kind.value if kind else "", outcome).inc()
    if result is not None:
        deps.metrics.citizen_seconds.labels(delivery.channel).observe(result.seconds)
    if outcome == "failed":
        # The booking, never the address: logs are not where personal data should end up.
        log.warning(
            "%s message %s for booking %s gave up after %d attempts: %s",
            delivery.channel,
            delivery.event,
            delivery.booking_id,
            delivery.attempts,
            result.error if result else "",
        )


def _count_pending(deps: Deps) -> None:
    with db.read(deps.uow.engine) as conn:
        deps.metrics.pending.set(repo.count_pending(conn))
