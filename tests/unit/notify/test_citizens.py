"""Citizens' rules: addresses, the channel rule, what is kept, message keys, when a reminder is
due, retention, "turn near", and which messages are still worth sending. Pure."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from services.notify.domain import citizens
from services.notify.domain.citizens import EMAIL, SMS, WHATSAPP, Contact, Kind, Stage

WITA = "Asia/Makassar"
T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)  # Monday 09:15 WITA
SESSION = dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC)  # Tuesday 08:00 WITA
KEY = b"k" * 32
CHANNELS_ALL = (EMAIL, WHATSAPP, SMS)


def contact(
    phone: str = "0812-3456-7890", email: str = "warga@example.id", available: tuple[str, ...] = CHANNELS_ALL
) -> Contact:
    made = citizens.new_contact(
        booking_id="bk-1",
        agency="dukcapil",
        service="ktp-el",
        code="KDI-7Q4M",
        day="2026-03-03",
        session_start=SESSION,
        session_end=SESSION + dt.timedelta(hours=1),
        phone=phone,
        email=email,
        language_code="id",
        now=T0,
        timezone=WITA,
        retention_days=3,
        available=available,
    )
    assert made is not None
    return made


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(0812) 3456.7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("+1 415 555 0100", "+14155550100"),
        ("12345", ""),
        ("0812-ABCD-7890", ""),
        ("", ""),
    ],
)
def test_phone_numbers_are_read_as_indonesians_write_them(raw: str, normal: str) -> None:
    assert citizens.normalise_phone(raw) == normal


@pytest.mark.parametrize(
    ("raw", "normal"),
    [(" Warga@Example.ID ", "warga@example.id"), ("warga@localhost", ""), ("warga", ""), ("@example.id", "")],
)
def test_email_addresses(raw: str, normal: str) -> None:
    assert citizens.normalise_email(raw) == normal


@pytest.mark.parametrize(
    ("raw", "code"), [("id", "id"), ("EN", "en"), ("en-GB", "en"), ("jv", "id"), ("", "id")]
)
def test_language_is_indonesian_unless_english(raw: str, code: str) -> None:
    assert citizens.language(raw) == code


def test_whatsapp_when_configured_else_sms_and_email_as_well() -> None:
    both = contact()

    assert citizens.channels_for(both, {WHATSAPP, SMS, EMAIL}) == [WHATSAPP, EMAIL]
    assert citizens.channels_for(both, {SMS, EMAIL}) == [SMS, EMAIL]
    assert citizens.channels_for(both, {WHATSAPP}) == [WHATSAPP]
    assert citizens.channels_for(both, {EMAIL}) == [EMAIL]
    assert citizens.channels_for(dataclasses.replace(both, email=""), {WHATSAPP, EMAIL}) == [WHATSAPP]
    assert citizens.channels_for(dataclasses.replace(both, phone=""), {WHATSAPP, SMS}) == []


def test_only_addresses_a_configured_channel_can_use_are_kept() -> None:
    assert (contact(available=(EMAIL,)).phone, contact(available=(EMAIL,)).email) == ("", "warga@example.id")
    assert (contact(available=(SMS,)).phone, contact(available=(SMS,)).email) == ("+6281234567890", "")


def test_a_booking_nobody_can_reach_is_not_kept() -> None:
    kept = citizens.new_contact(
        booking_id="bk-1",
        agency="dukcapil",
        service="ktp-el",
        code="X",
        day="2026-03-03",
        session_start=SESSION,
        session_end=SESSION,
        phone="0812-3456-7890",
        email="",
        language_code="id",
        now=T0,
        timezone=WITA,
        retention_days=3,
        available=(EMAIL,),
    )
    assert kept is None


def test_an_opt_out_digest_matches_however_the_number_is_written_and_needs_the_key() -> None:
    assert citizens.optout_digest(KEY, "0812-3456-7890") == citizens.optout_digest(KEY, "+6281234567890")
    assert citizens.optout_digest(KEY, "Warga@Example.id") == citizens.optout_digest(KEY, "warga@example.id")
    assert citizens.optout_digest(KEY, "+6281234567890") != citizens.optout_digest(
        b"x" * 32, "+6281234567890"
    )
    assert "6281234567890" not in citizens.optout_digest(KEY, "+6281234567890")


def test_message_keys_are_stable_and_fit_the_event_id_column() -> None:
    key = citizens.message_key(Kind.REMINDER, "bk-1", "2026-03-03")

    assert key == citizens.message_key(Kind.REMINDER, "bk-1", "2026-03-03")
    assert key != citizens.message_key(Kind.REMINDER, "bk-1", "2026-03-04")
    assert key != citizens.message_key(Kind.NO_SHOW, "bk-1", "2026-03-03")
    assert len(key) == 36


def test_kinds_round_trip_through_the_event_column() -> None:
    assert citizens.kind_of(citizens.event_name(Kind.TURN_NEAR)) == Kind.TURN_NEAR
    assert citizens.kind_of("ticket.called") is None
    assert citizens.kind_of("citizen.unknown") is None


def test_what_waits_out_quiet_hours_and_what_passes_an_opt_out() -> None:
    assert [k for k in Kind if citizens.may_wait(k)] == [Kind.REMINDER, Kind.NO_SHOW, Kind.SURVEY]
    assert [k for k in Kind if citizens.allowed_after_opt_out(k)] == [Kind.CONFIRMATION]


def test_the_reminder_is_due_from_16_00_the_day_before_until_the_session() -> None:
    booked = contact()
    four_pm = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # Monday 16:00 WITA

    assert citizens.reminder_moment("2026-03-03", dt.time(16), WITA) == four_pm
    assert not citizens.reminder_due(booked, four_pm - dt.timedelta(seconds=1), dt.time(16), WITA)
    assert citizens.reminder_due(booked, four_pm, dt.time(16), WITA)
    assert citizens.reminder_due(booked, SESSION - dt.timedelta(seconds=1), dt.time(16), WITA)  # catching up
    assert not citizens.reminder_due(booked, SESSION, dt.time(16), WITA)
    assert not citizens.reminder_due(
        dataclasses.replace(booked, reminded_day="2026-03-03"), four_pm, dt.time(16), WITA
    )
    assert not citizens.reminder_due(
        dataclasses.replace(booked, stage=Stage.WAITING), four_pm, dt.time(16), WITA
    )
    late = dataclasses.replace(booked, created_at=four_pm + dt.timedelta(minutes=30))
    assert not citizens.reminder_due(late, four_pm + dt.timedelta(hours=1), dt.time(16), WITA)


def test_a_contact_is_kept_until_the_end_of_its_day_plus_the_retention_days() -> None:
    # 2026-03-07 00:00 WITA is 2026-03-06 16:00 UTC.
    assert contact().purge_after == dt.datetime(2026, 3, 6, 16, 0, tzinfo=dt.UTC)
    assert citizens.purge_after("2026-03-03", WITA, 0) == dt.datetime(2026, 3, 3, 16, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("position", "near"),
    [(None, False), (0, False), (1, True), (4, True), (5, False)],
)
def test_turn_is_near_with_at_most_n_tickets_ahead(position: int | None, near: bool) -> None:
    assert citizens.turn_is_near(position, 3) is near


def test_a_replayed_old_event_sends_nothing() -> None:
    end = SESSION + dt.timedelta(hours=1)

    assert citizens.still_useful(Kind.CONFIRMATION, T0, T0, end)
    assert not citizens.still_useful(Kind.CONFIRMATION, T0, end, end)
    assert citizens.still_useful(Kind.CALLED, T0, T0 + dt.timedelta(minutes=15), end)
    assert not citizens.still_useful(Kind.CALLED, T0, T0 + dt.timedelta(minutes=16), end)
    assert citizens.still_useful(Kind.SURVEY, T0, T0 + dt.timedelta(hours=23), end)
    assert not citizens.still_useful(Kind.NO_SHOW, T0, T0 + dt.timedelta(days=2), end)


def test_survey_link_names_the_ticket() -> None:
    assert (
        citizens.survey_link("https://skm.example/isi?tiket={ticket}", "t 1")
        == "https://skm.example/isi?tiket=t%201"
    )
    assert citizens.survey_link("https://skm.example/isi", "t1") == "https://skm.example/isi?ticket=t1"
    assert (
        citizens.survey_link("https://skm.example/isi?hall=kdi", "t1")
        == "https://skm.example/isi?hall=kdi&ticket=t1"
    )
