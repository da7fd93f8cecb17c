"""What the display's handlers need, handed in by bootstrap (or by tests, with fakes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from antre import heartbeats
from antre.hall.model import Hall
from antre.live import Broadcaster
from antre.uow import UnitOfWork
from services.display.adapters.voicepack import VoicePack
from services.display.domain.wording import Wording
from services.display.metrics import Metrics

VOICE_LANG = "id"  # the language calls are spoken in (the voice pack's folder)


@dataclass(frozen=True)
class MessageCap:
    """How many service messages may stand in a zone's log, posted within ``window``: per
    officer, and in all. One officer's messages must not fill the hall's voice."""

    window: dt.timedelta = dt.timedelta(minutes=10)
    per_officer: int = 3
    per_zone: int = 10


class VoiceDeps(Protocol):
    """What the voice's handlers need of :class:`Deps`."""

    hall: Hall
    stale_after: dt.timedelta
    message_cap: MessageCap

    def wording(self) -> Wording: ...


@dataclass
class Deps:
    hall: Hall
    uow: UnitOfWork
    metrics: Metrics
    live: Broadcaster
    recent_calls: int = 6
    # The clips boards play; None: boards speak with their speech engine (and the arbiter
    # estimates how long that takes). Set at start, or later once a default pack is built.
    voice: VoicePack | None = None
    # An entry whose slot began longer ago than this is not spoken (announcement.stale).
    stale_after: dt.timedelta = dt.timedelta(seconds=30)
    message_cap: MessageCap = field(default_factory=MessageCap)
    # When a board that stopped beating is silent, and so how often its page beats.
    device_timing: heartbeats.Timing = field(default_factory=heartbeats.Timing)

    def wording(self) -> Wording:
        """The hall's templates with the clips boards have now (the pack may come later)."""
        voice = self.voice
        if voice is None:
            return Wording.of(self.hall)
        clips = {lang: voice.durations(lang) for lang in voice.langs}
        return Wording.of(self.hall, clips, voice.pause_seconds)


def topic(zone: str) -> str:
    """The broadcast topic a zone's boards listen to."""
    return f"zone:{zone}"
