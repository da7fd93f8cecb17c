"""The bookkeeping of a replayed day: who the citizens are, which messages and webhook events the
rules owe them as the day goes on (the test says so at each step, from the rules as written in
:mod:`services.notify.domain.citizens`, not from what notify did), and what the loopback receivers
actually got, read back into the same shape so the two can be compared exactly."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from tests.support.citizen_messages import Reader
from tests.support.receivers import HttpReceiver, Mailbox

CONFIRMATION, REMINDER, TURN_NEAR, CALLED, NO_SHOW, SURVEY = (
    "confirmation",
    "reminder",
    "turn_near",
    "called",
    "no_show",
    "survey",
)
MAY_WAIT = frozenset({REMINDER, NO_SHOW, SURVEY})  # what quiet hours hold back
WHATSAPP, SMS, EMAIL = "whatsapp", "sms", "email"

Key = tuple[str, str, str]  # citizen, kind, channel


@dataclass
class Citizen:
    """One visit to the hall: a booking (``session`` set) or a walk-in."""

    name: str
    service: str
    phone: str = ""
    email: str = ""
    language: str = "id"
    session: str = ""  # booked: the session's start, HH:MM
    via: str = "public"  # public (booking page), agency (its API key), helpdesk, kiosk (walk-in)
    at_counter: str = "serve"  # serve, recall (comes at the recall), absent, or transfer:<service>
    phone_opted_out: bool = False
    code: str = ""
    booking_id: str = ""
    ticket_id: str = ""
    number: str = ""
    calls: list[tuple[str, int]] = field(default_factory=list)  # (service, counter) of each call

    @property
    def booked(self) -> bool:
        return bool(self.session)

    def channels(self, kind: str) -> list[str]:
        """The channel rule with WhatsApp configured: a phone gets WhatsApp (never SMS), an email
        gets email; an opted-out address gets only the booking confirmation."""
        out = []
        if self.phone and (kind == CONFIRMATION or not self.phone_opted_out):
            out.append(WHATSAPP)
        if self.email:
            out.append(EMAIL)
        return out


class Ledger:
    """What the day owes so far: citizens' messages per (citizen, kind, channel) and the agency's
    webhook events per event name."""

    def __init__(self) -> None:
        self.messages: Counter[Key] = Counter()
        self.hooks: Counter[str] = Counter()

    def owe(self, citizen: Citizen, kind: str) -> None:
        for channel in citizen.channels(kind):
            self.messages[(citizen.name, kind, channel)] += 1

    def hook(self, event: str, agency: str, watched: str) -> None:
        if agency == watched:
            self.hooks[event] += 1


@dataclass(frozen=True)
class Delivered:
    key: Key
    at: dt.datetime  # hall clock, at the receiver


class Tally:
    """Every message the providers received, attributed to its citizen by what it names (booking
    code, ticket number or the survey link's ticket) and checked to have gone to that citizen's
    own address."""

    def __init__(
        self,
        reader: Reader,
        citizens: list[Citizen],
        whatsapp: HttpReceiver,
        sms: HttpReceiver,
        mailbox: Mailbox,
        webhook: HttpReceiver,
    ) -> None:
        self.reader = reader
        self.citizens = citizens
        self.whatsapp, self.sms, self.mailbox, self.webhook = whatsapp, sms, mailbox, webhook

    def delivered(self) -> list[Delivered]:
        out = []
        for arrival in self.whatsapp.seen():
            body = arrival.json()
            out.append(self._one(WHATSAPP, "+" + body["to"], body["text"]["body"], arrival.at))
        for arrival in self.sms.seen():
            body = arrival.json()
            out.append(self._one(SMS, body["to"], body["text"], arrival.at))
        for mail in self.mailbox.seen():
            assert len(mail.recipients) == 1, mail.recipients
            out.append(self._one(EMAIL, mail.recipients[0], mail.text, mail.at))
        return out

    def messages(self) -> Counter[Key]:
        return Counter(d.key for d in self.delivered())

    def hooks(self) -> Counter[str]:
        arrivals = self.webhook.seen()
        ids = [a.headers["Antre-Event-Id"] for a in arrivals]
        assert len(ids) == len(set(ids)), "an event reached the webhook twice"
        return Counter(a.json()["event"] for a in arrivals)

    def _one(self, channel: str, address: str, text: str, at: dt.datetime) -> Delivered:
        read = self.reader.read(text)
        who = self._whose(read.fields)
        wanted = who.email if channel == EMAIL else normal_phone(who.phone)
        assert address == wanted, f"{who.name}'s {read.kind} went to {address}, not {wanted}"
        return Delivered((who.name, read.kind, channel), at)

    def _whose(self, fields: dict[str, str]) -> Citizen:
        if "code" in fields:
            found = [c for c in self.citizens if c.code and c.code == fields["code"]]
        elif "number" in fields:
            found = [c for c in self.citizens if c.booked and c.number == fields["number"]]
        else:
            ticket = parse_qs(urlsplit(fields["survey"]).query)["tiket"][0]
            found = [c for c in self.citizens if c.ticket_id == ticket]
        assert len(found) == 1, f"a message for nobody (or several): {fields}"
        return found[0]


def normal_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "+62" + digits[1:] if digits.startswith("0") else "+" + digits


def settle(
    owed: Callable[[], Counter[Any]],
    got: Callable[[], Counter[Any]],
    what: str,
    timeout: float = 30.0,
    explain: Callable[[], str] = lambda: "",
) -> None:
    """Wait until what arrived is exactly what is owed; fail at once on anything extra (a message
    sent twice, or one the rules do not call for), and with the difference after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        want, have = owed(), got()
        extra = have - want
        assert not extra, f"{what}: not owed, or more than once: {dict(extra)}\n{explain()}"
        if have == want:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still missing {dict(want - have)}\n{explain()}")
        time.sleep(0.1)


def quiet(moment: dt.datetime, timezone: str, start: dt.time, end: dt.time) -> bool:
    local = moment.astimezone(ZoneInfo(timezone)).time()
    return (local >= start or local < end) if start > end else start <= local < end
