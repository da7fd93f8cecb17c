"""The reports service's settings (``ANTRE_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from antre.settings import ServiceSettings


class Settings(ServiceSettings):
    # Where people sign in: reports asks it who is calling (GET /api/v1/me).
    counters_url: str = "http://127.0.0.1:8102"
    # The same counters as a browser reaches them (the staff pages sign in there, see the counters'
    # ANTRE_STAFF_ORIGINS); empty: counters_url.
    counters_public_url: str = ""
    # A citizen may change their survey answers for this long after giving them; then they are final.
    survey_change_minutes: int = Field(default=30, ge=0, le=24 * 60)
    # Events gathered per batch while they flow (one transaction each): the record is read, not
    # waited on, so a short wait halves its cost under load.
    record_linger_seconds: float = Field(default=0.05, ge=0, le=1)
    # The live hall: a counter open and holding nobody for longer than this while a queue it
    # serves has people waiting is an alert.
    live_idle_minutes: float = Field(default=3, ge=0, le=8 * 60)
    # Its pages get a fresh snapshot this often without any event, so durations and idle alerts
    # move in a quiet hall; after events, at most one per live_coalesce_seconds (a burst of
    # calls is one refresh).
    live_refresh_seconds: float = Field(default=20, ge=1, le=300)
    live_coalesce_seconds: float = Field(default=0.5, ge=0, le=5)
    # Unknown ticket ids one client may ask the survey about in an hour, counted in each replica's
    # memory; past it every id is answered 429, so a known and an unknown id look alike.
    survey_wrong_ids_per_hour: int = Field(default=20, ge=1, le=100_000)
    # How often the hall's IKM of the month so far is computed; it is published (skm.index, for
    # the boards) when it changed.
    skm_index_minutes: float = Field(default=10, gt=0, le=24 * 60)

    def counters_for_pages(self) -> str:
        return (self.counters_public_url or self.counters_url).rstrip("/")
