"""Notify's settings (``ANTRE_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from antre.settings import ServiceSettings


class Settings(ServiceSettings):
    # One webhook attempt may take this long per phase (connect, send, wait for the answer).
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Attempts before a delivery is given up (about 18.5 minutes with 12; see domain.deliveries).
    webhook_max_attempts: int = Field(default=12, ge=1, le=100)
    # Deliveries claimed and sent in parallel per round of the worker.
    webhook_batch: int = Field(default=50, ge=1, le=500)
    # Seconds between two rounds of the worker.
    webhook_poll_seconds: float = Field(default=0.5, gt=0, le=60)
