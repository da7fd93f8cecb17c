"""The default voice pack, made by espeak-ng's real Indonesian and English voices: every word
the calls use, trimmed, with its manifest; and the CLI that builds or indexes a pack."""

from __future__ import annotations

import json
import threading
import wave
from pathlib import Path

import pytest

from antre.speech import CHIME, tokens, vocabulary
from services.display.adapters import espeak, voicepack
from services.display.domain.announcements import spoken_duration
from services.display.entrypoints import cli
from tests.support.tools import missing


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_default_pack_has_every_word_of_the_calls(espeak_voice: Path, lang: str) -> None:
    pack = voicepack.load(espeak_voice)
    assert pack is not None
    assert pack.voice.startswith("espeak-ng")
    clips = pack.durations(lang)
    assert set(clips) == {*vocabulary(lang), CHIME}
    for token, seconds in clips.items():
        path = pack.path(pack.langs[lang][token].file)
        assert path is not None
        with wave.open(str(path)) as clip:  # what every browser decodes: 16-bit mono PCM
            assert (clip.getnchannels(), clip.getsampwidth(), clip.getframerate()) == (1, 2, espeak.RATE)
        assert 0.1 < seconds < 1.4, token  # one word, without espeak's silence around it


def test_a_call_from_the_default_pack_lasts_a_few_seconds(espeak_voice: Path) -> None:
    pack = voicepack.load(espeak_voice)
    assert pack is not None
    length = spoken_duration(tokens("A-012", 3), pack.durations("id"), pack.pause_seconds)
    assert length is not None and 4.0 < length.total_seconds() < 8.0
    manifest = json.loads((espeak_voice / "manifest.json").read_text())
    assert manifest == pack.manifest()


def test_the_cli_builds_a_pack_and_indexes_recordings(tmp_path: Path, espeak_voice: Path) -> None:
    if not espeak.available():
        missing("espeak-ng is not installed (apt-get install espeak-ng)")
    out = tmp_path / "pack"
    assert cli.main(["voice-build", "--out", str(out), "--lang", "id"]) == 0
    built = voicepack.load(out)
    assert built is not None and set(built.langs) == {"id"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind
    # A hall replaces a word with its own recording and indexes the folder again.
    (out / "id" / "nomor.wav").write_bytes((espeak_voice / "id" / "antrean.wav").read_bytes())
    assert cli.main(["voice-index", str(out)]) == 0
    indexed = voicepack.load(out)
    assert indexed is not None and indexed.version != built.version
    assert indexed.durations("id")["nomor"] == pytest.approx(
        voicepack.wav_seconds(espeak_voice / "id" / "antrean.wav")
    )
    assert cli.main(["voice-index", str(tmp_path / "empty")]) == 2


def test_two_displays_building_into_one_folder_end_with_one_pack(tmp_path: Path, espeak_voice: Path) -> None:
    """Replicas sharing a state folder may both start without a pack: both builds succeed and
    leave one complete pack, no staging folder behind."""
    out, errors = tmp_path / "voice", []

    def build() -> None:
        try:
            espeak.build(out, ("id",))
        except Exception as exc:  # pragma: no cover - what the test looks for
            errors.append(exc)

    builders = [threading.Thread(target=build) for _ in range(2)]
    for builder in builders:
        builder.start()
    for builder in builders:
        builder.join()
    pack = voicepack.load(out)
    assert errors == [] and pack is not None
    assert set(pack.durations("id")) == {*vocabulary("id"), CHIME}
    assert [p.name for p in tmp_path.iterdir()] == ["voice"]
