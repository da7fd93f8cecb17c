"""Ticketing's settings (``ANTRE_*`` environment variables)."""

from __future__ import annotations

from antre.settings import ServiceSettings


class Settings(ServiceSettings):
    # Where citizens reach the status page: the QR code on a ticket points here.
    public_url: str = "http://127.0.0.1:8101"
    # The counters service, owner of queue order, answers position queries.
    counters_url: str = "http://127.0.0.1:8102"
