"""Citizens who booked: what notify keeps to reach them, which channel each gets, which messages
they are owed and when, and how long their contact is kept.

**Contact, minimised.** Only ``booking.created`` brings a contact. Notify keeps the phone only when
a phone channel (WhatsApp or SMS) is configured, the email only when email is, the language, and
never the name. A booking nobody can be reached for is not stored at all.

**Channel rule** (:func:`channels_for`): a known phone gets WhatsApp when it is configured, else
SMS when that is; a known email gets email as well. So a citizen gets at most one phone message
and at most one email per message.

**Messages** and their keys (one delivery per key and channel, whatever events arrive twice):

- ``confirmation`` on ``booking.created`` and on ``booking.rescheduled`` (the new slot), per event;
- ``reminder`` the day before the session at the hall's ``reminder_at``, once per booking and day;
- ``turn_near`` when at most ``booking.turn_near`` tickets are ahead, once per ticket (positions
  come from counters, asked when the queue moved and once a minute, as the blend also reorders
  with time);
- ``called`` on ``ticket.called``, once per ticket, service and counter;
- ``no_show`` on ``booking.no_show``, once per booking;
- ``survey`` (the SKM link) on ``ticket.completed``, once per ticket.

An event's message is made only while it is still useful (:func:`still_useful`): a consumer that
replays an old stream must not confirm last month's bookings or call long-served tickets.

**Quiet hours** hold back only what can wait (:func:`may_wait`): reminder, no-show notice, survey.
A confirmation answers the citizen's own request, and "turn near" and "called" happen only while
the hall serves; held back they would be useless.

**Opt-out** (:func:`allowed_after_opt_out`) is per address: an opted-out phone gets no WhatsApp or
SMS, an opted-out email no email, except the booking confirmation, which carries the code the
citizen needs at check-in and is only ever sent in answer to their own booking. Only a keyed hash
of an opted-out address is stored (:func:`optout_digest`).

**Retention** (:func:`purge_after`): a contact is deleted ``retention_days`` after the end of its
booking day (hall time), moved by a reschedule, and at once when the booking is cancelled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote
from zoneinfo import ZoneInfo

EMAIL = "email"
WHATSAPP = "whatsapp"
SMS = "sms"
PHONE_CHANNELS = (WHATSAPP, SMS)
CHANNELS = (EMAIL, WHATSAPP, SMS)
LANGUAGES = ("id", "en")
EVENT_PREFIX = "citizen."
CALLED_FRESH = dt.timedelta(minutes=15)  # later, the citizen was long served or skipped
DAY_FRESH = dt.timedelta(days=1)
_KEYS = uuid.UUID("6a1f3c1e-7d2b-4f7e-9a57-2d1b8c0e5a11")  # namespace of message keys


class Kind(StrEnum):
    CONFIRMATION = "confirmation"
    REMINDER = "reminder"
    TURN_NEAR = "turn_near"
    CALLED = "called"
    NO_SHOW = "no_show"
    SURVEY = "survey"


class Stage(StrEnum):
    """Where the booked citizen is: ``booked`` -> ``waiting`` (checked in, ticket in the queue) ->
    ``called`` -> ``done``; or ``booked`` -> ``no_show``. A transfer puts a called ticket back to
    ``waiting`` in its new service."""

    BOOKED = "booked"
    WAITING = "waiting"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"


@dataclass(frozen=True)
class Contact:
    booking_id: str
    agency: str
    service: str
    code: str  # the booking code the citizen shows at check-in
    day: str  # YYYY-MM-DD, hall time
    session_start: dt.datetime
    session_end: dt.datetime
    phone: str  # E.164, or "" (unknown, or no phone channel configured)
    email: str
    language: str  # "id" or "en"
    created_at: dt.datetime
    purge_after: dt.datetime
    stage: Stage = Stage.BOOKED
    ticket_id: str = ""
    ticket_number: str = ""
    # Bumped whenever the queue ahead of this ticket may have moved; the position job clears it
    # only if it did not change meanwhile, so no move is missed.
    position_check: int = 0
    turn_near_sent: bool = False
    reminded_day: str = ""  # the day a reminder was made for


# ---- addresses ----

_PHONE_NOISE = re.compile(r"[\s().-]")


def normalise_phone(raw: str) -> str:
    """E.164 (``+6281234567890``) from the ways Indonesians write a number (``0812-3456-7890``,
    ``62812...``, ``+62 812 ...``); "" when it cannot be a phone number."""
    phone = _PHONE_NOISE.sub("", raw.strip())
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    elif phone.startswith("0"):
        phone = "+62" + phone[1:]
    elif phone.startswith("62"):
        phone = "+" + phone
    return phone if re.fullmatch(r"\+[1-9][0-9]{7,14}", phone) else ""


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or re.search(r"\s|@", domain) or len(email) > 254:
        return ""
    return email


def language(raw: str) -> str:
    code = raw.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "id"


def optout_digest(key: bytes, address: str) -> str:
    """A keyed hash (HMAC-SHA256) of a normalised phone or email: equal for equal addresses,
    useless to whoever reads the table without the key (a plain hash of a phone number is
    reversed by trying the few billion numbers there are)."""
    normal = normalise_email(address) if "@" in address else normalise_phone(address)
    kind = "email" if "@" in address else "phone"
    return hmac.new(key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def optout_link(base: str, key: bytes, address: str) -> str:
    """The footer's opt-out link for one address: it carries the address's keyed digest and a
    MAC of it, never the address. Only a message sent there holds it, so following it proves
    the address is the holder's, with nothing to send or limit; the key is ANTRE_OPTOUT_KEY."""
    if not base:
        return ""
    token = optout_token(key, optout_digest(key, address))
    return f"{base}{'&' if '?' in base else '?'}t={token}"


def optout_token(key: bytes, digest: str) -> str:
    mac = hmac.new(key, f"opt-out-link:{digest}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{digest}.{mac}"


def digest_of_token(key: bytes, token: str) -> str:
    """The opted-out digest a link's token proves; "" when the token was not made with the key."""
    digest, _, _mac = token.strip().partition(".")
    if not key or not re.fullmatch(r"[0-9a-f]{64}", digest):
        return ""
    return digest if hmac.compare_digest(optout_token(key, digest), token.strip()) else ""


# ---- who gets what ----


def new_contact(
    *,
    booking_id: str,
    agency: str,
    service: str,
    code: str,
    day: str,
    session_start: dt.datetime,
    session_end: dt.datetime,
    phone: str,
    email: str,
    language_code: str,
    now: dt.datetime,
    timezone: str,
    retention_days: int,
    available: Collection[str],
) -> Contact | None:
    """What to keep of a booking's contact: only the addresses a configured channel can use.
    None: no configured channel can reach the citizen, so nothing is kept."""
    keep_phone = normalise_phone(phone) if any(c in available for c in PHONE_CHANNELS) else ""
    keep_email = normalise_email(email) if EMAIL in available else ""
    if not keep_phone and not keep_email:
        return None
    return Contact(
        booking_id=booking_id,
        agency=agency,
        service=service,
        code=code,
        day=day,
        session_start=session_start,
        session_end=session_end,
        phone=keep_phone,
        email=keep_email,
        language=language(language_code),
        created_at=now,
        purge_after=purge_after(day, timezone, retention_days),
    )


def channels_for(contact: Contact, available: Collection[str]) -> list[str]:
    """The channel rule (see the module docstring)."""
    chosen: list[str] = []
    if contact.phone:
        phone = next((c for c in PHONE_CHANNELS if c in available), None)
        if phone:
            chosen.append(phone)
    if contact.email and EMAIL in available:
        chosen.append(EMAIL)
    return chosen


def address(contact: Contact, channel: str) -> str:
    return contact.email if channel == EMAIL else contact.phone


def recipient(channel: str, booking_id: str) -> str:
    """What a citizen's delivery stores in ``url``: the channel and the booking, never the address."""
    return f"{channel}:{booking_id}"


def may_wait(kind: Kind) -> bool:
    """Whether quiet hours hold this message back."""
    return kind in (Kind.REMINDER, Kind.NO_SHOW, Kind.SURVEY)


def allowed_after_opt_out(kind: Kind) -> bool:
    return kind == Kind.CONFIRMATION


def event_name(kind: Kind) -> str:
    return EVENT_PREFIX + kind.value


def kind_of(event: str) -> Kind | None:
    if not event.startswith(EVENT_PREFIX):
        return None
    try:
        return Kind(event.removeprefix(EVENT_PREFIX))
    except ValueError:
        return None


def message_key(kind: Kind, *parts: str) -> str:
    """A delivery's ``event_id`` for a citizen's message: the same parts, the same key, so a second
    event, job run or replica asking for the same message finds it already there."""
    return str(uuid.uuid5(_KEYS, "|".join((kind.value, *parts))))


# ---- when ----


def reminder_moment(day: str, at: dt.time, timezone: str) -> dt.datetime:
    """The day before the session, at the hall's reminder time."""
    before = dt.date.fromisoformat(day) - dt.timedelta(days=1)
    return dt.datetime.combine(before, at, tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def reminder_due(contact: Contact, now: dt.datetime, at: dt.time, timezone: str) -> bool:
    """Owed a reminder now: still booked, none made for this day, the reminder moment passed and
    the session not yet begun (a service that was down at the moment catches up). A booking made
    after the moment is fresh in the citizen's mind and gets none."""
    moment = reminder_moment(contact.day, at, timezone)
    return (
        contact.stage == Stage.BOOKED
        and contact.reminded_day != contact.day
        and moment <= now < contact.session_start
        and contact.created_at < moment
    )


def purge_after(day: str, timezone: str, retention_days: int) -> dt.datetime:
    """The end of the booking day in hall time, plus ``retention_days``."""
    end_of_day = dt.date.fromisoformat(day) + dt.timedelta(days=1 + retention_days)
    return dt.datetime.combine(end_of_day, dt.time(0), tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def still_useful(kind: Kind, occurred_at: dt.datetime, now: dt.datetime, session_end: dt.datetime) -> bool:
    """Whether an event's message is still worth sending: a consumer replaying an old stream (a
    new database, a new durable) must not confirm last month's bookings or call long-served
    tickets."""
    if kind == Kind.CONFIRMATION:
        return now < session_end
    if kind == Kind.CALLED:
        return now - occurred_at <= CALLED_FRESH
    return now - occurred_at <= DAY_FRESH


def survey_link(base: str, ticket_id: str) -> str:
    """The SKM survey for one ticket: ``{ticket}`` in the base is replaced, else a query added."""
    ticket = quote(ticket_id, safe="")
    if "{ticket}" in base:
        return base.replace("{ticket}", ticket)
    return f"{base}{'&' if '?' in base else '?'}ticket={ticket}"


def turn_is_near(position: int | None, turn_near: int) -> bool:
    """``position`` 1 is the next to be called, so ``position - 1`` tickets are ahead."""
    return position is not None and position >= 1 and position - 1 <= turn_near
