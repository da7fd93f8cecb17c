"""The display's settings (``ANTRE_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from antre.settings import ServiceSettings


class Settings(ServiceSettings):
    # An announcement whose start is older than this when a board learns of it (after a
    # reconnect, or a backlog after an outage) is shown but not spoken.
    announcement_stale_seconds: float = Field(default=30.0, gt=0)
    # How many past calls a board lists beside "sedang dipanggil".
    board_recent_calls: int = Field(default=6, ge=1, le=50)
    # At most this many announcements are replayed to a board that reconnects.
    board_resync_limit: int = Field(default=500, ge=1)
