"""A whole day of the hall replayed end to end, on one hall clock shared by the test and the four
services (real PostgreSQL, real NATS, each service its own process), with a real SMTP server and
real HTTP servers standing in for the WhatsApp provider, the SMS gateway and an agency's webhook.

The evening before, citizens book on the public page, through Dukcapil's system (its API key) and
at the help desk; one cancels, one is moved, one opts out; reminders go at 16:00. On the day some
check in on time, one late (the late rule: she joins as a walk-in), one too late (refused, she
takes a number), two never come (swept as no-shows at the end of their window); walk-ins come,
one of them is called and never shows up; counters call, recall, transfer and complete. Notify is
down from mid-morning to the night, so what it owes then is made in the quiet hours and must wait
for the morning.

At the end every visit is in exactly one final state, and the receivers got exactly the messages
the rules call for, each once, per citizen, kind and channel, none of the kinds that may wait in
the quiet hours, and the agency's webhook every event it subscribed to, once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from antre.hall.load import load_hall
from tests.support.citizen_messages import Reader
from tests.support.clock import HallClock
from tests.support.hall import RunningHall, wait_for
from tests.support.receivers import http_receiver, smtp_server
from tests.support.replay import MAY_WAIT, NO_SHOW, SURVEY, Citizen, Ledger, Tally, quiet, settle
from tests.support.replay_desk import Desk

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Makassar")  # the Kendari hall's
DAY = dt.date(2026, 3, 10)  # a Tuesday, no holiday
EVE, MORROW = DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)
WATCHED = "dukcapil"  # the agency whose system listens on a webhook
HOOK_EVENTS = [
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "booking.checked_in",
    "booking.no_show",
    "ticket.called",
    "ticket.transferred",
    "ticket.completed",
]
COUNTERS = {1: "dukcapil", 3: "dukcapil", 6: "dukcapil", 15: "polresta", 17: "bpjs"}
NEAR = 3  # booking.turn_near of both booked services (ktp-el says so, skck keeps the default)
KEYS = {"agency": "dukcapil-sistem-antrean-7f3e9a", "helpdesk": "meja-bantuan-lantai-1"}


def at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), TZ)


def cast() -> dict[str, Citizen]:
    people = [
        Citizen("Ani", "ktp-el", "0812-1000-0001", "ani@warga.example", session="08:00"),
        Citizen("Budi", "ktp-el", "0812-1000-0002", language="en", session="08:00", via="agency"),
        Citizen("Citra", "ktp-el", "0812-1000-0003", "citra@warga.example", session="08:00"),
        Citizen("Dedi", "ktp-el", "0812-1000-0004", session="08:00"),
        Citizen("Eka", "ktp-el", "0812-1000-0005", "eka@warga.example", session="09:00"),
        Citizen("Fajar", "ktp-el", "0812-1000-0006", session="09:00", via="agency"),
        Citizen("Gita", "ktp-el", "0812-1000-0007", "gita@warga.example", session="09:00"),
        Citizen("Hadi", "skck", "0812-1000-0008", session="08:00", via="helpdesk"),
        Citizen("Indah", "skck", "0812-1000-0009", "indah@warga.example", language="en", session="10:00"),
        Citizen("Joko", "ktp-el", "0812-1000-0010", session="08:00"),
        Citizen(
            "Kiki", "ktp-el", "0812-1000-0011", "kiki@warga.example", "en", session="09:00", via="agency"
        ),
        Citizen("Lina", "ktp-el", via="kiosk"),
        Citizen("Made", "jkn", via="kiosk", at_counter="absent"),
        Citizen("Nur", "skck", via="kiosk"),
        Citizen("Oka", "kartu-keluarga", via="kiosk"),
        Citizen("Joko datang langsung", "ktp-el", via="kiosk"),
    ]
    people[1].at_counter = "recall"  # Budi comes at the recall
    people[5].at_counter = "transfer:kartu-keluarga"  # Fajar needs a new family card too
    return {c.name: c for c in people}


@pytest.fixture
def day(tmp_path: Path, nats_url: str, pg_url: str | None) -> Iterator[tuple[RunningHall, HallClock, Tally]]:
    clock = HallClock(tmp_path / "hall-clock", at(EVE, "08:55"))
    with (
        http_receiver(clock) as whatsapp,
        http_receiver(clock) as sms,
        http_receiver(clock) as webhook,
        smtp_server(clock) as mailbox,
    ):
        env = {
            "ANTRE_DEMO": "0",  # the hall keeps its hours
            "ANTRE_NIK_SECRET": "kunci-nik-hari-uji-0123456789",
            "ANTRE_API_KEYS": json.dumps({KEYS["agency"]: "dukcapil", KEYS["helpdesk"]: "helpdesk"}),
            "ANTRE_SMTP_HOST": "127.0.0.1",
            "ANTRE_SMTP_PORT": str(mailbox.port),
            "ANTRE_SMTP_FROM": "MPP Kota Kendari <antrean@mpp.example>",
            "ANTRE_SMTP_SECURITY": "none",
            "ANTRE_WHATSAPP_BASE_URL": f"{whatsapp.url}/v21.0",
            "ANTRE_WHATSAPP_TOKEN": "wa-token",
            "ANTRE_WHATSAPP_PHONE_NUMBER_ID": "1098765",
            "ANTRE_SMS_URL": f"{sms.url}/sms/send",
            "ANTRE_SMS_API_KEY": "sms-key",
            "ANTRE_OPTOUT_KEY": "kunci-berhenti-" + "x" * 32,
            "ANTRE_OPTOUT_URL": "https://mpp.example/berhenti",
            "ANTRE_SURVEY_URL": "https://skm.example/isi?tiket={ticket}",
            "ANTRE_JOBS_POLL_SECONDS": "0.5",
            "ANTRE_POSITIONS_POLL_SECONDS": "0.25",
            "ANTRE_WEBHOOK_POLL_SECONDS": "0.2",
        }
        hook = {"url": f"{webhook.url}/antrean", "events": HOOK_EVENTS, "agency": WATCHED}
        hall = RunningHall(tmp_path, nats_url, pg_url, extra_env=env, clock=clock, webhooks=[hook])
        try:
            hall.start()
            tally = Tally(Reader(load_hall(hall.hall_file)), [], whatsapp, sms, mailbox, webhook)
            yield hall, clock, tally
        finally:
            hall.stop()


def test_a_replayed_day(day: tuple[RunningHall, HallClock, Tally]) -> None:
    hall, clock, tally = day
    model = load_hall(hall.hall_file)
    people = cast()
    tally.citizens = list(people.values())
    ledger = Ledger()
    desk = Desk(hall, model, ledger, KEYS, WATCHED)
    p = people

    def explain() -> str:
        """What notify made of it, for a failure's message."""
        names = {c.booking_id: c.name for c in people.values() if c.booking_id}
        with hall.client("notify") as c:
            found = c.get("/api/v1/deliveries", params={"limit": 500}, headers=hall.manager()).json()
            found = found["deliveries"]
        rows = [
            f"{names.get(d['booking_id'], d['booking_id'])} {d['event']} {d['channel']} {d['state']} "
            f"attempts={d['attempts']} {d['last_error']}"
            for d in found
        ]
        return "notify's deliveries, newest first:\n" + "\n".join(rows)

    def settled(what: str) -> None:
        settle(lambda: ledger.messages, tally.messages, f"{what}: citizens' messages", explain=explain)
        settle(lambda: ledger.hooks, tally.hooks, f"{what}: the agency's webhook")

    try:
        # ---- the evening before ----
        clock.jump_to(at(EVE, "09:00"))
        for name in ("Ani", "Budi", "Citra", "Dedi", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Joko"):
            desk.book(p[name], DAY)
        refused = desk.ticketing.post(
            "/api/v1/bookings",
            headers={"X-Api-Key": KEYS["agency"]},
            json={
                "service": "skck",
                "day": DAY.isoformat(),
                "session": "08:00",
                "nik": "7471010101900099",
                "name": "Orang Lain",
                "phone": "081210009999",
            },
        )
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "other_agency"
        settled("bookings")

        clock.jump_to(at(EVE, "10:00"))
        desk.cancel(p["Eka"])
        clock.jump_to(at(EVE, "11:00"))
        desk.reschedule(p["Fajar"], DAY, "10:00")
        clock.jump_to(at(EVE, "12:00"))
        # Only the link at the end of a message to her phone proves the phone is hers.
        to_gita = [
            a.json()["text"]["body"] for a in tally.whatsapp.seen() if a.json()["to"] == "6281210000007"
        ]
        token = re.findall(r"berhenti\?t=([0-9a-f.]+)", to_gita[0])[0]
        with hall.client("notify") as notify:
            stop = notify.post("/api/v1/opt-out", json={"token": token})
        assert stop.status_code == 200, stop.text
        p["Gita"].phone_opted_out = True
        settled("cancel, move, opt-out")

        clock.jump_to(at(EVE, "16:00"))
        for name in ("Ani", "Budi", "Citra", "Dedi", "Fajar", "Gita", "Hadi", "Indah", "Joko"):
            ledger.owe(p[name], "reminder")
        settled("reminders")
        clock.jump_to(at(EVE, "17:00"))
        desk.book(p["Kiki"], DAY)  # after the reminders: fresh in mind, none owed
        settled("a booking after the reminders")

        # ---- the day: before opening ----
        clock.jump_to(at(DAY, "07:40"))
        pool_before = desk.pool("ktp-el", DAY)
        early = desk.ticketing.post("/api/v1/tickets", json={"service": "ktp-el", "kiosk": "kiosk-1"})
        assert early.status_code == 409 and early.json()["error"]["code"] == "not_open_yet"
        desk.refused_check_in(p["Fajar"], "check_in_too_early")  # his session is at 10:00
        first = desk.check_in(p["Ani"], NEAR)
        again = desk.ticketing.post(f"/api/v1/bookings/{p['Ani'].code}/check-in", json={"kiosk": "kiosk-1"})
        assert again.json()["id"] == first["id"]  # scanned twice: the same ticket
        assert desk.pool("ktp-el", DAY) == pool_before  # refusals and check-ins draw no number
        settled("07:40")
        clock.jump_to(at(DAY, "07:50"))
        desk.check_in(p["Hadi"], NEAR)
        clock.jump_to(at(DAY, "07:55"))
        desk.check_in(p["Budi"], NEAR)
        settled("on-time check-ins")

        # ---- 08:00 the hall opens ----
        clock.jump_to(at(DAY, "08:01"))
        for name in ("Lina", "Made", "Nur", "Oka"):
            desk.walk_in(p[name])
        for number, agency in (
            (1, "dukcapil"),
            (3, "dukcapil"),
            (6, "dukcapil"),
            (15, "polresta"),
            (17, "bpjs"),
        ):
            desk.open(number, agency)
        clock.jump_to(at(DAY, "08:05"))
        # near_slot: the two on time for 08:00 go before the walk-in who came at 08:01.
        assert {desk.serve(1, tally.citizens).name for _ in range(2)} == {"Ani", "Budi"}
        # ratio: the booked citizen first, then the walk-in.
        assert [desk.serve(15, tally.citizens).name for _ in range(2)] == ["Hadi", "Nur"]
        assert desk.serve(17, tally.citizens).name == "Made"  # called, recalled twice, never came
        assert desk.serve(3, tally.citizens).name == "Oka"
        settled("08:05")

        clock.jump_to(at(DAY, "08:10"))
        desk.check_in(p["Citra"], NEAR)  # late: she joins as a walk-in of 08:10
        settled("a late check-in")
        clock.jump_to(at(DAY, "08:20"))
        desk.refused_check_in(p["Joko"], "booking_missed")  # the window closed at 08:15
        desk.walk_in(p["Joko datang langsung"])
        clock.jump_to(at(DAY, "08:25"))
        order = [desk.serve(1, tally.citizens).name for _ in range(3)]
        assert order == ["Lina", "Citra", "Joko datang langsung"]  # walk-ins in order of arrival
        settled("08:25")
        desk.swept(p["Dedi"])
        desk.swept(p["Joko"])
        settled("no-shows of the 08:00 session")

        clock.jump_to(at(DAY, "08:40"))
        desk.check_in(p["Kiki"], NEAR)
        clock.jump_to(at(DAY, "08:45"))
        desk.check_in(p["Gita"], NEAR)
        settled("09:00 check-ins")
        clock.jump_to(at(DAY, "09:00"))
        assert {desk.serve(1, tally.citizens).name for _ in range(2)} == {"Kiki", "Gita"}
        # Settled before the clock moves on: "called" made more than 15 minutes after the call is
        # no use to anyone, and notify rightly drops it.
        settled("09:00")
        clock.jump_to(at(DAY, "09:45"))
        desk.check_in(p["Fajar"], NEAR)
        settled("09:45")
        clock.jump_to(at(DAY, "10:00"))
        assert desk.serve(6, tally.citizens).name == "Fajar"  # sent on to the family card
        fajar = desk.serve(3, tally.citizens, finish=False)
        assert fajar.calls == [("ktp-el", 6), ("kartu-keluarga", 3)]
        settled("a transfer")
        assert sum(desk.counters.get("/api/v1/queues").json()["waiting"].values()) == 0

        # ---- notify is down from 10:05 until the night ----
        clock.jump_to(at(DAY, "10:05"))
        hall.processes["notify"].stop()
        desk.complete(3, fajar)  # his survey is owed, but nobody can make it now
        clock.jump_to(at(DAY, "21:30"))
        before = len(tally.delivered())
        hall.start("notify")
        desk.swept(p["Indah"])  # her window closed at 10:15; the sweep finds it at night
        wait_for(lambda: len(_pending(hall)) == 3, 20.0, "notify to hold the night's three messages")
        held = _pending(hall)
        morning = at(MORROW, "07:00").astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        assert sorted((d["event"], d["channel"], d["next_attempt_at"]) for d in held) == [
            ("citizen.no_show", "email", morning),
            ("citizen.no_show", "whatsapp", morning),
            ("citizen.survey", "whatsapp", morning),
        ]
        settle(lambda: ledger.hooks, tally.hooks, "the night: the agency's webhook")
        time.sleep(1.5)  # several rounds of the worker
        assert len(tally.delivered()) == before  # nothing reaches a citizen in the night

        # ---- the next morning ----
        clock.jump_to(at(MORROW, "07:00"))
        settled("the morning after")
        time.sleep(2.0)  # late doubles would show now
        assert tally.messages() == ledger.messages and tally.hooks() == ledger.hooks
        _check_final(desk, people, tally, model.messages.quiet_start, model.messages.quiet_end)
    finally:
        desk.close()


def _pending(hall: RunningHall) -> list[dict[str, str]]:
    """Citizens' messages notify holds (an agency's webhook is never held)."""
    with hall.client("notify") as c:
        found = c.get("/api/v1/deliveries", params={"state": "pending", "limit": 500}, headers=hall.manager())
        found = found.json()["deliveries"]
    return [d for d in found if d["channel"] != "webhook"]


def _check_final(
    desk: Desk, people: dict[str, Citizen], tally: Tally, quiet_start: dt.time, quiet_end: dt.time
) -> None:
    """Every visit in exactly one final state; no SMS (WhatsApp is configured, so a phone never
    gets one); what may wait never arrived in the quiet hours; the day's one pool adds up."""
    finals = {}
    for c in people.values():
        booking = desk.state(c) if c.booked else ""
        ticket = desk.ticket_state(c) if c.ticket_id else ""
        if booking in ("cancelled", "no_show"):
            assert not ticket, (c.name, booking, ticket)
            finals[c.name] = booking
        else:
            assert booking in ("", "checked_in"), (c.name, booking)
            finals[c.name] = {"completed": "served", "no_show": "no_show"}.get(ticket, f"open:{ticket}")
    assert finals == {
        "Ani": "served",
        "Budi": "served",
        "Citra": "served",
        "Dedi": "no_show",
        "Eka": "cancelled",
        "Fajar": "served",
        "Gita": "served",
        "Hadi": "served",
        "Indah": "no_show",
        "Joko": "no_show",
        "Kiki": "served",
        "Lina": "served",
        "Made": "no_show",
        "Nur": "served",
        "Oka": "served",
        "Joko datang langsung": "served",
    }
    assert not tally.sms.seen()
    # The late rule as the agency's system hears it: only Citra's check-in was late.
    late = {
        a.json()["data"]["booking_id"]: a.json()["data"].get("late", False)
        for a in tally.webhook.seen()
        if a.json()["event"] == "booking.checked_in"
    }
    assert {c.name for c in people.values() if late.get(c.booking_id)} == {"Citra"}
    assert len(late) == 6
    delivered = tally.delivered()
    for d in delivered:
        if d.key[1] in MAY_WAIT:
            assert not quiet(d.at, "Asia/Makassar", quiet_start, quiet_end), d
    night = {(d.key[0], d.key[1]) for d in delivered if d.at.astimezone(TZ).date() == MORROW}
    assert night == {("Fajar", SURVEY), ("Indah", NO_SHOW)}
    # Bookings took 8 online places (Eka gave hers back; Fajar's move stayed in the day) and two
    # walk-in numbers were drawn (Lina, Joko); check-ins drew nothing more.
    pool = desk.pool("ktp-el", DAY)
    walk_in_quota = pool["daily_quota"] - pool["online_quota"]
    assert (pool["online_quota"] - pool["online_left"], walk_in_quota - pool["walk_in_left"]) == (8, 2), pool
