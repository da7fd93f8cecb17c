"""The board page in a real headless Chromium: it speaks each call at its slot, one at a time,
never replays after a refresh, stays silent for stale calls and says when it lost the stream."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from antre.events import Envelope, new_meta, subject_for
from antre.v1 import events_pb2 as pb
from services.display import handlers
from services.display.adapters import repository as repo
from tests.integration.display.board_browser import SCREENSHOTS
from tests.integration.display.display_live import LiveDisplay
from tests.unit.display import display_factories as f

pytestmark = pytest.mark.browser
ZONE = "lantai-1-a"


def wait(check: Callable[[], Any], timeout: float = 25.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")


def played(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("window.antreBoard.played")


def test_the_board_speaks_in_turn_and_never_replays(browser: Any, display: LiveDisplay) -> None:
    hall = display.deps.hall
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{display.url}/boards/{ZONE}?speaker=1")
    wait(lambda: page.evaluate("!!(window.antreBoard && window.antreBoard.state.board)"), what="the board")
    assert page.is_visible("#demo")
    assert page.is_hidden("#offline")
    # Bilingual at once, as every label on the board.
    assert (
        page.inner_text("#zone-name") == "Lantai 1 Sayap A (Disdukcapil) / Floor 1, Wing A (Civil Registry)"
    )
    assert "WITA" in page.inner_text("#clock-time")
    page.wait_for_timeout(1500)  # a browser that allows autoplay: sound from the start, no prompt
    assert page.is_hidden("#sound")

    # A call from two minutes ago reaching a quiet zone (a backlog after an outage): shown, not spoken.
    now = dt.datetime.now(dt.UTC)
    handlers.on_hall_events(
        display.deps, [f.called(hall, "t0", "A-000", "ktp-el", 6, now - dt.timedelta(minutes=2))]
    )
    shown = wait(lambda: page.evaluate("window.antreBoard.shown"), what="the stale call")
    assert [{k: v for k, v in s.items() if k != "receivedAt"} for s in shown] == [
        {"seq": 1, "number": "A-000", "counter": 6, "stale": True, "resync": False}
    ]
    assert page.evaluate("window.antreBoard.skipped") == [{"seq": 1, "number": "A-000", "reason": "stale"}]

    # A burst of three calls in one zone: slots about 6.5 s apart.
    calls = [f.called(hall, f"t{n}", f"A-{n:03d}", "ktp-el", n, now) for n in (1, 2, 3)]
    handlers.on_hall_events(display.deps, calls)
    log = handlers.announcements_after(display.deps, ZONE, 1, 10)
    wait(lambda: any(p["seq"] == 2 for p in played(page)), what="the first call")
    assert page.inner_text("#spotlight-number") in {"A-001", "A-003"}

    page.reload()  # a refresh mid-burst: the first call is not said again, the others still are
    wait(lambda: page.evaluate("!!(window.antreBoard && window.antreBoard.state.board)"), what="the board")
    assert page.is_hidden("#sound")
    after = wait(lambda: len(played(page)) >= 2 and played(page), what="the rest of the burst")
    assert [p["seq"] for p in after] == [3, 4]
    assert after[1]["startedAt"] >= after[0]["endedAt"]  # never two at once
    for entry, announcement in zip(after, log[1:], strict=True):
        assert entry["startedAt"] >= announcement.starts_at.timestamp() * 1000 - 250  # not before its slot
    assert page.inner_text("#recent").split()[0] == "A-003"
    handlers.on_hall_events(display.deps, [f.serving(hall, "t1", "A-001", "ktp-el", 1, now)])
    serving = page.locator("#counters li[data-counter='1'] .state")
    wait(
        lambda: serving.inner_text() == "sedang dilayani · now serving",
        what="counter 1 serving, in both languages",
    )

    page.reload()
    wait(lambda: page.evaluate("!!(window.antreBoard && window.antreBoard.state.board)"), what="the board")
    time.sleep(1.5)
    assert played(page) == []  # nothing replayed
    assert page.evaluate(f"localStorage.getItem('antre.board.{ZONE}.lastPlayed')") == "4"
    # A board nobody enrolled shows and speaks, but what it did is not taken as the hall's word.
    with display.deps.uow.read() as conn:
        assert repo.outcomes(conn, ZONE) == {}

    display.stop()
    page.wait_for_selector("#offline", state="visible", timeout=10_000)
    assert "Koneksi terputus" in page.inner_text("#offline")
    context.close()


def test_the_footer_says_the_halls_ikm_where_the_hall_shows_it(browser: Any, tmp_path: Path) -> None:
    display = LiveDisplay(tmp_path, hall={"boards": {"show_ikm": True}}).start()
    try:
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="id-ID")
        page = context.new_page()
        page.goto(f"{display.url}/boards/{ZONE}")
        wait(
            lambda: page.evaluate("!!(window.antreBoard && window.antreBoard.state.board)"), what="the board"
        )
        assert page.is_hidden("#footer")  # reports has said nothing yet

        now = dt.datetime.now(dt.UTC)
        computed = pb.SkmIndexComputed(
            meta=new_meta(display.hall_id, "_hall", now),
            month=display.deps.hall.day_of(now).strftime("%Y-%m"),
            responses=120,
            ikm=87.4,
            grade="B",
        )
        handlers.on_index(display.deps, [Envelope(subject_for(computed), computed)])
        page.wait_for_selector("#footer", state="visible", timeout=10_000)  # live, no reload
        assert page.inner_text("#ikm") == "IKM bulan ini: 87,40 · Baik"
        assert page.inner_text("#ikm-en") == "/ Satisfaction index this month: 87.40 · Good"
        footer = page.locator("#footer").bounding_box()
        assert footer is not None and footer["y"] + footer["height"] <= 1080  # the board still fits
        page.screenshot(path=str(SCREENSHOTS / "board-ikm-footer.png"))
        context.close()
    finally:
        display.stop()
