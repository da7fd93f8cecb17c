"""Board pages in Debian's headless Chromium, launched as a hall's TV runs it: autoplay allowed,
so that a board that reloads keeps its voice without a touch. Each page's "antre:play" events
(one per announcement it starts) are kept by the test, across reloads."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.tools import missing

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"]
VIEWPORT = {"width": 1920, "height": 1080}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@contextmanager
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Screen:
    """One TV: a browser context of its own (its own localStorage, like a separate device) and
    its page, with every announcement the page started."""

    context: Any
    page: Any
    plays: list[dict[str, Any]] = field(default_factory=list)
    touched: bool = False  # someone touches the screen once at each load (see ``screen``)

    def open(self, url: str) -> Screen:
        self.page.goto(url)
        self.wait_loaded()
        self.touch()
        return self

    def touch(self) -> None:
        """A real touch, where the screen gets one: the gesture a browser started without the
        autoplay flag waits for before it lets the page play (with the flag it changes nothing)."""
        if self.touched and self.js("window.antreBoard.speaker"):
            self.page.mouse.click(5, 5)

    def wait_loaded(self) -> None:
        # Polled with evaluate, not wait_for_function: that one compiles its predicate with eval
        # in the page, which the pages' policy (script-src 'self') rightly refuses.
        wait(
            self.page, lambda: self.js("!!(window.antreBoard && window.antreBoard.state.board)"), 15, "board"
        )
        if self.js("window.antreBoard.speaker"):
            wait(self.page, lambda: self.js("window.antreBoard.voice.settled()"), 15, "voice settled")

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def reload(self) -> None:
        self.page.reload()
        self.wait_loaded()
        self.touch()


def screen(browser: Any, *, sound_on: bool = False) -> Screen:
    """A new TV; ``sound_on``: someone touches the screen at each load, as a browser started
    without the autoplay flag needs before it plays (a TV started with it speaks regardless)."""
    context = browser.new_context(viewport=VIEWPORT, locale="id-ID", timezone_id="Asia/Makassar")
    context.set_default_timeout(15_000)
    found = Screen(context, context.new_page(), touched=sound_on)
    context.expose_binding("antreReport", lambda _source, detail: found.plays.append(detail))
    context.add_init_script("window.addEventListener('antre:play', (e) => window.antreReport(e.detail));")
    return found


def wait(page: Any, check: Callable[[], Any], timeout: float = 30.0, what: str = "") -> Any:
    """Poll ``check`` while letting Playwright deliver the pages' events."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what or check}")


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path))
    return path


def assert_never_two_at_once(plays: list[dict[str, Any]], cut: float | None = None) -> None:
    """Each announcement a page started began after the one before it ended: on the page's audio
    clock within one load of the page; across a reload (at ``cut``, epoch ms) by the server's
    clock, the old page's sound having stopped at the reload."""
    for before, after in itertools.pairwise(plays):
        if before["session"] == after["session"] and before["audioEnd"] is not None:
            assert after["audioStart"] >= before["audioEnd"] - 1e-6, (before, after)
        else:
            assert cut is not None, (before, after)
            assert after["startedAt"] >= min(before["endsAt"], cut) - 1, (before, after)
