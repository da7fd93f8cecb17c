"""Booking and ticket events to citizens' messages, and the opt-out.

Each event is applied in one transaction with its inbox record: the contact's change and the
messages it calls for are written together or not at all, and a redelivered event changes nothing.
Messages are made (rendered, channels chosen, quiet hours applied) here and sent by the worker
(:mod:`.sending`). Which message each event calls for: :mod:`services.notify.domain.citizens`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from google.protobuf.message import Message

from antre.events import Envelope, as_event, meta_of, to_datetime
from antre.inbox import first_time
from antre.problems import Forbidden, Unavailable
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from services.notify.adapters import contacts
from services.notify.adapters import repository as repo
from services.notify.adapters.channels.base import CitizenMessage
from services.notify.adapters.tables import inbox
from services.notify.domain import citizens, quiet, templates
from services.notify.domain.citizens import Contact, Kind, Stage
from services.notify.domain.deliveries import new_delivery
from services.notify.handlers.deps import Deps

CONSUMER = "notify-citizens"
EVENTS = (
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "booking.checked_in",
    "booking.no_show",
    "ticket.called",
    "ticket.completed",
    "ticket.cancelled",
    "ticket.transferred",
)


def on_citizen_events(deps: Deps, envelopes: Sequence[Envelope]) -> int:
    """Apply the events to contacts; returns how many deliveries were created."""
    created = 0
    for envelope in envelopes:
        apply = _APPLY.get(type(envelope.message))
        if apply is None:
            continue
        with deps.uow.begin() as tx:
            if not first_time(tx.conn, inbox, CONSUMER, envelope.event_id, tx.now):
                continue
            created += apply(deps, tx, envelope)
    return created


# ---- bookings ----


def _created(deps: Deps, tx: Transaction, envelope: Envelope) -> int:
    msg = as_event(envelope.message, pb.BookingCreated)
    start, end = to_datetime(msg.slot.session_start), to_datetime(msg.slot.session_end)
    contact = citizens.new_contact(
        booking_id=msg.booking_id,
        agency=msg.meta.agency,
        service=msg.slot.service,
        code=msg.code,
        day=msg.slot.day or deps.hall.day_of(start).isoformat(),
        session_start=start,
        session_end=end,
        phone=msg.contact.phone,
        email=msg.contact.email,
        language_code=msg.contact.language,
        now=tx.now,
        timezone=deps.hall.timezone,
        retention_days=deps.citizens.retention_days,
        available=deps.citizens.channels,
    )
    if contact is None or contact.purge_after <= tx.now or not contacts.add(tx.conn, contact):
        return 0
    return _message(deps, tx, envelope, contact, Kind.CONFIRMATION, (msg.booking_id, envelope.event_id))


def _rescheduled(deps: Deps, tx: Transaction, envelope: Envelope) -> int:
    msg = as_event(envelope.message, pb.BookingRescheduled)
    contact = contacts.get(tx.conn, msg.booking_id)
    if contact is None:
        return 0
    start, end = to_datetime(msg.slot.session_start), to_datetime(msg.slot.session_end)
    day = msg.slot.day or deps.hall.day_of(start).isoformat()
    contact = dataclasses.replace(
        contact,
        service=msg.slot.service or contact.service,
        day=day,
        session_start=start,
        session_end=end,
        purge_after=citizens.purge_after(day, deps.hall.timezone, deps.citizens.retention_days),
        reminded_day="",
    )
    contacts.save(tx.conn, contact)
    # The booking changed: the citizen gets the new slot, in the confirmation's words.
    return _message(deps, tx, envelope, contact, Kind.CONFIRMATION, (msg.booking_id, envelope.event_id))


def _cancelled(deps: Deps, tx: Transaction, envelope: Envelope) -> int:
    msg = as_event(envelope.message, pb.BookingCancelled)
    # Nothing more is owed to a cancelled booking: its contact and messages go at once.
    repo.delete_for_bookings(tx.conn, [msg.booking_id])
    contacts.remove(tx.conn, msg.booking_id)
    return 0


def _checked_in(deps: Deps, tx: Transaction, envelope: Envelope) -> int:
    msg = as_event(envelope.message, pb.BookingCheckedIn)
    contact = contacts.get(tx.conn, msg.booking_id)
    if contact is None or contact.stage != Stage.BOOKED:
        return 0
    contacts.save(
        tx.conn,
        dataclasses.replace(
            contact,
            stage=Stage.WAITING,
            ticket_id=msg.ticket.ticket_id,
            ticket_number=msg.ticket.number,
            service=msg.ticket.service or contact.service,
            position_check=contact.position_check + 1,  # the queue may already be short
        ),
    )
    return 0


def _no_show(deps: Deps, tx: Transaction, envelope: Envelope) -> int:
    msg = as_event(envelope.message, pb.BookingNoShow)
    contact = contacts.get(tx.conn, msg.booking_id)
    if contact is None or contact.stage != Stage.BOOKED:
        return 0
    contact = dataclasses.replace(contact, stage=Stage.NO_SHOW)
    contacts.save(tx.conn, contact)
    return _message(deps, tx, envelope, contact, Kind.NO_SHOW, (msg.booking_id,))


# ---- tickets of booked citizens ----


def _called(deps: Deps, tx: Transaction, envelope: Envelope) -> int:
    msg = as_event(envelope.message, pb.TicketCalled)
    ticket = msg.ticket
    created = 0
    contact = contacts.by_ticket(tx.conn, ticket.ticket_id)
    if contact is not None and contact.stage in (Stage.WAITING, Stage.CALLED):
        contact = dataclasses.replace(contact, stage=Stage.CALLED, service=ticket.service or contact.service)
        contacts.save(tx.conn, contact)
        counter = msg.counter.number if msg.HasField("counter") else 0
        if counter:  # a call names its counter; without one there is nowhere to send the citizen
            key = (ticket.ticket_id, ticket.service, str(counter))
            created = _message(deps, tx, envelope, contact, Kind.CALLED, key, counter=str(counter))
    # Everyone behind the called ticket moved up one.
    contacts.queue_moved(tx.conn, ticket.service)
    return created


def _completed(deps: Deps, tx: Transaction, envelope: Envelope) -> int:
    msg = as_event(envelope.message, pb.TicketCompleted)
    contact = contacts.by_ticket(tx.conn, msg.ticket.ticket_id)
    if contact is None or contact.stage == Stage.DONE:
        return 0
    contact = dataclasses.replace(contact, stage=Stage.DONE)
    contacts.save(tx.conn, contact)
    if not deps.citizens.survey_url:
        return 0
    link = citizens.survey_link(deps.citizens.survey_url, msg.ticket.ticket_id)
    return _message(deps, tx, envelope, contact, Kind.SURVEY, (msg.ticket.ticket_id,), survey=link)


def _ticket_cancelled(deps: Deps, tx: Transaction, envelope: Envelope) -> int:
    msg = as_event(envelope.message, pb.TicketCancelled)
    contact = contacts.by_ticket(tx.conn, msg.ticket.ticket_id)
    if contact is not None:
        contacts.save(tx.conn, dataclasses.replace(contact, stage=Stage.DONE))
    contacts.queue_moved(tx.conn, msg.ticket.service)
    return 0


def _transferred(deps: Deps, tx: Transaction, envelope: Envelope) -> int:
    msg = as_event(envelope.message, pb.TicketTransferred)
    contact = contacts.by_ticket(tx.conn, msg.ticket.ticket_id)
    if contact is not None and contact.stage != Stage.DONE:
        contact = dataclasses.replace(
            contact,
            stage=Stage.WAITING,
            service=msg.ticket.service,
            position_check=contact.position_check + 1,
        )
        contacts.save(tx.conn, contact)
    if msg.from_service:
        contacts.queue_moved(tx.conn, msg.from_service)
    return 0


_APPLY: dict[type[Message], Callable[[Deps, Transaction, Envelope], int]] = {
    pb.BookingCreated: _created,
    pb.BookingRescheduled: _rescheduled,
    pb.BookingCancelled: _cancelled,
    pb.BookingCheckedIn: _checked_in,
    pb.BookingNoShow: _no_show,
    pb.TicketCalled: _called,
    pb.TicketCompleted: _completed,
    pb.TicketCancelled: _ticket_cancelled,
    pb.TicketTransferred: _transferred,
}


# ---- making messages ----


def _message(
    deps: Deps,
    tx: Transaction,
    envelope: Envelope,
    contact: Contact,
    kind: Kind,
    key: tuple[str, ...],
    **extra: str,
) -> int:
    occurred = to_datetime(meta_of(envelope.message).occurred_at)
    if not citizens.still_useful(kind, occurred, tx.now, contact.session_end):
        return 0
    return make_message(deps, tx, contact, kind, key, envelope.subject, envelope.traceparent, **extra)


def make_message(
    deps: Deps,
    tx: Transaction,
    contact: Contact,
    kind: Kind,
    key: tuple[str, ...],
    subject: str,
    traceparent: str = "",
    **extra: str,
) -> int:
    """One delivery per channel the citizen gets (the channel rule), all with the same words but
    each address's own opt-out link, each unique per message key and channel; returns how many
    were new."""
    hall = deps.hall
    due = tx.now
    if citizens.may_wait(kind):
        m = hall.messages
        due = quiet.release(tx.now, hall.timezone, m.quiet_start, m.quiet_end)
    created = 0
    for channel in citizens.channels_for(contact, deps.citizens.channels):
        # Each address gets its own opt-out link: following it proves that address, no other.
        stop = citizens.optout_link(
            deps.citizens.optout_url, deps.citizens.optout_key, citizens.address(contact, channel)
        )
        values = templates.values(hall, contact, stop=stop, **extra)
        content = CitizenMessage(
            text=templates.compose(hall.messages.templates, kind.value, contact.language, values),
            subject=templates.subject(kind.value, contact.language, values),
            language=contact.language,
            stop=stop,
        )
        delivery = new_delivery(
            delivery_id=deps.new_id(),
            event_id=citizens.message_key(kind, *key),
            event=citizens.event_name(kind),
            url=citizens.recipient(channel, contact.booking_id),
            subject=subject,
            payload=content.encode(),
            now=tx.now,
            traceparent=traceparent,
            channel=channel,
            booking_id=contact.booking_id,
            due=due,
        )
        created += repo.add(tx.conn, delivery)
    return created


# ---- opt-out ----


def opt_out(deps: Deps, token: str) -> None:
    """Record that the address a footer link was made for wants no more messages (see the domain
    for what still goes). Only the link proves the address: a typed phone number or email proves
    nothing, and anyone could stop a stranger's messages with it. Nothing is changed on a refusal."""
    key = deps.citizens.optout_key
    if not key:
        raise Unavailable(
            "opt_out_unavailable",
            "Layanan berhenti berlangganan belum disiapkan di aula ini",
            "Opting out is not set up in this hall",
        )
    digest = citizens.digest_of_token(key, token[:200])
    if not digest:
        raise Forbidden(
            "opt_out_link_invalid",
            "Tautan berhenti tidak sah; gunakan tautan di bagian bawah pesan yang Anda terima",
            "This opt-out link is not valid; use the link at the end of a message you received",
        )
    with deps.uow.begin() as tx:
        contacts.opt_out(tx.conn, digest, tx.now)
    deps.metrics.opt_outs.inc()
