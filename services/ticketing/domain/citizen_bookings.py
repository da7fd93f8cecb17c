"""A citizen's booking (*reservasi*): their place in a session, from booking to check-in,
cancellation or no-show. (The rules of sessions, the day's pool and the check-in window are
:mod:`.bookings`; a service's booking settings are the hall file's, ``antre.hall.model.Booking``.)

States: ``booked`` -> ``checked_in`` (a ticket joins the queue) | ``cancelled`` | ``no_show``.
Only a booking still ``booked`` may be cancelled or moved; checking in twice gives the same ticket.
Whoever holds the code and the NIK it was made with may change it (the code alone is printed
on paper and shown on screens). Since a right NIK is answered differently from a wrong one, the
wrong ones are counted on the booking, and a code with :data:`NIK_FAILURES_LOCK` of them is
locked (see :func:`check_not_locked`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from enum import StrEnum

from antre.problems import Conflict, Forbidden, Invalid, TooMany


class State(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


ACTIVE = frozenset({State.BOOKED, State.CHECKED_IN})


@dataclass(frozen=True)
class Booking:
    id: str
    code: str
    service: str
    agency: str
    day: dt.date
    session_start: dt.datetime
    session_end: dt.datetime
    nik_key: str  # keyed hash: the store never holds a NIK in clear
    nik_masked: str
    name: str
    phone: str
    email: str
    language: str
    channel: str  # online, staff, agency
    client: str  # who made it: "public", a help desk or an agency's API key name
    state: State
    created_at: dt.datetime
    ticket_id: str = ""
    updated_at: dt.datetime | None = None
    nik_failures: int = 0  # wrong NIKs given with the code: see check_not_locked


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_phone(text: str) -> str:
    """An Indonesian mobile number as E.164 (+62...): 08xx, 628xx and +628xx are all accepted."""
    digits = re.sub(r"[\s().-]", "", text)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    if not (digits.isdigit() and digits.startswith("628") and 10 <= len(digits) <= 15):
        raise Invalid(
            "phone_invalid",
            "Nomor HP tidak valid (contoh: 0812 3456 7890)",
            "Invalid mobile number (for example 0812 3456 7890)",
        )
    return "+" + digits


def check_contact(name: str, email: str) -> None:
    if not name.strip():
        raise Invalid("name_missing", "Nama wajib diisi", "A name is required")
    if email and not _EMAIL.match(email):
        raise Invalid("email_invalid", "Alamat email tidak valid", "Invalid email address")


# A citizen mistypes a NIK once or twice; five wrong ones are someone guessing. Counted over the
# booking's whole life, not per day: a daily allowance would hand a patient guesser five more
# tries every day until the session (a known birth date leaves only a few dozen candidates).
NIK_FAILURES_LOCK = 5


def check_not_locked(booking: Booking, limit: int = NIK_FAILURES_LOCK) -> None:
    """A locked code refuses every NIK, the right one too, so that the lock answers nothing a
    guesser could use. It stays locked until the help desk, seeing the citizen's KTP, unlocks it;
    checking in at the kiosk needs the code only and still works."""
    if booking.nik_failures >= limit:
        raise TooMany(
            "code_locked",
            f"Kode reservasi {booking.code} dikunci karena NIK salah {limit} kali. Untuk membatalkan "
            "atau memindah jadwal, datanglah ke meja bantuan MPP dengan KTP; konfirmasi kedatangan di "
            "kios tetap dapat dilakukan dengan kode ini",
            f"Booking code {booking.code} is locked after {limit} wrong NIKs. To cancel or move it, "
            "ask the hall's help desk, with your KTP; the code still checks you in at the kiosk",
        )


def owns(booking: Booking, nik_key: str) -> bool:
    return booking.nik_key == nik_key


def not_yours() -> Forbidden:
    return Forbidden(
        "booking_not_yours",
        "NIK tidak cocok dengan reservasi ini",
        "The NIK does not match this booking",
    )


def unlocked(booking: Booking, now: dt.datetime) -> Booking:
    """The help desk has seen the citizen: the count of wrong NIKs starts again."""
    return replace(booking, nik_failures=0, updated_at=now)


def _booked(booking: Booking, action: str) -> None:
    if booking.state != State.BOOKED:
        raise Conflict(
            "booking_not_active",
            f"Reservasi {booking.code} tidak dapat di{action} (status: {booking.state.value})",
            f"Booking {booking.code} cannot be changed now (state: {booking.state.value})",
        )


def cancel(booking: Booking, now: dt.datetime) -> Booking:
    _booked(booking, "batalkan")
    return replace(booking, state=State.CANCELLED, updated_at=now)


def move(booking: Booking, day: dt.date, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Booking:
    _booked(booking, "jadwalkan ulang")
    return replace(booking, day=day, session_start=start, session_end=end, updated_at=now)


def checked_in(booking: Booking, ticket_id: str, now: dt.datetime) -> Booking:
    _booked(booking, "konfirmasi")
    return replace(booking, state=State.CHECKED_IN, ticket_id=ticket_id, updated_at=now)


def reissued(booking: Booking, ticket_id: str, now: dt.datetime) -> Booking:
    """A checked-in booking whose ticket never printed gets a fresh ticket (the cancelled number is
    never called), so a failed print does not cost the citizen their booking."""
    if booking.state != State.CHECKED_IN:
        raise Conflict(
            "booking_not_checked_in", "Reservasi belum dikonfirmasi", "The booking is not checked in"
        )
    return replace(booking, ticket_id=ticket_id, updated_at=now)


def no_show(booking: Booking, now: dt.datetime) -> Booking:
    _booked(booking, "tandai")
    return replace(booking, state=State.NO_SHOW, updated_at=now)
