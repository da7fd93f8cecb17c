"""Online booking rules: which sessions a day offers, what may be booked now, the day's one pool of
numbers shared by the kiosk and the booking page, the check-in window, no-show blocking and the
code a citizen shows at the kiosk.

Pure rules. The store applies the pool arithmetic atomically (one row per service and day, updated
with the same condition :class:`DayPool` states), so that the kiosk and the booking page read one
truth; this module only says what the condition is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from antre.hall.model import WEEKDAYS, Booking, DayHours, Hours, NoShowRule, Service, Session
from antre.problems import Invalid, Refused

CheckInState = Literal["early", "on_time", "late", "missed"]

# ---- sessions ----


@dataclass(frozen=True)
class SessionSlot:
    """One session of one day, in the hall's time zone (aware datetimes)."""

    service: str
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    capacity: int

    @property
    def key(self) -> str:
        """Stable name of the slot for stores and URLs: ``ktp-el/2026-12-01/09:00``."""
        return f"{self.service}/{self.day.isoformat()}/{self.start:%H:%M}"


def _hhmm(moment: dt.datetime | dt.time) -> str:
    return moment.strftime("%H:%M")


def _open_hours(hours: Hours, day: dt.date) -> DayHours | None:
    if any(h.date == day for h in hours.holidays):
        return None
    return hours.on(day)


def _offered(booking: Booking, day: dt.date, hours: Hours) -> list[Session]:
    """The booking sessions the hall offers on ``day``: only when it is open, only sessions that
    start while numbers are issued (opening <= start < closing - cutoff: after the cutoff the
    hall stops taking people in, booked or not), and none that starts inside a break (nobody is
    called then; a session merely overlapping a break's start is kept)."""
    open_hours = _open_hours(hours, day)
    if open_hours is None:
        return []
    cutoff = (dt.datetime.combine(day, open_hours.close) - dt.timedelta(minutes=hours.cutoff_minutes)).time()
    weekday = WEEKDAYS[day.weekday()]
    return [
        s
        for s in booking.sessions
        if open_hours.open <= s.start < cutoff
        and not any(weekday in b.days and b.start <= s.start < b.end for b in hours.breaks)
    ]


def sessions_on(service: Service, day: dt.date, hours: Hours, tz: str) -> list[SessionSlot]:
    """The day's bookable sessions (see :func:`_offered` for which), as aware datetimes in ``tz``.
    A service without booking, a closed weekday and a holiday have none."""
    if service.booking is None:
        return []
    zone = ZoneInfo(tz)
    return [
        SessionSlot(
            service=service.code,
            day=day,
            start=dt.datetime.combine(day, s.start, tzinfo=zone),
            end=dt.datetime.combine(day, s.end, tzinfo=zone),
            capacity=s.capacity,
        )
        for s in _offered(service.booking, day, hours)
    ]


def bookable_days(service: Service, hours: Hours, today: dt.date, now_local: dt.datetime) -> list[dt.date]:
    """Days from ``today`` to ``today + days_ahead`` (both included) with at least one session not
    yet started. ``today`` is the hall day and ``now_local`` the hall's wall time (naive or aware in
    the hall's zone; only its wall-clock reading is used). Whether a day still has room is the
    pool's business: the page offers the next of these days with space when one is full."""
    booking = service.booking
    if booking is None:
        return []
    wall = now_local.replace(tzinfo=None)
    days = []
    for offset in range(booking.days_ahead + 1):
        day = today + dt.timedelta(days=offset)
        if any(dt.datetime.combine(day, s.start) > wall for s in _offered(booking, day, hours)):
            days.append(day)
    return days


def check_bookable(service: Service, hours: Hours, slot: SessionSlot, now: dt.datetime, tz: str) -> None:
    """Raise :class:`Refused` unless ``slot`` may be booked at ``now``: the service takes bookings,
    the session has not started (a session is bookable until its start), its day is at most
    ``days_ahead`` after today (hall day), the hall is open that day and offers that session."""
    booking = service.booking
    if booking is None:
        raise Refused(
            "booking_not_offered",
            f"Layanan {service.name} tidak menerima antrean online; silakan datang langsung",
            f"{service.name_en or service.name} takes no online bookings; please come in person",
        )
    if slot.service != service.code:
        raise Invalid(
            "booking_wrong_service",
            "Sesi yang dipilih bukan untuk layanan ini",
            "The chosen session is not for this service",
        )
    if slot.start <= now:
        raise Refused(
            "session_past",
            "Sesi ini sudah dimulai atau lewat; silakan pilih sesi lain",
            "This session has started or is over; please choose another one",
        )
    today = now.astimezone(ZoneInfo(tz)).date()
    last = today + dt.timedelta(days=booking.days_ahead)
    if slot.day > last:
        raise Refused(
            "booking_too_far_ahead",
            f"Pemesanan paling jauh {booking.days_ahead} hari ke depan (sampai {last:%d-%m-%Y})",
            f"Bookings open at most {booking.days_ahead} days ahead (until {last:%Y-%m-%d})",
        )
    holiday = next((h for h in hours.holidays if h.date == slot.day), None)
    if holiday is not None:
        raise Refused(
            "closed_holiday",
            f"Tanggal {slot.day:%d-%m-%Y} libur ({holiday.name}); layanan tutup",
            f"Closed on {slot.day:%Y-%m-%d} for a holiday ({holiday.name})",
        )
    if hours.on(slot.day) is None:
        raise Refused(
            "closed_day",
            f"Layanan tutup pada tanggal {slot.day:%d-%m-%Y}",
            f"The hall is closed on {slot.day:%Y-%m-%d}",
        )
    offered = sessions_on(service, slot.day, hours, tz)
    if not any(s.start == slot.start and s.end == slot.end for s in offered):
        raise Refused(
            "session_unknown",
            f"Tidak ada sesi pukul {_hhmm(slot.start)} pada tanggal {slot.day:%d-%m-%Y}",
            f"There is no {_hhmm(slot.start)} session on {slot.day:%Y-%m-%d}",
        )


# ---- one pool of numbers per service and day ----


@dataclass(frozen=True)
class DayPool:
    """A service's numbers for one day: ``daily_quota`` in all, of which ``online_quota`` are for
    bookings and the other ``daily_quota - online_quota`` for walk-ins (kiosk and staff-issued
    numbers). Neither side takes the other's share, not even when it runs out, and what is left of
    either is the same figure on the kiosk and on the booking page: the JARI failure (bookings
    refused while the page showed space, because walk-ins drew on the same count) cannot happen.

    A booking takes one online place when it is made, not at check-in; cancelling gives it back; a
    no-show keeps it (the day is gone). Checking in, on time or late, draws nothing more: the
    ticket it gives was paid for by the booking. The store applies :meth:`take_online` and
    :meth:`take_walk_in` as one conditional update (``... SET online_used = online_used + 1 WHERE
    online_used < online_quota``), so that no interleaving grants more than the quota."""

    daily_quota: int
    online_quota: int
    online_used: int = 0
    walk_in_used: int = 0

    @classmethod
    def of(cls, booking: Booking, online_used: int = 0, walk_in_used: int = 0) -> DayPool:
        return cls(booking.daily_quota, booking.online_quota, online_used, walk_in_used)

    @property
    def walk_in_quota(self) -> int:
        return self.daily_quota - self.online_quota

    @property
    def online_left(self) -> int:
        return max(0, self.online_quota - self.online_used)

    @property
    def walk_in_left(self) -> int:
        return max(0, self.walk_in_quota - self.walk_in_used)

    def take_online(self) -> DayPool:
        if self.online_left == 0:
            raise Refused(
                "online_quota_full",
                "Kuota antrean online untuk hari ini sudah habis; silakan pilih hari lain",
                "Today's online quota is full; please choose another day",
            )
        return replace(self, online_used=self.online_used + 1)

    def take_walk_in(self) -> DayPool:
        if self.walk_in_left == 0:
            raise Refused(
                "walk_in_quota_full",
                "Kuota nomor antrean datang langsung hari ini sudah habis",
                "No walk-in numbers left for today",
            )
        return replace(self, walk_in_used=self.walk_in_used + 1)

    def release_online(self) -> DayPool:
        """A cancelled (or rescheduled-away) booking gives its place back."""
        return replace(self, online_used=max(0, self.online_used - 1))


def session_left(capacity: int, booked: int) -> int:
    """Places left in a session. A booking needs a place in its session *and* in the day's online
    share (:attr:`DayPool.online_left`): the online quota may be smaller than the sessions' total."""
    return max(0, capacity - booked)


def check_session_room(slot: SessionSlot, booked: int) -> None:
    if session_left(slot.capacity, booked) == 0:
        raise Refused(
            "session_full",
            f"Sesi pukul {_hhmm(slot.start)} sudah penuh; silakan pilih sesi lain",
            f"The {_hhmm(slot.start)} session is full; please choose another one",
        )


# ---- check-in ----


def check_in_window(slot: SessionSlot, booking: Booking) -> tuple[dt.datetime, dt.datetime]:
    """``[opens, closes)``: from ``check_in_early_minutes`` before the session's start to
    ``check_in_late_minutes`` after it."""
    return (
        slot.start - _minutes(booking.check_in_early_minutes),
        slot.start + _minutes(booking.check_in_late_minutes),
    )


@lru_cache(maxsize=64)
def _minutes(n: int) -> dt.timedelta:
    """Made once per number of minutes: every check-in asks for the same two again."""
    return dt.timedelta(minutes=n)


def check_in_state(slot: SessionSlot, booking: Booking, now: dt.datetime) -> CheckInState:
    """``early`` before the window opens; ``on_time`` from then up to and including the session's
    start; ``late`` after the start while the window is open; ``missed`` once it has closed."""
    return _state(slot, now, *check_in_window(slot, booking))


def _state(slot: SessionSlot, now: dt.datetime, opens: dt.datetime, closes: dt.datetime) -> CheckInState:
    if now < opens:
        return "early"
    if now <= slot.start:
        return "on_time"
    if now < closes:
        return "late"
    return "missed"


@dataclass(frozen=True)
class Admission:
    """How a checked-in booking joins the queue: the ticket's queue time is the check-in time in
    both cases; ``session_start`` is what the counters' blending sees (None: a walk-in)."""

    state: CheckInState  # on_time or late
    session_start: dt.datetime | None

    @property
    def booked(self) -> bool:
        return self.session_start is not None


def admit(slot: SessionSlot, booking: Booking, now: dt.datetime) -> Admission:
    """The late rule. On time: the ticket keeps its session (under ``near_slot`` it is called
    from the session's start, ahead of walk-ins who come later). Late but within the window: it
    joins as a walk-in at check-in time and loses the slot's advantage (it still needs no walk-in
    number: the booking paid for it). Too early: refused, come back when the window opens.
    Missed: refused; the booking is a no-show."""
    opens, closes = check_in_window(slot, booking)
    state = _state(slot, now, opens, closes)  # check_in_state, with the window made once
    if state == "early":
        raise Refused(
            "check_in_too_early",
            f"Konfirmasi kedatangan dibuka pukul {_hhmm(opens)} untuk sesi {_hhmm(slot.start)}",
            f"Check-in opens at {_hhmm(opens)} for the {_hhmm(slot.start)} session",
        )
    if state == "missed":
        raise Refused(
            "booking_missed",
            f"Batas konfirmasi kedatangan pukul {_hhmm(closes)} sudah lewat; reservasi tercatat tidak "
            "hadir. Silakan ambil nomor antrean datang langsung",
            f"Check-in closed at {_hhmm(closes)}; the booking counts as a no-show. "
            "Please take a walk-in number",
        )
    return Admission(state, slot.start if state == "on_time" else None)


def no_show_due(slot: SessionSlot, booking: Booking, now: dt.datetime) -> bool:
    """A booking not checked in becomes a no-show once its window has closed."""
    return now >= check_in_window(slot, booking)[1]


# ---- no-shows block online booking ----


def blocked_until(no_show_dates: Iterable[dt.date], rule: NoShowRule, today: dt.date) -> dt.date | None:
    """The day online booking opens again for a citizen (NIK) with these no-shows, or None if
    they may book today.

    Reaching ``limit`` no-shows within ``window_days`` days (the no-show's day and the
    ``window_days - 1`` before it) blocks online booking on that day and the ``block_days - 1``
    after it: it opens again on ``day + block_days``. Each no-show counts towards one block at
    most, so a citizen who served a block starts again from zero. Walk-ins are never blocked, and
    bookings made before the block stand. A ``limit`` below 1 disables blocking."""
    if rule.limit < 1:
        return None
    counting: list[dt.date] = []
    until: dt.date | None = None
    for day in sorted(d for d in no_show_dates if d <= today):
        counting = [d for d in counting if (day - d).days < rule.window_days]
        counting.append(day)
        if len(counting) >= rule.limit:
            until = day + dt.timedelta(days=rule.block_days)
            counting = []
    return until if until is not None and today < until else None


def check_not_blocked(no_show_dates: Iterable[dt.date], rule: NoShowRule, today: dt.date) -> None:
    until = blocked_until(no_show_dates, rule, today)
    if until is not None:
        raise Refused(
            "booking_blocked",
            f"Antrean online diblokir karena {rule.limit} kali tidak hadir; dapat memesan lagi mulai "
            f"{until:%d-%m-%Y}. Anda tetap dapat datang langsung",
            f"Online booking is blocked after {rule.limit} no-shows; you can book again from "
            f"{until:%Y-%m-%d}. You may still come in person",
            until=until.isoformat(),
        )


# ---- booking codes ----

# 32 symbols without 0/O and 1/I, which people misread on a screen or a printout. 32 = 2^5, so
# each symbol is exactly 5 random bits: no modulo bias.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8  # 40 bits: guessing one of even 10,000 live codes takes ~10^8 tries (rate-limited)
CODE_BYTES = CODE_LENGTH * 5 // 8


def booking_code(rng_bytes: bytes) -> str:
    """An 8-symbol code from the first 5 bytes given (the caller draws them, e.g. from
    ``secrets.token_bytes(5)`` or a seeded generator in a simulation). Uniqueness among live
    bookings is the store's check: draw again on a clash."""
    if len(rng_bytes) < CODE_BYTES:
        raise ValueError(f"a booking code needs {CODE_BYTES} random bytes")
    bits = int.from_bytes(rng_bytes[:CODE_BYTES], "big")
    return "".join(CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


def parse_booking_code(text: str) -> str:
    """A code as typed at the kiosk or help desk: case, spaces and dashes do not matter."""
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise Invalid(
            "booking_code_invalid",
            "Kode reservasi terdiri dari 8 huruf/angka (tanpa 0, O, 1, I)",
            "A booking code has 8 letters or digits (no 0, O, 1 or I)",
        )
    return code
