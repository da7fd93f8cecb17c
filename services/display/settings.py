"""The display's settings (``ANTRE_*`` environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from antre.heartbeats import SILENT_AFTER
from antre.settings import ServiceSettings


class Settings(ServiceSettings):
    # An announcement whose start is older than this when a board learns of it (after a
    # reconnect, or a backlog after an outage) is shown but not spoken.
    announcement_stale_seconds: float = Field(default=30.0, gt=0)
    # How many past calls a board lists beside "sedang dipanggil".
    board_recent_calls: int = Field(default=6, ge=1, le=50)
    # At most this many announcements are replayed to a board that reconnects.
    board_resync_limit: int = Field(default=500, ge=1)
    # The voice pack the boards play (services/display/voice/README.md): a hall's own recordings.
    # Empty: <state_dir>/voice, where the display builds espeak-ng's default pack when it starts
    # without one (see voice_build).
    voice_dir: str = ""
    # Build the default pack into <state_dir>/voice at start when that folder has none and
    # espeak-ng is installed (production images build it at image build time instead).
    voice_build: bool = True
    # Service messages that may stand in a zone's log, posted within the window: per officer, and
    # in all (one officer's messages must not fill the hall's voice); past it, 429.
    message_window_seconds: float = Field(default=600.0, gt=0)
    messages_per_officer: int = Field(default=3, ge=1)
    messages_per_zone: int = Field(default=10, ge=1)
    # Where officers sign in: the display asks it who posts a service message (GET /api/v1/me).
    counters_url: str = "http://127.0.0.1:8102"
    # An enrolled board with no heartbeat for this long is published as silent (device.status) and
    # shows on the live hall; its page beats every third of it, at most every 30 s. Ticketing
    # reads the same variable for its kiosks.
    device_silent_seconds: float = Field(default=SILENT_AFTER, ge=1, le=24 * 3600)

    def voice_path(self) -> Path:
        return Path(self.voice_dir) if self.voice_dir.strip() else self.state_dir / "voice"
