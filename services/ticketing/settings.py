"""Ticketing's settings (``ANTRE_*`` environment variables)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr

from antre.heartbeats import SILENT_AFTER
from antre.settings import ServiceSettings


class Settings(ServiceSettings):
    # Where citizens reach the status page: the QR code on a ticket points here.
    public_url: str = "http://127.0.0.1:8101"
    # The counters service, owner of queue order, answers position queries.
    counters_url: str = "http://127.0.0.1:8102"
    # Key of the NIK hashes (at least 16 characters). It never goes into the database or its
    # backups, so a leaked table reveals no NIK. Required outside demo halls.
    nik_secret: SecretStr = SecretStr("")
    # API keys of systems that book into the hall's pool, as JSON: {"key": "name"}. A name that is
    # an agency code may book that agency's services; "helpdesk" books on behalf of citizens.
    api_keys: dict[str, str] = Field(default_factory=dict)
    # Online bookings prove the phone by a one-time code notify sends (invented NIKs and phones
    # otherwise take the online quota). On unless the hall says otherwise; the help desk's and
    # agencies' keys never need it. A demo hall shows the codes on notify's /demo/messages.
    booking_phone_check: bool = True
    # Notify, owner of citizens' channels, sends and checks the codes.
    notify_url: str = "http://127.0.0.1:8104"

    # Walk-in numbers one enrolled kiosk may hand out in any minute (per replica): a person takes
    # several seconds a ticket; a flood from one kiosk's token stops here.
    kiosk_tickets_per_minute: int = Field(default=20, ge=1, le=100_000)
    # An enrolled kiosk with no heartbeat for this long is published as silent (device.status) and
    # shows on the live hall; its page beats every third of it, at most every 30 s. The display
    # reads the same variable for its boards.
    device_silent_seconds: float = Field(default=SILENT_AFTER, ge=1, le=24 * 3600)
    # The SKM survey a citizen is offered on the status page once served (the reports service's
    # /survey/{ticket}); "{ticket}" is replaced by the ticket id, as in notify's ANTRE_SURVEY_URL,
    # else ?ticket=<id> is added. Empty: no survey link.
    survey_url: str = ""
    # The display's voice pack as the kiosks' browsers reach it (e.g. https://papan.example/voice/;
    # the display lets any origin read it): a kiosk's spoken guidance says a taken number with the
    # boards' clips. Empty: the kiosk says it with the browser's own speech engine.
    voice_url: str = ""

    def voice_origin(self) -> str:
        """The pack's origin, for the kiosk page's connect-src; empty when there is none."""
        parts = urlsplit(self.voice_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
