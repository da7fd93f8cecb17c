"""Ticketing's booking commands: book, look up, cancel, move and unlock. (Checking in and the
no-show sweep: :mod:`.check_ins`; places left: :mod:`.queries`.)

Every command is one unit of work. A booking takes its place in the session and in the day's
online share in the same transaction as the booking's row, each with one conditional update,
so no interleaving of kiosks and booking pages ever grants more than the hall file allows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from antre.events import new_meta, timestamp
from antre.hall import model
from antre.hall.model import Hall, Service
from antre.problems import Conflict, Invalid, NotFound, Problem, Refused
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from services.ticketing.adapters import bookings as store
from services.ticketing.domain import bookings, citizen_bookings, nik
from services.ticketing.domain.citizen_bookings import Booking, State
from services.ticketing.domain.tickets import resolve_service
from services.ticketing.handlers import limits as booking_limits
from services.ticketing.handlers.deps import Deps, PhoneCheck
from services.ticketing.handlers.limits import Limits
from services.ticketing.handlers.phones import prove_phone

CHANNELS = {"online": pb.CHANNEL_ONLINE, "staff": pb.CHANNEL_STAFF, "agency": pb.CHANNEL_ONLINE}


@dataclass(frozen=True)
class Book:
    service: str
    day: dt.date
    session: dt.time
    nik: str
    name: str
    phone: str
    email: str = ""
    language: str = "id"
    channel: str = "online"  # online, staff (help desk) or agency (an agency's system)
    client: str = "public"  # rate-limit key of the caller: an address, a desk, an API key name
    code_id: str = ""  # the one-time code sent to the phone (POST /api/v1/phone-codes) ...
    code: str = ""  # ... and the citizen's answer


def book(
    deps: Deps,
    cmd: Book,
    secret: bytes,
    limits: Limits = Limits(),
    phone_check: PhoneCheck | None = None,
) -> Booking:
    """``phone_check``: the hall proves online bookers' phones (ANTRE_BOOKING_PHONE_CHECK); the
    help desk and agencies' systems vouch for their citizens and need no code."""
    hall = deps.hall
    service, rules = bookable(hall, cmd.service)
    now = deps.uow.clock()
    citizen = nik.parse_nik(cmd.nik, hall.day_of(now))
    phone = citizen_bookings.normalize_phone(cmd.phone)
    citizen_bookings.check_contact(cmd.name, cmd.email)
    booking_limits.limit(
        deps, f"client:{cmd.client}", limits.per_api_key if cmd.channel == "agency" else limits.per_client
    )
    booking_limits.limit(deps, f"phone:{phone}", limits.per_phone)
    slot = find_slot(deps, service, cmd.day, cmd.session)
    bookings.check_bookable(service, hall.hours, slot, now, hall.timezone)
    if phone_check is not None and cmd.channel == "online":
        prove_phone(phone_check, cmd.code_id, cmd.code, phone)
    key = nik.nik_key(citizen, secret)
    with deps.uow.begin() as tx:
        since = hall.day_of(now) - dt.timedelta(days=hall.no_shows.window_days + hall.no_shows.block_days)
        bookings.check_not_blocked(store.no_show_days(tx.conn, key, since), hall.no_shows, hall.day_of(now))
        _take(tx, service, rules, slot)
        booking = Booking(
            id=deps.new_id(),
            code=bookings.booking_code(secrets.token_bytes(bookings.CODE_BYTES)),
            service=service.code,
            agency=service.agency,
            day=slot.day,
            session_start=slot.start.astimezone(dt.UTC),
            session_end=slot.end.astimezone(dt.UTC),
            nik_key=key,
            nik_masked=nik.mask(citizen),
            name=cmd.name.strip()[:128],
            phone=phone,
            email=cmd.email.strip(),
            language="en" if cmd.language == "en" else "id",
            channel=cmd.channel,
            client=cmd.client[:64],
            state=State.BOOKED,
            created_at=tx.now,
        )
        _add(tx, booking)
        tx.publish(
            pb.BookingCreated(
                meta=new_meta(hall.id, service.agency, tx.now),
                booking_id=booking.id,
                code=booking.code,
                slot=slot_pb(booking),
                contact=pb.Contact(
                    name=booking.name, phone=phone, email=booking.email, language=booking.language
                ),
                channel=CHANNELS.get(cmd.channel, pb.CHANNEL_ONLINE),
            )
        )
    deps.metrics.online_taken.labels(service.agency, service.code).inc()
    return booking


def lookup(
    deps: Deps, code: str, client: str = "", channel: str = "online", limits: Limits = Limits()
) -> Booking:
    """A booking by its code. An unknown code counts as a wrong guess of the ``client`` (empty: a
    call from inside the service), as at cancel and reschedule: codes cannot be walked here."""
    parsed = bookings.parse_booking_code(code)
    if client:
        booking_limits.check_guesses(deps, client, channel, limits)
    with deps.uow.read() as conn:
        found = store.by_code(conn, parsed)
    if found is None:
        if client:
            booking_limits.count_guess(deps, client)
        raise unknown_booking()
    return found


@dataclass(frozen=True)
class Owner:
    """Who claims a booking: the NIK given with its code, and the caller asking (as in :class:`Book`)."""

    nik: str
    client: str = "public"
    channel: str = "online"


def cancel(
    deps: Deps,
    code: str,
    owner: Owner,
    secret: bytes,
    reason: str = "citizen",
    limits: Limits = Limits(),
) -> Booking:
    with _as_owner(deps, code, owner, secret, limits) as (tx, current):
        cancelled = citizen_bookings.cancel(current, tx.now)
        store.save(tx.conn, cancelled)
        store.release_session(tx.conn, current.service, current.session_start)
        store.release_online(tx.conn, current.service, current.day)
        tx.publish(
            pb.BookingCancelled(
                meta=new_meta(deps.hall.id, current.agency, tx.now),
                booking_id=current.id,
                slot=slot_pb(current),
                reason=reason,
            )
        )
    return cancelled


def reschedule(
    deps: Deps,
    code: str,
    owner: Owner,
    secret: bytes,
    day: dt.date,
    session: dt.time,
    limits: Limits = Limits(),
) -> Booking:
    """Move to another session (another day too): the new place is taken before the old one is
    given back, in one transaction, so a full day refuses and the old booking stands."""
    with _as_owner(deps, code, owner, secret, limits) as (tx, current):
        service, rules = bookable(deps.hall, current.service)
        slot = find_slot(deps, service, day, session)
        bookings.check_bookable(service, deps.hall.hours, slot, tx.now, deps.hall.timezone)
        moved = citizen_bookings.move(
            current, slot.day, slot.start.astimezone(dt.UTC), slot.end.astimezone(dt.UTC), tx.now
        )
        if moved.session_start == current.session_start:
            return current
        store.release_session(tx.conn, current.service, current.session_start)
        store.release_online(tx.conn, current.service, current.day)
        _take(tx, service, rules, slot)
        try:
            with tx.conn.begin_nested():
                store.save(tx.conn, moved)
        except IntegrityError:
            raise _already_booked() from None
        tx.publish(
            pb.BookingRescheduled(
                meta=new_meta(deps.hall.id, current.agency, tx.now),
                booking_id=current.id,
                previous=slot_pb(current),
                slot=slot_pb(moved),
            )
        )
    return moved


def unlock(deps: Deps, code: str) -> Booking:
    """The help desk, having seen the citizen's KTP, unlocks a code locked by wrong NIKs."""
    with deps.uow.begin() as tx:
        current = store.by_code(tx.conn, bookings.parse_booking_code(code), lock=True)
        if current is None:
            raise unknown_booking()
        store.reset_nik_failures(tx.conn, current.id, tx.now)
    return citizen_bookings.unlocked(current, tx.now)


# ---- helpers ----


def bookable(hall: Hall, code: str) -> tuple[Service, model.Booking]:
    service = resolve_service(hall, code)  # an unknown code: NotFound
    if service.booking is None:
        raise Refused(
            "booking_not_offered",
            f"Layanan {service.name} tidak menerima reservasi online; silakan datang langsung",
            f"{service.name_en or service.name} takes no online bookings; please come in person",
        )
    return service, service.booking


def find_slot(deps: Deps, service: Service, day: dt.date, session: dt.time) -> bookings.SessionSlot:
    for slot in bookings.sessions_on(service, day, deps.hall.hours, deps.hall.timezone):
        if slot.start.time() == session:
            return slot
    raise Invalid(
        "session_unknown",
        f"Tidak ada sesi pukul {session:%H:%M} pada {day:%d-%m-%Y}",
        f"There is no {session:%H:%M} session on {day.isoformat()}",
    )


def _take(tx: Transaction, service: Service, rules: model.Booking, slot: bookings.SessionSlot) -> None:
    store.ensure_pool(tx.conn, service.code, slot.day, rules)
    if not store.take_session(tx.conn, service.code, slot.start.astimezone(dt.UTC), slot.capacity):
        bookings.check_session_room(slot, slot.capacity)  # raises: the session is full
    if not store.take_from_pool(tx.conn, service.code, slot.day, "online"):
        store.pool(tx.conn, service.code, slot.day, rules).take_online()  # raises: the share is used up


def _add(tx: Transaction, booking: Booking) -> None:
    try:
        with tx.conn.begin_nested():
            store.add(tx.conn, booking)
    except IntegrityError:
        raise _already_booked() from None


def _already_booked() -> Conflict:
    return Conflict(
        "already_booked",
        "NIK ini sudah punya reservasi aktif untuk layanan ini pada hari itu",
        "This NIK already has an active booking for this service on that day",
    )


def unknown_booking() -> NotFound:
    return NotFound("unknown_booking", "Kode reservasi tidak ditemukan", "Booking code not found")


@contextmanager
def _as_owner(
    deps: Deps, code: str, owner: Owner, secret: bytes, limits: Limits
) -> Iterator[tuple[Transaction, Booking]]:
    """The transaction in which the caller acts on the booking it proved to own.

    A right NIK and a wrong one must not be told apart without a limit. The client's wrong
    guesses this hour and the code's lock are checked before the NIK is even read, so past a
    limit every NIK gets the same refusal. A wrong NIK is counted on the booking inside this
    transaction, under the row's lock (PostgreSQL), and committed before the refusal is raised:
    parallel guesses at one code take turns and the fifth locks it for all of them."""
    parsed = bookings.parse_booking_code(code)
    booking_limits.check_guesses(deps, owner.client, owner.channel, limits)
    refusal: Problem
    with deps.uow.begin() as tx:
        current = store.by_code(tx.conn, parsed, lock=True)
        if current is None:
            refusal = unknown_booking()
        else:
            citizen_bookings.check_not_locked(current, limits.wrong_niks_per_code)
            citizen = nik.parse_nik(owner.nik, deps.hall.day_of(tx.now))
            if citizen_bookings.owns(current, nik.nik_key(citizen, secret)):
                yield tx, current
                return
            store.count_nik_failure(tx.conn, current.id)
            refusal = citizen_bookings.not_yours()
    booking_limits.count_guess(deps, owner.client)
    raise refusal


def slot_pb(booking: Booking) -> pb.BookingSlot:
    return pb.BookingSlot(
        service=booking.service,
        day=booking.day.isoformat(),
        session_start=timestamp(booking.session_start),
        session_end=timestamp(booking.session_end),
    )
