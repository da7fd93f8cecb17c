"""kill -9 of the display in the middle of a burst of calls, and a restart, with a speaker board
open in real headless Chromium: no announcement is lost or repeated. The calls made while the
display was down are announced once it is back; those whose slot is older than the stale age by
then are shown but not spoken; the board never plays one twice, nor two at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from antre.hall.load import load_hall
from tests.integration.display.board_browser import (
    assert_never_two_at_once,
    chromium,
    screen,
    screenshot,
    wait,
)
from tests.integration.display.test_board_voice import A_COUNTERS, publish_burst
from tests.integration.display.voice_packs import tone_pack
from tests.support.hall import RunningHall

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.nats]
ZONE = "lantai-1-a"
CALLS = 20
SECONDS = 12.0
STALE_SECONDS = 3.0


def log(hall: RunningHall) -> list[dict[str, Any]]:
    with hall.client("display") as c:
        response = c.get(f"/api/v1/zones/{ZONE}/announcements", params={"after": 0, "limit": 1000})
        return list(response.json()["announcements"])


def test_kill_the_display_mid_burst(start_hall: Callable[..., RunningHall], tmp_path: Path) -> None:
    env = {
        "ANTRE_VOICE_DIR": str(tone_pack(tmp_path / "voice")),
        "ANTRE_ANNOUNCEMENT_STALE_SECONDS": str(STALE_SECONDS),
    }
    hall = start_hall("display", extra_env=env, announcement_gap_seconds=0.2)
    model = load_hall(hall.hall_file)
    calls = [(f"A-{n:03d}", A_COUNTERS[n % len(A_COUNTERS)]) for n in range(1, CALLS + 1)]

    with chromium() as browser:
        speaker = f"{hall.url('display')}/boards/{ZONE}?speaker=1#device={hall.board_token()}"
        board = screen(browser, sound_on=True).open(speaker)
        burst = threading.Thread(
            target=lambda: asyncio.run(publish_burst(hall.nats_url, model, calls, SECONDS))
        )
        burst.start()
        wait(board.page, lambda: len(board.plays) >= 4, what="the burst to be heard")
        hall.processes["display"].kill()  # SIGKILL: no drain, no goodbye to the boards
        board.page.wait_for_selector("#offline", state="visible")
        screenshot(board.page, "display-board-offline.png")
        board.page.wait_for_timeout(4000)
        hall.start("display")
        back_at = time.time() * 1000
        burst.join(timeout=30)

        heard = wait(board.page, lambda: len(log(hall)) >= CALLS and log(hall), what="every call in the log")
        seqs = [a["seq"] for a in heard]

        def settled() -> bool:
            skipped = board.js("window.antreBoard.skipped")
            return len(board.plays) + len(skipped) >= CALLS

        wait(board.page, settled, timeout=60, what="every call played or skipped")
        board.page.wait_for_timeout(1500)  # anything more would be a repeat
        assert board.page.is_hidden("#offline")
        shown = [s["seq"] for s in board.js("window.antreBoard.shown")]
        skipped = [s["seq"] for s in board.js("window.antreBoard.skipped")]
        played = [p["seq"] for p in board.plays]
        board.context.close()

    # The arbiter: every call once, in call order, none twice (a redelivered call is not re-announced).
    assert [a["number"] for a in heard] == [n for n, _ in calls]
    assert max(Counter(a["number"] for a in heard).values()) == 1
    # The board: each announcement shown once; played or skipped as stale, never both, never twice.
    assert sorted(shown) == seqs and len(set(shown)) == len(shown)
    assert played == sorted(played) and not set(played) & set(skipped)
    assert sorted(played + skipped) == seqs
    slots = {a["seq"]: a for a in heard}
    assert skipped, "the calls made while the display was down should have gone stale"
    for seq in skipped:  # only what was due long before the display came back
        assert dt.datetime.fromisoformat(slots[seq]["starts_at"]).timestamp() * 1000 < back_at
    assert_never_two_at_once(board.plays)
