"""Online booking rules on the Kendari hall file: KTP-el has six hourly sessions 08:00-14:00 of 14
places (84 online of 200 a day), SKCK two 2-hour sessions of 30 (60 of 120). Hours Mon-Thu
08:00-15:00, Fri to 15:30 with a prayer break 11:30-13:00, Sat to 12:00, cutoff 60 minutes.

2026-11-30 is a Monday, 2026-12-04 a Friday, 2026-12-06 a Sunday, 2026-12-25 Christmas."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from antre.hall.model import Booking, Hall, NoShowRule, Service, Session
from antre.problems import Invalid, Refused, TooMany
from services.ticketing.domain import bookings, citizen_bookings
from services.ticketing.domain.bookings import (
    CODE_ALPHABET,
    DayPool,
    SessionSlot,
    admit,
    blocked_until,
    bookable_days,
    booking_code,
    check_bookable,
    check_in_state,
    check_in_window,
    check_not_blocked,
    check_session_room,
    no_show_due,
    parse_booking_code,
    session_left,
    sessions_on,
)

TZ = "Asia/Makassar"
WITA = ZoneInfo(TZ)
MONDAY = dt.date(2026, 11, 30)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=WITA)


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


@pytest.fixture
def ktp(kendari: Hall) -> Service:
    service = kendari.service("ktp-el")
    assert service is not None and service.booking is not None
    return service


def starts(slots: list[SessionSlot]) -> list[str]:
    return [f"{s.start:%H:%M}" for s in slots]


# ---- sessions ----


@pytest.mark.parametrize(
    ("iso", "expected", "why"),
    [
        ("2026-11-30", ["08:00", "09:00", "10:00", "11:00", "12:00", "13:00"], "Monday: all six"),
        ("2026-12-04", ["08:00", "09:00", "10:00", "11:00", "13:00"], "Friday: 12:00 is in the prayer break"),
        ("2026-12-05", ["08:00", "09:00", "10:00"], "Saturday: issuing stops at 11:00"),
        ("2026-12-06", [], "Sunday: closed"),
        ("2026-12-25", [], "Christmas: a holiday"),
    ],
)
def test_a_days_sessions_follow_the_hours(
    kendari: Hall, ktp: Service, iso: str, expected: list, why: str
) -> None:
    assert starts(sessions_on(ktp, day(iso), kendari.hours, TZ)) == expected, why


def test_sessions_are_aware_in_the_halls_zone(kendari: Hall, ktp: Service) -> None:
    first = sessions_on(ktp, MONDAY, kendari.hours, TZ)[0]
    assert first.start == dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)  # 08:00 WITA
    assert first.end - first.start == dt.timedelta(hours=1)
    assert (first.capacity, first.service, first.day) == (14, "ktp-el", MONDAY)
    assert first.key == "ktp-el/2026-11-30/08:00"


def test_a_walk_in_only_service_has_no_sessions(kendari: Hall) -> None:
    family_card = kendari.service("kartu-keluarga")
    assert family_card is not None
    assert sessions_on(family_card, MONDAY, kendari.hours, TZ) == []
    assert bookable_days(family_card, kendari.hours, MONDAY, at(MONDAY, "07:00")) == []


def test_skck_keeps_a_session_that_starts_before_the_saturday_cutoff(kendari: Hall) -> None:
    skck = kendari.service("skck")
    assert skck is not None
    assert starts(sessions_on(skck, day("2026-12-05"), kendari.hours, TZ)) == ["08:00", "10:00"]


# ---- which days ----


@pytest.mark.parametrize(
    ("today", "now", "expected"),
    [
        (
            "2026-11-30",
            "07:00",
            [
                "2026-11-30",
                "2026-12-01",
                "2026-12-02",
                "2026-12-03",
                "2026-12-04",
                "2026-12-05",
                "2026-12-07",
            ],
        ),
        (  # the 13:00 session has started: nothing left today
            "2026-11-30",
            "13:00",
            ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-07"],
        ),
        (  # 12:59: the 13:00 session is still ahead
            "2026-11-30",
            "12:59",
            [
                "2026-11-30",
                "2026-12-01",
                "2026-12-02",
                "2026-12-03",
                "2026-12-04",
                "2026-12-05",
                "2026-12-07",
            ],
        ),
        (  # Christmas, its cuti bersama and a Sunday fall out
            "2026-12-21",
            "07:00",
            ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-26", "2026-12-28"],
        ),
    ],
)
def test_bookable_days_run_days_ahead_over_open_days(
    kendari: Hall, ktp: Service, today: str, now: str, expected: list[str]
) -> None:
    found = bookable_days(ktp, kendari.hours, day(today), at(day(today), now))
    assert [d.isoformat() for d in found] == expected


def test_the_last_bookable_day_is_today_plus_days_ahead(kendari: Hall, ktp: Service) -> None:
    assert ktp.booking is not None
    found = bookable_days(ktp, kendari.hours, MONDAY, at(MONDAY, "07:00"))
    assert max(found) == MONDAY + dt.timedelta(days=ktp.booking.days_ahead)


# ---- what may be booked now ----


def slot_at(kendari: Hall, service: Service, d: dt.date, hhmm: str) -> SessionSlot:
    return next(s for s in sessions_on(service, d, kendari.hours, TZ) if f"{s.start:%H:%M}" == hhmm)


def test_a_future_session_within_reach_is_bookable(kendari: Hall, ktp: Service) -> None:
    slot = slot_at(kendari, ktp, day("2026-12-07"), "09:00")
    check_bookable(ktp, kendari.hours, slot, at(MONDAY, "16:00"), TZ)


def handmade(service: str, d: dt.date, hhmm: str) -> SessionSlot:
    start = at(d, hhmm)
    return SessionSlot(service, d, start, start + dt.timedelta(hours=1), 14)


@pytest.mark.parametrize(
    ("slot", "now", "code"),
    [
        (handmade("ktp-el", MONDAY, "09:00"), at(MONDAY, "09:00"), "session_past"),
        (handmade("ktp-el", MONDAY, "09:00"), at(MONDAY, "10:30"), "session_past"),
        (handmade("ktp-el", day("2026-12-08"), "09:00"), at(MONDAY, "07:00"), "booking_too_far_ahead"),
        (handmade("ktp-el", day("2026-12-06"), "09:00"), at(MONDAY, "07:00"), "closed_day"),
        (handmade("ktp-el", day("2026-12-25"), "09:00"), at(day("2026-12-21"), "07:00"), "closed_holiday"),
        (handmade("ktp-el", day("2026-12-04"), "12:00"), at(MONDAY, "07:00"), "session_unknown"),
        (handmade("ktp-el", MONDAY, "14:00"), at(MONDAY, "07:00"), "session_unknown"),
    ],
)
def test_what_cannot_be_booked_is_refused(
    kendari: Hall, ktp: Service, slot: SessionSlot, now: dt.datetime, code: str
) -> None:
    with pytest.raises(Refused) as refused:
        check_bookable(ktp, kendari.hours, slot, now, TZ)
    assert refused.value.code == code
    assert refused.value.message and refused.value.message_en


def test_a_walk_in_only_service_refuses_bookings(kendari: Hall) -> None:
    family_card = kendari.service("kartu-keluarga")
    assert family_card is not None
    with pytest.raises(Refused) as refused:
        check_bookable(
            family_card, kendari.hours, handmade("kartu-keluarga", MONDAY, "09:00"), at(MONDAY, "07:00"), TZ
        )
    assert refused.value.code == "booking_not_offered"


def test_a_slot_of_another_service_is_invalid(kendari: Hall, ktp: Service) -> None:
    with pytest.raises(Invalid):
        check_bookable(ktp, kendari.hours, handmade("skck", MONDAY, "09:00"), at(MONDAY, "07:00"), TZ)


def test_the_hall_day_decides_how_far_ahead_not_utc(kendari: Hall, ktp: Service) -> None:
    """07:00 WITA on Monday is still Sunday in UTC; the week ahead counts from Monday."""
    last = handmade("ktp-el", day("2026-12-07"), "13:00")
    check_bookable(ktp, kendari.hours, last, at(MONDAY, "07:00"), TZ)


# ---- one pool ----


def test_the_pool_splits_the_day_between_online_and_walk_in(ktp: Service) -> None:
    assert ktp.booking is not None
    pool = DayPool.of(ktp.booking)
    assert (pool.online_left, pool.walk_in_left, pool.walk_in_quota) == (84, 116, 116)


def test_walk_ins_cannot_take_the_online_share() -> None:
    """The JARI failure: the kiosk drew numbers from the booking page's count."""
    pool = DayPool(daily_quota=200, online_quota=84)
    for _ in range(116):
        pool = pool.take_walk_in()
    with pytest.raises(Refused) as full:
        pool.take_walk_in()
    assert full.value.code == "walk_in_quota_full"
    assert pool.online_left == 84
    pool = pool.take_online()
    assert pool.online_left == 83


def test_bookings_cannot_take_the_walk_in_share() -> None:
    pool = DayPool(daily_quota=200, online_quota=84, online_used=84)
    with pytest.raises(Refused) as full:
        pool.take_online()
    assert full.value.code == "online_quota_full"
    assert pool.walk_in_left == 116


def test_a_cancelled_booking_gives_its_place_back() -> None:
    pool = DayPool(daily_quota=10, online_quota=4, online_used=4).release_online()
    assert pool.online_left == 1
    assert DayPool(10, 4).release_online().online_used == 0


def test_no_interleaving_grants_more_than_either_share() -> None:
    rng = random.Random(4)
    for _ in range(200):
        pool = DayPool(daily_quota=rng.randint(0, 40), online_quota=0)
        pool = DayPool(pool.daily_quota, rng.randint(0, pool.daily_quota))
        granted = {"online": 0, "walk_in": 0}
        for _ in range(rng.randint(0, 80)):
            side = rng.choice(("online", "walk_in"))
            try:
                pool = pool.take_online() if side == "online" else pool.take_walk_in()
            except Refused:
                continue
            granted[side] += 1
        assert granted["online"] <= pool.online_quota
        assert granted["walk_in"] <= pool.walk_in_quota
        assert pool.online_left + pool.walk_in_left + sum(granted.values()) == pool.daily_quota


def test_a_session_has_room_until_its_capacity() -> None:
    assert session_left(14, 0) == 14
    assert session_left(14, 14) == 0
    assert session_left(14, 20) == 0  # never negative, even if a store over-counted
    slot = handmade("ktp-el", MONDAY, "09:00")
    check_session_room(slot, 13)
    with pytest.raises(Refused) as full:
        check_session_room(slot, 14)
    assert full.value.code == "session_full" and "09:00" in full.value.message


# ---- check-in ----

BOOKING = Booking(
    sessions=(Session(dt.time(8), dt.time(9), 14),),
    daily_quota=20,
    online_quota=14,
    check_in_early_minutes=30,
    check_in_late_minutes=15,
)
EIGHT = handmade("ktp-el", MONDAY, "08:00")


def test_the_window_opens_early_and_closes_late() -> None:
    assert check_in_window(EIGHT, BOOKING) == (at(MONDAY, "07:30"), at(MONDAY, "08:15"))


@pytest.mark.parametrize(
    ("now", "state"),
    [
        ("07:29:59", "early"),
        ("07:30", "on_time"),
        ("08:00", "on_time"),
        ("08:00:01", "late"),
        ("08:14:59", "late"),
        ("08:15", "missed"),
        ("11:00", "missed"),
    ],
)
def test_check_in_states(now: str, state: str) -> None:
    assert check_in_state(EIGHT, BOOKING, at(MONDAY, now)) == state


def test_on_time_keeps_the_session() -> None:
    admission = admit(EIGHT, BOOKING, at(MONDAY, "07:45"))
    assert admission.state == "on_time" and admission.booked
    assert admission.session_start == EIGHT.start


def test_late_joins_as_a_walk_in_at_check_in_time() -> None:
    admission = admit(EIGHT, BOOKING, at(MONDAY, "08:05"))
    assert admission.state == "late"
    assert not admission.booked and admission.session_start is None


def test_too_early_is_refused_with_the_opening_time() -> None:
    with pytest.raises(Refused) as refused:
        admit(EIGHT, BOOKING, at(MONDAY, "07:00"))
    assert refused.value.code == "check_in_too_early"
    assert "07:30" in refused.value.message and "07:30" in refused.value.message_en


def test_after_the_window_the_booking_is_a_no_show() -> None:
    with pytest.raises(Refused) as refused:
        admit(EIGHT, BOOKING, at(MONDAY, "08:15"))
    assert refused.value.code == "booking_missed"
    assert "08:15" in refused.value.message
    assert not no_show_due(EIGHT, BOOKING, at(MONDAY, "08:14:59"))
    assert no_show_due(EIGHT, BOOKING, at(MONDAY, "08:15"))


def test_no_late_limit_means_late_is_missed() -> None:
    strict = Booking(sessions=BOOKING.sessions, daily_quota=20, online_quota=14, check_in_late_minutes=0)
    assert check_in_state(EIGHT, strict, at(MONDAY, "08:00")) == "on_time"
    assert check_in_state(EIGHT, strict, at(MONDAY, "08:00:01")) == "missed"


# ---- no-shows block online booking ----

RULE = NoShowRule(limit=3, window_days=90, block_days=30)


@pytest.mark.parametrize(
    ("no_shows", "today", "until", "why"),
    [
        ([], "2026-06-01", None, "no no-shows"),
        (["2026-03-01", "2026-04-01"], "2026-04-02", None, "two are below the limit"),
        (["2026-03-01", "2026-04-01", "2026-05-01"], "2026-05-01", "2026-05-31", "third within 90 days"),
        (["2026-03-01", "2026-04-01", "2026-05-01"], "2026-05-30", "2026-05-31", "last blocked day"),
        (["2026-03-01", "2026-04-01", "2026-05-01"], "2026-05-31", None, "the block is over"),
        (["2026-01-01", "2026-03-01", "2026-04-01"], "2026-04-02", None, "first is 90 days before the third"),
        (["2026-01-02", "2026-03-01", "2026-04-01"], "2026-04-02", "2026-05-01", "89 days: within"),
        (
            ["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-15"],
            "2026-06-16",
            None,
            "a block's no-shows are spent: one more does not block again",
        ),
        (
            ["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-15", "2026-06-20", "2026-07-01"],
            "2026-07-02",
            "2026-07-31",
            "three new ones block again",
        ),
        (["2026-03-01", "2026-04-01", "2026-09-01"], "2026-05-01", None, "future dates do not count yet"),
    ],
)
def test_no_shows_block_online_booking(no_shows: list[str], today: str, until: str | None, why: str) -> None:
    found = blocked_until([day(d) for d in no_shows], RULE, day(today))
    assert found == (day(until) if until else None), why


def test_a_limit_of_zero_never_blocks() -> None:
    assert blocked_until([MONDAY] * 5, NoShowRule(limit=0), MONDAY) is None


def test_a_blocked_citizen_is_told_until_when() -> None:
    dates = [day("2026-03-01"), day("2026-04-01"), day("2026-05-01")]
    check_not_blocked(dates, RULE, day("2026-05-31"))
    with pytest.raises(Refused) as refused:
        check_not_blocked(dates, RULE, day("2026-05-10"))
    assert refused.value.code == "booking_blocked"
    assert "31-05-2026" in refused.value.message and "2026-05-31" in refused.value.message_en
    assert refused.value.details["until"] == "2026-05-31"


# ---- booking codes ----


def test_a_code_is_eight_unambiguous_symbols() -> None:
    assert len(CODE_ALPHABET) == 32 and not set("0O1I") & set(CODE_ALPHABET)
    assert booking_code(bytes(5)) == "AAAAAAAA"
    assert booking_code(b"\xff" * 5) == "99999999"
    code = booking_code(bytes([1, 2, 3, 4, 5]))
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)


def test_a_code_depends_only_on_the_bytes_given() -> None:
    rng = random.Random(7)
    draws = [rng.randbytes(5) for _ in range(2000)]
    codes = [booking_code(b) for b in draws]
    assert codes == [booking_code(b) for b in draws]
    assert len(set(codes)) == len(set(draws))  # 5 bytes, 8 symbols of 5 bits: one to one
    assert booking_code(draws[0] + b"ignored") == codes[0]


def test_a_code_needs_five_bytes() -> None:
    with pytest.raises(ValueError):
        booking_code(b"1234")


@pytest.mark.parametrize("typed", ["HK7MQ2XA", "hk7mq2xa", "HK7M-Q2XA", " hk7m q2xa "])
def test_a_typed_code_is_normalised(typed: str) -> None:
    assert parse_booking_code(typed) == "HK7MQ2XA"


@pytest.mark.parametrize("typed", ["HK7MQ2X", "HK7MQ2XAB", "HK7MQ2X0", "HK7MQ2XO", "HK7MQ2X1", ""])
def test_a_code_that_cannot_be_ours_is_invalid(typed: str) -> None:
    with pytest.raises(Invalid) as invalid:
        parse_booking_code(typed)
    assert invalid.value.code == "booking_code_invalid"


def test_module_reads_no_clock() -> None:
    source = Path(bookings.__file__).with_name("bookings.py")  # not the compiled build's file
    with open(source, encoding="utf-8") as f:
        text = f.read()
    assert ".now(" not in text and "today()" not in text and "import random" not in text


# ---- wrong NIKs lock a code ----


def _booking(failures: int) -> citizen_bookings.Booking:
    start = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
    return citizen_bookings.Booking(
        id="r1",
        code="K7QH2MXA",
        service="ktp-el",
        agency="dukcapil",
        day=dt.date(2026, 12, 1),
        session_start=start,
        session_end=start + dt.timedelta(hours=1),
        nik_key="k",
        nik_masked="************0003",
        name="Warga",
        phone="+6281234567890",
        email="",
        language="id",
        channel="online",
        client="ip:192.0.2.1",
        state=citizen_bookings.State.BOOKED,
        created_at=start - dt.timedelta(days=1),
        nik_failures=failures,
    )


def test_a_code_locks_at_its_fifth_wrong_nik_and_the_help_desk_unlocks_it() -> None:
    citizen_bookings.check_not_locked(_booking(4))
    with pytest.raises(TooMany) as locked:
        citizen_bookings.check_not_locked(_booking(5))
    assert locked.value.code == "code_locked" and "K7QH2MXA" in locked.value.message
    assert "help desk" in locked.value.message_en and "meja bantuan" in locked.value.message
    now = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)
    reopened = citizen_bookings.unlocked(_booking(9), now)
    assert (reopened.nik_failures, reopened.updated_at) == (0, now)
    citizen_bookings.check_not_locked(reopened)


def test_ownership_is_the_nik_key_only() -> None:
    assert citizen_bookings.owns(_booking(0), "k") and not citizen_bookings.owns(_booking(0), "K")
    assert citizen_bookings.not_yours().code == "booking_not_yours"
