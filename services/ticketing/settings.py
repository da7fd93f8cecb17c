"""Ticketing's settings (``ANTRE_*`` environment variables)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from antre.settings import ServiceSettings
from services.ticketing.entrypoints.client_address import networks


class Settings(ServiceSettings):
    # Where citizens reach the status page: the QR code on a ticket points here.
    public_url: str = "http://127.0.0.1:8101"
    # The counters service, owner of queue order, answers position queries.
    counters_url: str = "http://127.0.0.1:8102"
    # Key of the NIK hashes (at least 16 characters). It never goes into the database or its
    # backups, so a leaked table reveals no NIK. Required outside demo halls.
    nik_secret: str = ""
    # API keys of systems that book into the hall's pool, as JSON: {"key": "name"}. A name that is
    # an agency code may book that agency's services; "helpdesk" books on behalf of citizens.
    api_keys: dict[str, str] = Field(default_factory=dict)
    # Our own proxies (the ingress controller's pods), as addresses or CIDRs separated by commas.
    # Only a request whose TCP peer is one of them has its X-Forwarded-For read, for the booking
    # limits' key; empty: no header is believed and the peer is the client.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _cidrs(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        if isinstance(value, list):
            networks(str(v) for v in value)  # raises, naming the entry that is no CIDR
        return value

    # Walk-in numbers one enrolled kiosk may hand out in any minute (per replica): a person takes
    # several seconds a ticket; a flood from one kiosk's token stops here.
    kiosk_tickets_per_minute: int = Field(default=20, ge=1, le=100_000)
