"""The voice pack as the display reads it: a hall's folder of WAV files indexed, a manifest read
back, only listed files served, clips trimmed and a chime made for the default pack."""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import pytest

from antre.speech import CHIME
from services.display.adapters import espeak, voicepack

RATE = 8000


def wav(path: Path, seconds: float, rate: int = RATE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    espeak.write_wav(path, array("h", [1000] * int(seconds * rate)), rate)


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    """A hall's recordings, as its README asks: a chime, Indonesian words, an English one."""
    root = tmp_path / "voice"
    wav(root / "chime.wav", 1.0)
    wav(root / "id" / "nomor.wav", 0.5)
    wav(root / "id" / "Antrean.wav", 0.25)  # a capital in a file name is forgiven
    wav(root / "en" / "number.wav", 0.375)
    (root / "id" / "notes.txt").write_text("not a clip")
    (root / ".staging").mkdir()  # a half-built pack beside it is not a language
    return root


def test_a_folder_of_recordings_is_indexed(recordings: Path) -> None:
    pack = voicepack.load(recordings)
    assert pack is not None
    assert pack.durations("id") == {CHIME: 1.0, "nomor": 0.5, "antrean": 0.25}
    assert pack.durations("en") == {CHIME: 1.0, "number": 0.375}
    assert pack.durations("fr") == {}
    manifest = pack.manifest()
    assert manifest["format"] == 1 and manifest["pause_seconds"] == voicepack.PAUSE_SECONDS
    assert manifest["langs"]["id"]["antrean"] == {"file": "id/Antrean.wav", "seconds": 0.25}
    assert manifest["langs"]["id"][CHIME]["file"] == "chime.wav"


def test_a_written_manifest_is_what_is_read_back(recordings: Path) -> None:
    pack = voicepack.load(recordings)
    assert pack is not None
    voicepack.write_manifest(pack)
    again = voicepack.load(recordings)
    assert again is not None and again.manifest() == pack.manifest()


def test_only_files_the_manifest_lists_are_served(recordings: Path) -> None:
    pack = voicepack.load(recordings)
    assert pack is not None
    assert pack.path("id/nomor.wav") == recordings / "id" / "nomor.wav"
    for other in ("id/notes.txt", "../voice/id/nomor.wav", "/etc/passwd", "id/../chime.wav", ""):
        assert pack.path(other) is None


def test_a_manifest_entry_without_its_file_or_outside_the_folder_is_left_out(recordings: Path) -> None:
    manifest = {
        "format": 1,
        "voice": "a hall's voice",
        "langs": {
            "id": {
                "nomor": {"file": "id/nomor.wav", "seconds": 0.5},
                "satu": {"file": "id/satu.wav", "seconds": 0.4},  # never recorded
                "dua": {"file": "../secret.wav", "seconds": 0.4},
            }
        },
    }
    (recordings.parent / "secret.wav").write_bytes(b"RIFF")
    (recordings / "manifest.json").write_text(json.dumps(manifest))
    pack = voicepack.load(recordings)
    assert pack is not None
    assert pack.voice == "a hall's voice"
    assert pack.durations("id") == {"nomor": 0.5}
    assert pack.version  # made from the files when the manifest has none


def test_an_unknown_manifest_format_is_refused(recordings: Path) -> None:
    (recordings / "manifest.json").write_text(json.dumps({"format": 2, "langs": {}}))
    with pytest.raises(ValueError, match="format"):
        voicepack.load(recordings)


def test_no_folder_or_no_clip_is_no_pack(tmp_path: Path) -> None:
    assert voicepack.load(tmp_path / "missing") is None
    wav(tmp_path / "only-chime" / "chime.wav", 1.0)
    (tmp_path / "only-chime" / "id").mkdir()
    assert voicepack.load(tmp_path / "only-chime") is None


def test_the_version_follows_the_clips_contents(recordings: Path) -> None:
    before = voicepack.load(recordings)
    wav(recordings / "id" / "nomor.wav", 0.5)  # the same file again: same version
    same = voicepack.load(recordings)
    espeak.write_wav(recordings / "id" / "nomor.wav", array("h", [2000] * int(0.5 * RATE)), RATE)
    after = voicepack.load(recordings)
    assert before is not None and same is not None and after is not None
    assert before.version == same.version != after.version


def test_trim_keeps_the_word_and_a_breath_after_it() -> None:
    rate = 22_050
    silence, word = [0] * rate, [8000, -8000] * (rate // 4)  # 1 s, 0.5 s, 1 s
    clip = espeak.trim(array("h", silence + word + silence), rate)
    expected = 0.5 + espeak.LEAD_SECONDS + espeak.TAIL_SECONDS
    assert len(clip) / rate == pytest.approx(expected, abs=0.002)
    assert clip[0] == 0 and clip[-1] == 0  # faded at both cuts: no click
    assert espeak.trim(array("h", [0] * 100)) == array("h")


def test_the_chime_is_a_short_clean_ding_dong() -> None:
    samples = espeak.chime()
    assert len(samples) / espeak.RATE == pytest.approx(1.3)
    assert max(abs(s) for s in samples) < 32767  # never clipped
    assert abs(samples[-1]) < 50
