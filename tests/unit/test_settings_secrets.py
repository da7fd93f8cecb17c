"""Secrets in the services' settings: kept as SecretStr (never shown in a repr or a log line), and
outside demo mode an example value stops the service at start, naming the variable in both
languages; a missing NIK key is refused as before."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from services.notify.settings import Settings as NotifySettings
from services.ticketing.bootstrap import nik_secret_of
from services.ticketing.settings import Settings as TicketingSettings
from tools.devhall import setting_refusal

KEY = "k" * 40


def test_the_nik_key_is_a_secret_and_an_example_one_is_refused() -> None:
    given = TicketingSettings(nik_secret="a-real-key-of-32-random-characters", demo=False)  # type: ignore[arg-type]  # text, as the environment gives it
    assert isinstance(given.nik_secret, SecretStr) and "a-real-key" not in repr(given)
    assert nik_secret_of(given) == b"a-real-key-of-32-random-characters"
    with pytest.raises(ValidationError) as refused:
        TicketingSettings(nik_secret="changeme", demo=False)  # type: ignore[arg-type]  # text, as above
    said = str(refused.value)
    assert "ANTRE_NIK_SECRET masih berisi nilai contoh" in said and "still holds an example value" in said
    assert TicketingSettings(nik_secret="changeme", demo=True).demo  # type: ignore[arg-type]  # a demo hall may


def test_a_missing_nik_key_outside_demo_is_refused_as_before() -> None:
    with pytest.raises(RuntimeError, match="ANTRE_NIK_SECRET wajib di luar mode demo"):
        nik_secret_of(TicketingSettings(demo=False))
    refusal = setting_refusal({})
    assert refusal is not None and "ANTRE_NIK_SECRET" in refusal
    assert setting_refusal({"ANTRE_NIK_SECRET": KEY}) is None


@pytest.mark.parametrize(
    ("variable", "values"),
    [
        ("ANTRE_WHATSAPP_TOKEN", {"whatsapp_token": "secret", "whatsapp_phone_number_id": "1"}),
        ("ANTRE_SMS_API_KEY", {"sms_url": "https://sms.example/send", "sms_api_key": "Password"}),
        ("ANTRE_SMTP_PASSWORD", {"smtp_host": "smtp.example", "smtp_from": "a@b", "smtp_password": "demo"}),
    ],
)
def test_notifys_channel_secrets_refuse_example_values(variable: str, values: dict[str, Any]) -> None:
    rules: dict[str, Any] = {"optout_key": KEY, "optout_url": "https://mpp.example/berhenti"}
    with pytest.raises(ValidationError, match=variable):
        NotifySettings(**rules, **values, demo=False)
    assert NotifySettings(**rules, **values, demo=True).citizen_channels
