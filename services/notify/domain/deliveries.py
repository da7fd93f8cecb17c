"""A delivery: one message for one receiver on one channel, tried until the receiver accepts it
or the attempts run out. The receiver is an agency's webhook URL (channel ``webhook``: ``url`` is
the URL, ``event_id`` the event's id), or a citizen who booked (channels ``email``, ``whatsapp``,
``sms``: ``url`` is ``<channel>:<booking id>``, the address itself stays in notify's contacts so
that it is looked up, and may be gone, at sending time; ``event_id`` is the message's key, see
:mod:`services.notify.domain.citizens`). Either way a delivery is unique per ``(event_id, url)``.

Life: ``pending`` -> ``delivered`` (the receiver accepted it) or, after ``max_attempts`` failures or
one failure the receiver calls permanent, ``failed`` (kept for operators; nothing retries it); or
``dropped``: not sent on purpose (the citizen opted out, the booking was cancelled, the contact was
purged). A pending delivery is due when ``next_attempt_at <= now``.

Retry schedule (:func:`next_attempt`, base 1 s, cap 5 min): after the n-th failed attempt the next
one waits ``min(base * 2**(n-1), cap)``, i.e. 1 s, 2 s, 4 s, 8 s, 16 s, 32 s, 64 s, 128 s, 256 s,
then 300 s for every later attempt. With the default 12 attempts the last try happens about 18.5
minutes after the first: long enough to ride out a receiver's restart or deploy, short enough that
"your number was called" is not sent after the citizen has long been served.

Delivery is at least once: a crash between a successful POST and recording it sends the event
again, which is why every request carries the event id for the receiver to de-duplicate on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol, TypeVar

BASE = dt.timedelta(seconds=1)
CAP = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 12
MAX_ERROR_CHARS = 500  # an error text is for an operator's eye, not a log dump


class State(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    DROPPED = "dropped"


WEBHOOK = "webhook"


@dataclass(frozen=True)
class Delivery:
    id: str
    event_id: str
    event: str  # the subject suffix the webhook subscribed to, e.g. "ticket.called"
    url: str
    subject: str
    payload: str  # the JSON body, fixed when the event arrived so every retry sends the same bytes
    state: State
    attempts: int  # attempts made so far, successful or not
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    last_error: str = ""
    traceparent: str = ""
    channel: str = WEBHOOK  # webhook, email, whatsapp or sms
    booking_id: str = ""  # a citizen's message: the booking whose contact receives it


class Subscription(Protocol):
    """What a webhook declares (``antre.hall.model.Webhook`` fits, without importing it here)."""

    @property
    def url(self) -> str: ...

    @property
    def events(self) -> tuple[str, ...]: ...

    @property
    def agency(self) -> str: ...


S = TypeVar("S", bound=Subscription)


def subscribers(webhooks: Iterable[S], event: str, agency: str) -> list[S]:
    """The webhooks that want this event of this agency, one per URL: a URL listed twice still
    gets the event once (deliveries are unique per event and URL)."""
    chosen: dict[str, S] = {}
    for hook in webhooks:
        if event in hook.events and hook.agency in ("", agency) and hook.url not in chosen:
            chosen[hook.url] = hook
    return list(chosen.values())


def wanted_events(webhooks: Iterable[Subscription]) -> list[str]:
    """Every event suffix some webhook wants, sorted and without repeats."""
    return sorted({event for hook in webhooks for event in hook.events})


def new_delivery(
    *,
    delivery_id: str,
    event_id: str,
    event: str,
    url: str,
    subject: str,
    payload: str,
    now: dt.datetime,
    traceparent: str = "",
    channel: str = WEBHOOK,
    booking_id: str = "",
    due: dt.datetime | None = None,
) -> Delivery:
    """A delivery due at once, or at ``due`` (a message held back by quiet hours)."""
    return Delivery(
        id=delivery_id,
        event_id=event_id,
        event=event,
        url=url,
        subject=subject,
        payload=payload,
        state=State.PENDING,
        attempts=0,
        next_attempt_at=due or now,
        created_at=now,
        updated_at=now,
        traceparent=traceparent,
        channel=channel,
        booking_id=booking_id,
    )


def next_attempt(
    attempts: int, now: dt.datetime, base: dt.timedelta = BASE, cap: dt.timedelta = CAP
) -> dt.datetime:
    """When to try again after ``attempts`` failed attempts (see the module docstring); with no
    failure yet, now."""
    if attempts <= 0:
        return now
    # Bound the exponent before multiplying: 2**60 seconds would overflow timedelta, and anything
    # past the cap is the cap anyway.
    doublings = attempts - 1  # at least 0 here
    if doublings >= 40 or base * (1 << doublings) >= cap:
        return now + cap
    return now + base * (1 << doublings)


def is_due(delivery: Delivery, now: dt.datetime) -> bool:
    return delivery.state == State.PENDING and delivery.next_attempt_at <= now


def after_success(delivery: Delivery, now: dt.datetime) -> Delivery:
    return replace(
        delivery,
        state=State.DELIVERED,
        attempts=delivery.attempts + 1,
        last_error="",
        updated_at=now,
    )


def after_failure(
    delivery: Delivery,
    now: dt.datetime,
    error: str,
    max_attempts: int = MAX_ATTEMPTS,
    *,
    permanent: bool = False,
) -> Delivery:
    """Count the failed attempt; pending again later, or failed once ``max_attempts`` were made or
    the receiver said that trying again cannot help (``permanent``: no such number, a refused
    mailbox, a rejected message)."""
    attempts = delivery.attempts + 1
    gave_up = permanent or attempts >= max_attempts
    return replace(
        delivery,
        state=State.FAILED if gave_up else State.PENDING,
        attempts=attempts,
        next_attempt_at=delivery.next_attempt_at if gave_up else next_attempt(attempts, now),
        last_error=error[:MAX_ERROR_CHARS],
        updated_at=now,
    )


def dropped(delivery: Delivery, now: dt.datetime, reason: str) -> Delivery:
    """Not sent, on purpose, and never to be: no attempt is counted."""
    return replace(delivery, state=State.DROPPED, last_error=reason[:MAX_ERROR_CHARS], updated_at=now)


def postponed(delivery: Delivery, until: dt.datetime, now: dt.datetime) -> Delivery:
    """Due again at ``until`` (quiet hours), without counting an attempt."""
    return replace(delivery, next_attempt_at=until, updated_at=now)
