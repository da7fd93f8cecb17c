"""Ticketing's reservation commands: book, look up, cancel, move, check in, and the no-show sweep.
(The walk-in commands are in :mod:`services.ticketing.handlers`.)

Every command is one unit of work. A booking takes its place in the session and in the day's
online share in the same transaction as the reservation row, each with one conditional update,
so no interleaving of kiosks and booking pages ever grants more than the hall file allows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from antre.events import new_meta, ticket_ref, timestamp
from antre.hall.model import Booking, Hall, PriorityGroup, Service
from antre.problems import Conflict, Forbidden, Invalid, NotFound, Problem, Refused
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from services.ticketing import booking_limits, handlers
from services.ticketing.adapters import repository as ticket_store
from services.ticketing.adapters import reservations as store
from services.ticketing.adapters.phone_codes import Checked
from services.ticketing.booking_limits import Limits
from services.ticketing.domain import bookings, hours, nik, reservations
from services.ticketing.domain.reservations import Reservation, State
from services.ticketing.domain.tickets import State as TicketState
from services.ticketing.domain.tickets import Ticket, resolve_service

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


class PhoneCheck(Protocol):
    """Notify's one-time codes (:mod:`services.ticketing.adapters.phone_codes`)."""

    def check(self, code_id: str, code: str, phone: str) -> Checked: ...


def book(
    deps: handlers.Deps,
    cmd: Book,
    secret: bytes,
    limits: Limits = Limits(),
    phone_check: PhoneCheck | None = None,
) -> Reservation:
    """``phone_check``: the hall proves online bookers' phones (ANTRE_BOOKING_PHONE_CHECK); the
    help desk and agencies' systems vouch for their citizens and need no code."""
    hall = deps.hall
    service, booking = _bookable(hall, cmd.service)
    now = deps.uow.clock()
    citizen = nik.parse_nik(cmd.nik, hall.day_of(now))
    phone = reservations.normalize_phone(cmd.phone)
    reservations.check_contact(cmd.name, cmd.email)
    booking_limits.limit(
        deps, f"client:{cmd.client}", limits.per_api_key if cmd.channel == "agency" else limits.per_client
    )
    booking_limits.limit(deps, f"phone:{phone}", limits.per_phone)
    slot = _slot(deps, service, cmd.day, cmd.session)
    bookings.check_bookable(service, hall.hours, slot, now, hall.timezone)
    if phone_check is not None and cmd.channel == "online":
        _prove_phone(phone_check, cmd, phone)
    key = nik.nik_key(citizen, secret)
    with deps.uow.begin() as tx:
        since = hall.day_of(now) - dt.timedelta(days=hall.no_shows.window_days + hall.no_shows.block_days)
        bookings.check_not_blocked(store.no_show_days(tx.conn, key, since), hall.no_shows, hall.day_of(now))
        _take(tx, service, booking, slot)
        reservation = Reservation(
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
        _add(tx, reservation)
        tx.publish(
            pb.BookingCreated(
                meta=new_meta(hall.id, service.agency, tx.now),
                booking_id=reservation.id,
                code=reservation.code,
                slot=_slot_pb(reservation),
                contact=pb.Contact(
                    name=reservation.name, phone=phone, email=reservation.email, language=reservation.language
                ),
                channel=CHANNELS.get(cmd.channel, pb.CHANNEL_ONLINE),
            )
        )
    deps.metrics.online_taken.labels(service.agency, service.code).inc()
    return reservation


def lookup(
    deps: handlers.Deps, code: str, client: str = "", channel: str = "online", limits: Limits = Limits()
) -> Reservation:
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
        raise _unknown_booking()
    return found


@dataclass(frozen=True)
class Owner:
    """Who claims a booking: the NIK given with its code, and the caller asking (as in :class:`Book`)."""

    nik: str
    client: str = "public"
    channel: str = "online"


def cancel(
    deps: handlers.Deps,
    code: str,
    owner: Owner,
    secret: bytes,
    reason: str = "citizen",
    limits: Limits = Limits(),
) -> Reservation:
    with _as_owner(deps, code, owner, secret, limits) as (tx, current):
        cancelled = reservations.cancel(current, tx.now)
        store.save(tx.conn, cancelled)
        store.release_session(tx.conn, current.service, current.session_start)
        store.release_online(tx.conn, current.service, current.day)
        tx.publish(
            pb.BookingCancelled(
                meta=new_meta(deps.hall.id, current.agency, tx.now),
                booking_id=current.id,
                slot=_slot_pb(current),
                reason=reason,
            )
        )
    return cancelled


def reschedule(
    deps: handlers.Deps,
    code: str,
    owner: Owner,
    secret: bytes,
    day: dt.date,
    session: dt.time,
    limits: Limits = Limits(),
) -> Reservation:
    """Move to another session (another day too): the new place is taken before the old one is
    given back, in one transaction, so a full day refuses and the old booking stands."""
    with _as_owner(deps, code, owner, secret, limits) as (tx, current):
        service, booking = _bookable(deps.hall, current.service)
        slot = _slot(deps, service, day, session)
        bookings.check_bookable(service, deps.hall.hours, slot, tx.now, deps.hall.timezone)
        moved = reservations.move(
            current, slot.day, slot.start.astimezone(dt.UTC), slot.end.astimezone(dt.UTC), tx.now
        )
        if moved.session_start == current.session_start:
            return current
        store.release_session(tx.conn, current.service, current.session_start)
        store.release_online(tx.conn, current.service, current.day)
        _take(tx, service, booking, slot)
        try:
            with tx.conn.begin_nested():
                store.save(tx.conn, moved)
        except IntegrityError:
            raise _already_booked() from None
        tx.publish(
            pb.BookingRescheduled(
                meta=new_meta(deps.hall.id, current.agency, tx.now),
                booking_id=current.id,
                previous=_slot_pb(current),
                slot=_slot_pb(moved),
            )
        )
    return moved


def unlock(deps: handlers.Deps, code: str) -> Reservation:
    """The help desk, having seen the citizen's KTP, unlocks a code locked by wrong NIKs."""
    with deps.uow.begin() as tx:
        current = store.by_code(tx.conn, bookings.parse_booking_code(code), lock=True)
        if current is None:
            raise _unknown_booking()
        store.reset_nik_failures(tx.conn, current.id, tx.now)
    return reservations.unlocked(current, tx.now)


def check_in(
    deps: handlers.Deps,
    code: str,
    kiosk_id: str = "",
    priority: PriorityGroup = PriorityGroup.NONE,
    device_token: str | None = None,
) -> Ticket:
    """At the kiosk: the booking's ticket. Scanning twice gives the same ticket. ``priority`` is
    declared on arrival, as at a walk-in number: an elderly or pregnant citizen who booked keeps
    the priority lane (a booking made weeks before does not say it). ``device_token``: the
    kiosk's, which names it (None: a call from inside the service)."""
    kiosk = handlers.kiosk_of(deps, kiosk_id)
    with deps.uow.begin() as tx:
        if device_token is not None:
            kiosk = handlers.kiosk_of(deps, handlers.kiosk_of_token(tx.conn, device_token, kiosk_id))
        current = store.by_code(tx.conn, bookings.parse_booking_code(code), lock=True)
        if current is None:
            raise _unknown_booking()
        earlier = ticket_store.get(tx.conn, current.ticket_id) if current.state == State.CHECKED_IN else None
        if earlier is not None and earlier.state != TicketState.CANCELLED:
            return earlier  # scanned twice: the same ticket
        service, booking = _bookable(deps.hall, current.service)
        slot = _slot(deps, service, current.day, deps.hall.local(current.session_start).time())
        try:
            if deps.hall.day_of(tx.now) != current.day:
                raise Refused(
                    "booking_other_day",
                    f"Reservasi ini untuk tanggal {current.day:%d-%m-%Y}",
                    f"This booking is for {current.day.isoformat()}",
                )
            if earlier is None:
                admission = bookings.admit(slot, booking, tx.now)  # too early or missed: refused
        except Refused as refusal:
            raise _outside_window(deps, tx, service, booking, slot, refusal) from None
        if earlier is not None:
            # The first ticket never printed: a fresh one keeps the first check-in's admission.
            kept = earlier.session_start
            admission = bookings.Admission("on_time" if kept else "late", kept)
        ticket = handlers.open_ticket(
            deps,
            tx,
            service,
            priority,
            kiosk,
            "online",
            booking_id=current.id,
            session_start=admission.session_start.astimezone(dt.UTC) if admission.session_start else None,
        )
        if earlier is not None:
            store.save(tx.conn, reservations.reissued(current, ticket.id, tx.now))
        else:
            store.save(tx.conn, reservations.checked_in(current, ticket.id, tx.now))
        tx.publish(
            pb.BookingCheckedIn(
                meta=new_meta(deps.hall.id, current.agency, tx.now),
                booking_id=current.id,
                ticket=ticket_ref(ticket),
                late=admission.state == "late",
            )
        )
    if ticket.state.value == "waiting":
        handlers.report_issued(deps, ticket, fresh=True)
    return ticket


def _outside_window(
    deps: handlers.Deps,
    tx: Transaction,
    service: Service,
    booking: Booking,
    slot: bookings.SessionSlot,
    refusal: Refused,
) -> Refused:
    """A check-in outside its window says when the window opens, while that is ahead
    (``opens_at``, hall time), and whether the citizen can take a walk-in number for the service
    now instead (``walk_in``: the hall issues and the day's walk-in places are not used up)."""
    opens, _ = bookings.check_in_window(slot, booking)
    if opens > tx.now:
        refusal.details["opens_at"] = deps.hall.local(opens).isoformat()
    refusal.details["service"] = service.code
    try:
        hours.check_issuing(deps.hall.hours, deps.hall.local(tx.now), always_open=deps.always_open)
    except Refused:
        refusal.details["walk_in"] = False
    else:
        left = store.pool(tx.conn, service.code, deps.hall.day_of(tx.now), booking).walk_in_left
        refusal.details["walk_in"] = left > 0
    return refusal


def mark_no_shows(deps: handlers.Deps) -> list[Reservation]:
    """Bookings whose check-in window closed without a check-in become no-shows (as events); the
    online place stays used: the session is gone."""
    done: list[Reservation] = []
    with deps.uow.begin() as tx:
        for current in store.due_for_no_show(tx.conn, tx.now):
            service = deps.hall.service(current.service)
            if service is None or service.booking is None:
                continue
            slot = _slot(deps, service, current.day, deps.hall.local(current.session_start).time())
            if not bookings.no_show_due(slot, service.booking, tx.now):
                continue
            missed = reservations.no_show(current, tx.now)
            store.save(tx.conn, missed)
            store.add_no_show(tx.conn, missed)
            tx.publish(
                pb.BookingNoShow(
                    meta=new_meta(deps.hall.id, current.agency, tx.now),
                    booking_id=current.id,
                    slot=_slot_pb(current),
                )
            )
            done.append(missed)
    return done


@dataclass(frozen=True)
class SessionView:
    start: dt.datetime
    end: dt.datetime
    capacity: int
    left: int


def availability(deps: handlers.Deps, code: str) -> list[tuple[dt.date, bookings.DayPool, list[SessionView]]]:
    """Each bookable day with the day's pool and each session's places left: the same counts the
    kiosk and the booking commands use."""
    service, booking = _bookable(deps.hall, code)
    now = deps.uow.clock()
    hall = deps.hall
    out = []
    with deps.uow.read() as conn:
        for day in bookings.bookable_days(service, hall.hours, hall.day_of(now), hall.local(now)):
            slots = [
                s for s in bookings.sessions_on(service, day, hall.hours, hall.timezone) if s.start > now
            ]
            booked = store.sessions_booked(conn, service.code, [s.start.astimezone(dt.UTC) for s in slots])
            views = [
                SessionView(
                    s.start,
                    s.end,
                    s.capacity,
                    bookings.session_left(s.capacity, booked.get(s.start.astimezone(dt.UTC), 0)),
                )
                for s in slots
            ]
            out.append((day, store.pool(conn, service.code, day, booking), views))
    return out


def pool(deps: handlers.Deps, code: str, day: dt.date) -> bookings.DayPool:
    _, booking = _bookable(deps.hall, code)
    with deps.uow.read() as conn:
        return store.pool(conn, code, day, booking)


# ---- helpers ----


def _bookable(hall: Hall, code: str) -> tuple[Service, Booking]:
    service = resolve_service(hall, code)  # an unknown code: NotFound
    if service.booking is None:
        raise Refused(
            "booking_not_offered",
            f"Layanan {service.name} tidak menerima reservasi online; silakan datang langsung",
            f"{service.name_en or service.name} takes no online bookings; please come in person",
        )
    return service, service.booking


def _slot(deps: handlers.Deps, service: Service, day: dt.date, session: dt.time) -> bookings.SessionSlot:
    for slot in bookings.sessions_on(service, day, deps.hall.hours, deps.hall.timezone):
        if slot.start.time() == session:
            return slot
    raise Invalid(
        "session_unknown",
        f"Tidak ada sesi pukul {session:%H:%M} pada {day:%d-%m-%Y}",
        f"There is no {session:%H:%M} session on {day.isoformat()}",
    )


def _take(tx: Transaction, service: Service, booking: Booking, slot: bookings.SessionSlot) -> None:
    store.ensure_pool(tx.conn, service.code, slot.day, booking)
    if not store.take_session(tx.conn, service.code, slot.start.astimezone(dt.UTC), slot.capacity):
        bookings.check_session_room(slot, slot.capacity)  # raises: the session is full
    if not store.take_from_pool(tx.conn, service.code, slot.day, "online"):
        store.pool(tx.conn, service.code, slot.day, booking).take_online()  # raises: the share is used up


def _add(tx: Transaction, reservation: Reservation) -> None:
    try:
        with tx.conn.begin_nested():
            store.add(tx.conn, reservation)
    except IntegrityError:
        raise _already_booked() from None


def _already_booked() -> Conflict:
    return Conflict(
        "already_booked",
        "NIK ini sudah punya reservasi aktif untuk layanan ini pada hari itu",
        "This NIK already has an active booking for this service on that day",
    )


def _unknown_booking() -> NotFound:
    return NotFound("unknown_booking", "Kode reservasi tidak ditemukan", "Booking code not found")


@contextmanager
def _as_owner(
    deps: handlers.Deps, code: str, owner: Owner, secret: bytes, limits: Limits
) -> Iterator[tuple[Transaction, Reservation]]:
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
            refusal = _unknown_booking()
        else:
            reservations.check_not_locked(current, limits.wrong_niks_per_code)
            citizen = nik.parse_nik(owner.nik, deps.hall.day_of(tx.now))
            if reservations.owns(current, nik.nik_key(citizen, secret)):
                yield tx, current
                return
            store.count_nik_failure(tx.conn, current.id)
            refusal = reservations.not_yours()
    booking_limits.count_guess(deps, owner.client)
    raise refusal


def _prove_phone(phone_check: PhoneCheck, cmd: Book, phone: str) -> None:
    """Invented NIKs pass the NIK's structure check; a phone that answers a code cannot be
    invented. Checked last before the place is taken: a right code is spent by the check."""
    if not (cmd.code_id and cmd.code):
        raise Forbidden(
            "phone_code_required",
            "Minta kode verifikasi untuk nomor telepon Anda, lalu masukkan kode tersebut",
            "Ask for a verification code for your phone number, then enter it",
        )
    checked = phone_check.check(cmd.code_id, cmd.code, phone)
    if checked.matched:
        return
    if checked.tries_left:
        raise Forbidden(
            "phone_code_wrong",
            f"Kode verifikasi salah; sisa {checked.tries_left} kali percobaan",
            f"Wrong verification code; {checked.tries_left} tries left",
            tries_left=checked.tries_left,
        )
    raise Forbidden(
        "phone_code_expired",
        "Kode verifikasi tidak berlaku lagi (salah berkali-kali, kedaluwarsa atau sudah dipakai); "
        "minta kode baru",
        "The verification code is no longer valid (too many wrong tries, expired or used); ask for a new one",
    )


def _slot_pb(reservation: Reservation) -> pb.BookingSlot:
    return pb.BookingSlot(
        service=reservation.service,
        day=reservation.day.isoformat(),
        session_start=timestamp(reservation.session_start),
        session_end=timestamp(reservation.session_end),
    )
