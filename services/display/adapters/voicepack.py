"""The hall's voice pack as the display reads and serves it: a folder of short clips (a chime,
one clip per word of the call sentences) and a manifest saying which file is which word and how
long each lasts. Boards play the clips back to back; the arbiter times each announcement by them.

Layout (documented for halls in ``services/display/voice/README.md``)::

    <ANTRE_VOICE_DIR>/
        manifest.json       what the boards fetch (written by ``voice-build`` or ``voice-index``)
        chime.wav           before every call
        id/<word>.wav       Indonesian words: nomor.wav, antrean.wav, be.wav, nol.wav, belas.wav ...
        en/<word>.wav       English, the same way (optional)

A folder without ``manifest.json`` is indexed when the display starts (WAV files only: their
length is read from their header). A manifest names only files inside the folder; the display
serves those files and nothing else from it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from antre.speech import CHIME

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = 1
CHIME_FILE = "chime.wav"
PAUSE_SECONDS = 0.25  # a comma: between the number and "silakan menuju loket ..."
MEDIA_TYPES = {".wav": "audio/wav", ".ogg": "audio/ogg", ".opus": "audio/ogg", ".mp3": "audio/mpeg"}


@dataclass(frozen=True)
class Clip:
    file: str  # relative to the pack's folder, with "/" between parts
    seconds: float


@dataclass(frozen=True)
class VoicePack:
    """A loaded pack. ``langs`` maps a language ("id", "en") to its clips by token (the words of
    :func:`antre.speech.tokens`, and ``_chime``)."""

    root: Path
    voice: str
    langs: Mapping[str, Mapping[str, Clip]]
    pause_seconds: float = PAUSE_SECONDS
    version: str = ""

    def durations(self, lang: str) -> dict[str, float]:
        return {token: clip.seconds for token, clip in self.langs.get(lang, {}).items()}

    def manifest(self) -> dict[str, Any]:
        """The manifest as boards read it (and as ``manifest.json`` stores it)."""
        return {
            "format": FORMAT,
            "voice": self.voice,
            "version": self.version,
            "pause_seconds": self.pause_seconds,
            "langs": {
                lang: {t: {"file": c.file, "seconds": round(c.seconds, 6)} for t, c in sorted(clips.items())}
                for lang, clips in sorted(self.langs.items())
            },
        }

    def path(self, file: str) -> Path | None:
        """The file behind a clip name the manifest lists; None for anything else."""
        if file not in self._files:
            return None
        return self.root / file

    @property
    def _files(self) -> frozenset[str]:
        return frozenset(c.file for clips in self.langs.values() for c in clips.values())


def load(root: Path) -> VoicePack | None:
    """The pack in ``root``: its manifest, else an index of its WAV files; None when the folder
    holds no clip. Clips whose file is missing are left out (with a warning): a board speaks a
    sentence that needs one with its speech engine instead."""
    if not root.is_dir():
        return None
    manifest = root / MANIFEST
    pack = _read_manifest(root, manifest) if manifest.is_file() else index(root)
    if not any(pack.langs.values()):
        return None
    return pack


def index(root: Path, voice: str = "") -> VoicePack:
    """A pack from the folder's WAV files: ``chime.wav`` and ``<lang>/<word>.wav``. A word's
    clip name is its file name without ``.wav``, lowercased; a language folder may hold its own
    ``_chime.wav``."""
    chime = root / CHIME_FILE
    langs: dict[str, dict[str, Clip]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        clips: dict[str, Clip] = {}
        if chime.is_file():
            clips[CHIME] = Clip(CHIME_FILE, wav_seconds(chime))
        for file in sorted(folder.glob("*.wav")):
            try:
                clips[file.stem.casefold()] = Clip(f"{folder.name}/{file.name}", wav_seconds(file))
            except (wave.Error, EOFError) as exc:
                log.warning("voice: %s is not a PCM WAV file (%s); left out", file, exc)
        if len(clips) > (CHIME in clips):
            langs[folder.name] = clips
    return VoicePack(root, voice or f"recordings in {root.name}", langs, PAUSE_SECONDS, _version(root, langs))


def write_manifest(pack: VoicePack) -> Path:
    path = pack.root / MANIFEST
    path.write_text(json.dumps(pack.manifest(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as clip:
        return clip.getnframes() / clip.getframerate()


def media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix.casefold(), "application/octet-stream")


def _read_manifest(root: Path, path: Path) -> VoicePack:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: unknown voice pack format {data.get('format')!r} (expected {FORMAT})")
    langs: dict[str, dict[str, Clip]] = {}
    for lang, clips in data.get("langs", {}).items():
        kept: dict[str, Clip] = {}
        for token, clip in clips.items():
            file = str(clip["file"])
            if not _inside(file) or not (root / file).is_file():
                log.warning("voice: %s lists %s for %r, not in the folder; left out", path, file, token)
                continue
            kept[str(token)] = Clip(file, float(clip["seconds"]))
        langs[str(lang)] = kept
    return VoicePack(
        root,
        str(data.get("voice", "")),
        langs,
        float(data.get("pause_seconds", PAUSE_SECONDS)),
        str(data.get("version") or _version(root, langs)),
    )


def _inside(file: str) -> bool:
    """A relative path that stays in the folder: no "..", no absolute path, no backslash."""
    parts = PurePosixPath(file).parts
    return bool(parts) and "\\" not in file and not file.startswith("/") and ".." not in parts


def _version(root: Path, langs: Mapping[str, Mapping[str, Clip]]) -> str:
    """A digest of the clips' names and contents: boards add it to clip URLs, so a pack that
    changes is fetched again while an unchanged one stays in the browser's cache."""
    digest = hashlib.sha256()
    for file in sorted({c.file for clips in langs.values() for c in clips.values()}):
        digest.update(file.encode())
        with contextlib.suppress(OSError):
            digest.update(hashlib.sha256((root / file).read_bytes()).digest())
    for lang, clips in sorted(langs.items()):
        for token, clip in sorted(clips.items()):
            digest.update(f"{lang}:{token}:{clip.file}".encode())
    return digest.hexdigest()[:16]
