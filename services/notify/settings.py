"""Notify's settings (``ANTRE_*`` environment variables).

Citizen channels are used only when configured: email when ``ANTRE_SMTP_HOST`` is set, WhatsApp
when ``ANTRE_WHATSAPP_TOKEN`` and ``ANTRE_WHATSAPP_PHONE_NUMBER_ID`` are, SMS when
``ANTRE_SMS_URL`` is. With any of them, ``ANTRE_OPTOUT_KEY`` (the key of the opt-out hashes, the
same on every replica, kept out of the database) and ``ANTRE_OPTOUT_URL`` (the page named in every
message's footer) are required: the service refuses to start without them rather than message
citizens who cannot stop it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from antre.settings import ServiceSettings
from services.notify.domain.citizens import EMAIL, SMS, WHATSAPP

MIN_KEY_CHARS = 32


class Settings(ServiceSettings):
    # One webhook attempt may take this long per phase (connect, send, wait for the answer).
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Attempts before a delivery is given up (about 18.5 minutes with 12; see domain.deliveries).
    webhook_max_attempts: int = Field(default=12, ge=1, le=100)
    # Deliveries claimed and sent in parallel per round of the worker.
    webhook_batch: int = Field(default=50, ge=1, le=500)
    # Seconds between two rounds of the worker.
    webhook_poll_seconds: float = Field(default=0.5, gt=0, le=60)

    # ---- citizens: channels ----
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = ""  # e.g. "MPP Kota Kendari <antrean@example.go.id>"
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    whatsapp_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_token: SecretStr = SecretStr("")
    whatsapp_phone_number_id: str = ""
    sms_url: str = ""
    sms_api_key: SecretStr = SecretStr("")
    sms_format: Literal["json", "form"] = "json"
    # One attempt at a provider (SMTP session, HTTP request) may take this long.
    citizen_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # ---- citizens: rules ----
    optout_key: SecretStr = SecretStr("")
    optout_url: str = ""
    # The SKM survey; "{ticket}" in it is replaced by the ticket id, else ?ticket=<id> is added.
    # Empty: no survey message.
    survey_url: str = ""
    # Contacts are deleted this many days after the end of their booking day (hall time).
    contact_retention_days: int = Field(default=3, ge=0, le=30)
    # Where "your turn is near" asks a ticket's position.
    counters_url: str = "http://127.0.0.1:8102"
    positions_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # Reminders and the purge: every this many seconds.
    jobs_poll_seconds: float = Field(default=60.0, gt=0, le=3600)

    @property
    def citizen_channels(self) -> frozenset[str]:
        configured = {
            EMAIL: bool(self.smtp_host),
            WHATSAPP: bool(self.whatsapp_token.get_secret_value() and self.whatsapp_phone_number_id),
            SMS: bool(self.sms_url),
        }
        return frozenset(name for name, on in configured.items() if on)

    @model_validator(mode="after")
    def _citizens_can_stop(self) -> Settings:
        if self.smtp_host and not self.smtp_from:
            raise ValueError("ANTRE_SMTP_FROM is required with ANTRE_SMTP_HOST")
        if bool(self.whatsapp_token.get_secret_value()) != bool(self.whatsapp_phone_number_id):
            raise ValueError("ANTRE_WHATSAPP_TOKEN and ANTRE_WHATSAPP_PHONE_NUMBER_ID go together")
        if self.sms_url and not self.sms_api_key.get_secret_value():
            raise ValueError("ANTRE_SMS_API_KEY is required with ANTRE_SMS_URL")
        if not self.citizen_channels:
            return self
        if len(self.optout_key.get_secret_value()) < MIN_KEY_CHARS:
            raise ValueError(
                f"ANTRE_OPTOUT_KEY (at least {MIN_KEY_CHARS} random characters, the same on every "
                "replica) is required when a citizen channel is configured"
            )
        if not self.optout_url:
            raise ValueError("ANTRE_OPTOUT_URL (the opt-out page in every message) is required")
        return self
