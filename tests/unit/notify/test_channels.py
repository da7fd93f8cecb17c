"""The citizen channels' wire shapes and their reading of answers, without a network: the
WhatsApp Cloud API text body, the SMS gateway's fields, the email's headers, which failures are
permanent; and the settings that switch channels on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from services.notify.adapters.channels.base import CitizenMessage, Result, http_result
from services.notify.adapters.channels.email import SmtpChannel, SmtpConfig
from services.notify.adapters.channels.outbound import Outbound
from services.notify.adapters.channels.sms import SmsChannel, SmsConfig
from services.notify.adapters.channels.whatsapp import WhatsAppChannel, WhatsAppConfig
from services.notify.domain.deliveries import Delivery, new_delivery
from services.notify.settings import Settings

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
TEXT = "Nomor antrean A-021, silakan menuju Loket 2 (Disdukcapil).\n\nBerhenti: https://mpp.example/b"


def delivery(channel: str) -> Delivery:
    content = CitizenMessage(TEXT, "MPP: Nomor A-021 dipanggil", "id", "https://mpp.example/b")
    return new_delivery(
        delivery_id="d1",
        event_id="k1",
        event="citizen.called",
        url=f"{channel}:bk-1",
        subject="antre.kendari.dukcapil.ticket.called",
        payload=content.encode(),
        now=T0,
        channel=channel,
        booking_id="bk-1",
    )


def test_whatsapp_sends_the_cloud_apis_text_message() -> None:
    channel = WhatsAppChannel(WhatsAppConfig("https://wa.example/v21.0/", "token", "1098765"))
    try:
        assert channel.url == "https://wa.example/v21.0/1098765/messages"
        assert channel.body(delivery("whatsapp"), "+6281234567890") == {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "6281234567890",
            "type": "text",
            "text": {"preview_url": False, "body": TEXT},
        }
    finally:
        channel.close()


def test_sms_sends_to_text_api_key_and_a_reference() -> None:
    channel = SmsChannel(SmsConfig("https://sms.example/send", "kunci"))
    try:
        assert channel.fields(delivery("sms"), "+6281234567890") == {
            "to": "+6281234567890",
            "text": TEXT,
            "api_key": "kunci",
            "ref": "d1",
        }
    finally:
        channel.close()


def test_an_email_carries_a_stable_message_id_and_how_to_unsubscribe() -> None:
    channel = SmtpChannel(SmtpConfig("127.0.0.1", 25, "MPP Kota Kendari <antrean@mpp.example>"))

    msg = channel.message(delivery("email"), "warga@example.id")

    assert msg["To"] == "warga@example.id"
    assert msg["Subject"] == "MPP: Nomor A-021 dipanggil"
    assert msg["Message-ID"] == "<d1@mpp.example>"
    assert msg["List-Unsubscribe"] == "<https://mpp.example/b>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content() == TEXT + "\n"


@pytest.mark.parametrize(
    ("status", "ok", "permanent"),
    [
        (200, True, False),
        (201, True, False),
        (400, False, True),
        (422, False, True),
        (401, False, False),
        (404, False, False),
        (429, False, False),
        (503, False, False),
    ],
)
def test_which_provider_answers_are_worth_a_retry(status: int, ok: bool, permanent: bool) -> None:
    result = http_result(status, 0.0)

    assert (result.ok, result.permanent) == (ok, permanent)


def test_a_channel_removed_since_the_delivery_was_made_is_a_retryable_failure() -> None:
    outbound = Outbound([], parallel=1)
    try:
        [result] = outbound.send_all([(delivery("sms"), "+6281234567890")])
    finally:
        outbound.close()

    assert result == Result(None, "channel sms is not configured", 0.0)


def test_settings_switch_channels_on_only_when_configured() -> None:
    key = SecretStr("x" * 32)
    assert Settings().citizen_channels == frozenset()
    on = Settings(
        smtp_host="smtp.example",
        smtp_from="a@mpp.example",
        whatsapp_token=SecretStr("t"),
        whatsapp_phone_number_id="1",
        sms_url="https://sms.example",
        sms_api_key=SecretStr("k"),
        optout_key=key,
        optout_url="https://mpp.example/b",
    )
    assert on.citizen_channels == {"email", "whatsapp", "sms"}


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"sms_url": "https://sms.example", "sms_api_key": "k"}, "ANTRE_OPTOUT_KEY"),
        ({"sms_url": "https://sms.example", "sms_api_key": "k", "optout_key": "short"}, "ANTRE_OPTOUT_KEY"),
        ({"sms_url": "https://sms.example", "sms_api_key": "k", "optout_key": "x" * 32}, "ANTRE_OPTOUT_URL"),
        ({"sms_url": "https://sms.example"}, "ANTRE_SMS_API_KEY"),
        ({"smtp_host": "smtp.example"}, "ANTRE_SMTP_FROM"),
        ({"whatsapp_token": "t"}, "ANTRE_WHATSAPP_PHONE_NUMBER_ID"),
    ],
)
def test_settings_refuse_a_channel_citizens_could_not_stop(options: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        Settings(**options)
