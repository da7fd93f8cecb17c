"""espeak-ng's pack for a hall covers every word its templates can make the voice say, so a call
with the agency's name and a service message play from clips, not the browser's speech."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from antre.hall.model import Hall
from services.display.adapters import espeak
from services.display.domain.announcements import Kind, Part, segment_tokens
from services.display.domain.wording import Wording, hall_vocabulary
from tests.support.tools import missing
from tests.unit.display.display_factories import T0


def test_the_hall_pack_says_agency_names_and_messages_from_clips(tmp_path: Path, kendari: Hall) -> None:
    if not espeak.available():
        missing("espeak-ng is not installed (apt-get install espeak-ng)")
    template = "Nomor antrean {ticket}, {agency}, silakan menuju loket {counter}"
    hall = replace(kendari, announcements=replace(kendari.announcements, template_id=template))
    pack = espeak.build(tmp_path / "voice", ("id",), words={"id": hall_vocabulary(hall, "id")})
    clips = pack.langs["id"]
    wording = Wording.of(hall, {"id": pack.durations("id")}, pack.pause_seconds)
    samsat = Part("t", "PK-012", 14, Kind.CALL, T0, agency="samsat")
    for _text, segments, _length in (wording.calls((samsat,)), wording.message("break", None, 3)):
        for tokens in segment_tokens(segments):
            assert all(t == "_pause" or t in clips for t in tokens), tokens
    assert "kendari" in clips and "istirahat" in clips  # "Samsat Kendari", "Loket ... istirahat ..."
