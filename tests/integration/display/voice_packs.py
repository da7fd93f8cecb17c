"""Voice packs for tests: espeak-ng's default pack (built once a session) and a pack of short
tones, whose calls last about half a second, for bursts that must play out within a test."""

from __future__ import annotations

import math
from array import array
from dataclasses import replace
from pathlib import Path

from antre.speech import vocabulary
from services.display.adapters import espeak, voicepack

RATE = 22_050


def tone(seconds: float, freq: float, rate: int = RATE) -> array[int]:
    n = int(seconds * rate)
    return array("h", (int(8000 * math.sin(2 * math.pi * freq * i / rate)) for i in range(n)))


def tone_pack(folder: Path, clip: float = 0.03, chime: float = 0.1, pause: float = 0.04) -> Path:
    """Every Indonesian word as a ``clip``-second tone (a pitch of its own), a ``chime``-second
    chime: "Nomor antrean A nol satu dua, silakan menuju loket tiga" lasts about half a second."""
    folder.mkdir(parents=True)
    (folder / "id").mkdir()
    espeak.write_wav(folder / voicepack.CHIME_FILE, tone(chime, 880.0))
    for k, token in enumerate(vocabulary("id")):
        espeak.write_wav(folder / "id" / f"{token}.wav", tone(clip, 300.0 + 20 * k))
    pack = replace(voicepack.index(folder, voice="test tones"), pause_seconds=pause)
    voicepack.write_manifest(pack)
    return folder
