"""A speaker board in Chromium during a burst: the arbiter's group is played as one announcement
(one chime, exactly its slot), a service message goes ahead of it, nothing it replaced is played,
and every call is heard once, in call order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from services.display import handlers
from services.display.domain.announcements import Caller
from tests.integration.display.board_browser import assert_never_two_at_once, screen, wait
from tests.integration.display.display_live import LiveDisplay
from tests.integration.display.voice_packs import tone_pack
from tests.unit.display import display_factories as f

pytestmark = pytest.mark.browser
ZONE = "lantai-1-a"
COUNTERS = (1, 2, 3, 4, 5, 6)


def test_a_group_is_one_announcement_and_a_message_goes_first(tmp_path: Path, chromium: Any) -> None:
    # The package's browser (tests/browser/conftest.py): a second Playwright in the same process
    # refuses to start while the first one's loop runs.
    browser = chromium
    voice = {"group_lag_seconds": 0, "group_max": 3}  # group whenever a call must wait
    display = LiveDisplay(
        tmp_path,
        hall={"announcement_gap_seconds": 0.2, "announcements": voice},
        voice_dir=str(tone_pack(tmp_path / "voice", clip=0.06, chime=0.3)),
    ).start()
    try:
        # An enrolled board, as the hall's manager set it up: only its reports are counted.
        speaker = screen(browser, sound_on=True).open(display.speaker_url(ZONE))
        assert speaker.page.url == f"{display.url}/boards/{ZONE}?speaker=1"  # the token kept, not shown
        assert speaker.js("localStorage.getItem('antre.board.device')") == display.board_token()
        hall = display.deps.hall
        now = dt.datetime.now(dt.UTC)
        calls = [
            f.called(hall, f"t{n}", f"A-{n:03d}", "ktp-el", COUNTERS[n % len(COUNTERS)], now)
            for n in range(1, 9)
        ]
        handlers.on_hall_events(display.deps, calls)
        # Words the tone pack has, so the message plays from clips too.
        handlers.post_message(
            display.deps, Caller("kepala", ""), [ZONE], None, "Nomor antrean loket satu", None
        )
        log = handlers.announcements_after(display.deps, ZONE, 0, 100)
        groups = [a for a in log if a.kind.value == "group"]
        assert groups, "the burst should have been grouped"
        wait(speaker.page, lambda: len(speaker.plays) >= len(log), 40, "every announcement")
        speaker.page.wait_for_timeout(1500)  # anything more would be a replay

        plays = speaker.plays
        assert [p["seq"] for p in plays] == [a.seq for a in log]  # nothing replaced is played
        heard = [n for p in plays for n in (p["calls"] or [p["number"]]) if p["kind"] != "message"]
        assert heard == [f"A-{n:03d}" for n in range(1, 9)]  # every call once, in call order
        assert {p["via"] for p in plays} == {"clips"}
        for group in groups:
            [play] = [p for p in plays if p["seq"] == group.seq]
            assert len(play["calls"]) == len(group.calls) > 1
            # One chime: the audio lasts exactly the arbiter's slot, which counts one chime.
            seconds = play["audioEnd"] - play["audioStart"]
            assert seconds == pytest.approx(group.duration.total_seconds(), abs=0.02)
            assert group.tokens.count("_chime") == 1
        message = next(a for a in log if a.kind.value == "message")
        first_group = min(g.seq for g in groups)
        assert message.starts_at < next(a.starts_at for a in log if a.seq == first_group)
        assert_never_two_at_once(plays)
        reports = display.deps.metrics.outcomes
        assert f.sample(reports, "antre_announcement_outcomes_total", zone=ZONE, outcome="spoken") == len(log)
        speaker.context.close()
    finally:
        display.stop()
