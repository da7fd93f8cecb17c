"""The counters' settings (``ANTRE_*`` environment variables)."""

from __future__ import annotations

from antre.settings import ServiceSettings


class Settings(ServiceSettings):
    pass
