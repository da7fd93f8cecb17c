"""The default voice pack, made with espeak-ng's Indonesian (and English) voice at build time: one
clip per word of :func:`antre.speech.vocabulary`, trimmed of espeak's silence so
that clips played back to back sound like one sentence, and a two-tone chime made here.

Output: 16-bit mono PCM WAV at espeak's 22,050 Hz (every browser decodes it without a codec;
about 20-35 KB a word, some 2.5 MB for both languages), with ``manifest.json``. The pack is written
to a folder beside the target and then moved into place, so a display that starts meanwhile
never reads half a pack.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import subprocess
import tempfile
import time
import wave
from array import array
from collections.abc import Iterable, Mapping
from pathlib import Path

from antre.speech import vocabulary
from services.display.adapters import voicepack

ESPEAK = "espeak-ng"
VOICES = {"id": "id", "en": "en"}
SPEED = 165  # words a minute: a little slower than espeak's 175, for a hall's echo
RATE = 22_050
LEAD_SECONDS = 0.01  # kept before a word's first sound (its attack)
TAIL_SECONDS = 0.06  # kept after its last: the word's decay and a breath before the next
FADE_SECONDS = 0.005  # no click where a clip is cut
SILENCE = 0.02  # below 2 % of the clip's peak counts as silence


def available(espeak: str = ESPEAK) -> bool:
    return shutil.which(espeak) is not None


def build(
    out: Path,
    langs: Iterable[str] = ("id", "en"),
    *,
    espeak: str = ESPEAK,
    speed: int = SPEED,
    words: Mapping[str, Iterable[str]] | None = None,
) -> voicepack.VoicePack:
    """Make the pack in ``out`` (replacing what is there) and return it. ``words``: the clips
    per language (default: :func:`vocabulary`; a hall's own words with
    :func:`services.display.domain.wording.hall_vocabulary`)."""
    if not available(espeak):
        raise FileNotFoundError(f"{espeak} is not installed (apt-get install espeak-ng)")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        write_chime(staging / voicepack.CHIME_FILE)
        for lang in langs:
            (staging / lang).mkdir()
            for token in (words or {}).get(lang) or vocabulary(lang):
                samples = synthesize(_spoken_form(token, lang), VOICES[lang], espeak=espeak, speed=speed)
                write_wav(staging / lang / f"{token}.wav", trim(samples))
        version = _espeak_version(espeak)
        pack = voicepack.index(staging, voice=f"{version} ({', '.join(VOICES[lang] for lang in langs)})")
        voicepack.write_manifest(pack)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for _ in range(50):  # another build may be swapping its pack in this very moment
        loaded = voicepack.load(out)
        if loaded is not None:
            return loaded
        time.sleep(0.1)
    raise FileNotFoundError(f"{out}: no voice pack after building one")


def synthesize(text: str, voice: str, *, espeak: str = ESPEAK, speed: int = SPEED) -> array[int]:
    """espeak-ng's reading of ``text`` as 16-bit samples at :data:`RATE`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.wav"
        subprocess.run(
            [espeak, "-v", voice, "-s", str(speed), "-w", str(path), "--", text],
            check=True,
            capture_output=True,
            timeout=30,
        )
        with wave.open(str(path), "rb") as clip:
            if (clip.getnchannels(), clip.getsampwidth(), clip.getframerate()) != (1, 2, RATE):
                raise ValueError(f"unexpected espeak-ng output: {clip.getparams()}")
            samples = array("h")
            samples.frombytes(clip.readframes(clip.getnframes()))
            return samples


def trim(samples: array[int], rate: int = RATE) -> array[int]:
    """The clip without the silence espeak puts around a word, with a short fade at both cuts."""
    peak = max((abs(s) for s in samples), default=0)
    if peak == 0:
        return array("h")
    threshold = peak * SILENCE
    first = next(i for i, s in enumerate(samples) if abs(s) > threshold)
    last = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > threshold)
    start = max(0, first - int(LEAD_SECONDS * rate))
    end = min(len(samples), last + int(TAIL_SECONDS * rate))
    clip = samples[start:end]
    fade = min(int(FADE_SECONDS * rate), len(clip) // 2)
    for i in range(fade):
        clip[i] = int(clip[i] * i / fade)
        clip[-1 - i] = int(clip[-1 - i] * i / fade)
    return clip


def chime(rate: int = RATE) -> array[int]:
    """A "ding-dong" (G5 then E5, each with a soft octave and a long decay), 1.3 s: the hall
    turns its head before the number."""
    tones = ((783.99, 0.0), (659.25, 0.45))
    length = int(1.3 * rate)
    mix = [0.0] * length
    for freq, at in tones:
        begin = int(at * rate)
        for i in range(length - begin):
            t = i / rate
            envelope = min(1.0, t / 0.01) * math.exp(-t * 3.2)
            wave_ = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            mix[begin + i] += 0.42 * envelope * wave_
    fade = int(FADE_SECONDS * rate)
    for i in range(fade):
        mix[-1 - i] *= i / fade
    return array("h", (max(-32767, min(32767, int(v * 32767))) for v in mix))


def write_chime(path: Path, rate: int = RATE) -> None:
    write_wav(path, chime(rate), rate)


def write_wav(path: Path, samples: array[int], rate: int = RATE) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def _spoken_form(token: str, lang: str) -> str:
    """What espeak is given for a clip: an English letter as a capital, so that "a" is the
    letter's name ("ay") and not the article; every other token as it is."""
    return token.upper() if lang == "en" and len(token) == 1 else token


def _espeak_version(espeak: str) -> str:
    done = subprocess.run([espeak, "--version"], capture_output=True, text=True, timeout=10, check=False)
    words = done.stdout.split()
    # "eSpeak NG text-to-speech: 1.51  Data at: ..." -> "espeak-ng 1.51"
    return f"espeak-ng {words[3]}" if len(words) > 3 else "espeak-ng"


def _swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` with renames only (each atomic on one file system). Two
    displays sharing a state folder may build at once: the one that finds another's pack put in
    place meanwhile keeps that one (espeak-ng makes the same clips every time)."""
    old = staging.with_name(f"{staging.name}-old")  # unique, as the staging folder is
    with contextlib.suppress(FileNotFoundError):
        out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
