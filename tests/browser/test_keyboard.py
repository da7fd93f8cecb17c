"""Keyboard-only journeys in Chromium: every step with the keys a person without a mouse has
(Tab, Shift+Tab, Enter, Space and the page's own shortcuts), focus on each new screen's heading,
and focus never dropped to the page's body after an action.

The operator at a counter PC (1366x768): sign in, choose a counter, open it, call, serve and
complete; the one-key shortcuts fire in the counter's own area only (not on the header's language
button) and can be turned off."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Hall, Officer

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1366, "height": 768}}
WULAN = Officer(username="bapenda-kb", password="password123", name="Wulan", agency="bapenda")


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => { const e = document.activeElement;
        return { tag: e.tagName, testid: e.dataset.testid || "", text: (e.textContent || "").trim() }; }"""
    )


def tab_to(page: Page, testid: str, most: int = 60) -> None:
    """Tab forward until ``testid`` has focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if focused(page)["testid"] == testid:
            return
    raise AssertionError(f"Tab never reached {testid}")


def heading_has_focus(page: Page, text: str) -> None:
    page.wait_for_function("() => document.activeElement.tagName === 'H1'")
    assert text in focused(page)["text"]


def test_an_officer_works_a_counter_with_the_keyboard_alone(hall: Hall, new_context: Any) -> None:
    hall.add_officer(WULAN)
    hall.issue("bphtb")
    page = new_context(**DESK).new_page()
    page.goto(f"{hall.counters_url}/operator")
    expect(page.get_by_test_id("username")).to_be_focused()
    page.keyboard.type(WULAN.username)
    page.keyboard.press("Tab")
    page.keyboard.type(WULAN.password)
    page.keyboard.press("Enter")
    heading_has_focus(page, "Pilih loket")

    tab_to(page, "counter-12")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Loket 12")
    tab_to(page, "open")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("counter-state")).to_have_text("Buka")
    expect(page.get_by_test_id("call-next")).to_be_focused()  # the step that follows, not the body

    page.keyboard.press("n")
    expect(page.get_by_test_id("current-number")).not_to_have_text("—")
    expect(page.get_by_test_id("start")).to_be_focused()
    page.keyboard.press("s")
    expect(page.get_by_test_id("current-state")).to_contain_text("Sedang dilayani")
    expect(page.get_by_test_id("complete")).to_be_focused()
    page.keyboard.press("c")
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    expect(page.get_by_test_id("call-next")).to_be_focused()

    # A key pressed on the header's language button is that button's, not a call.
    hall.issue("bphtb")
    page.get_by_test_id("lang-toggle").focus()
    page.keyboard.press("n")
    page.wait_for_timeout(800)
    expect(page.get_by_test_id("current-number")).to_have_text("—")

    # Turned off, the shortcuts do nothing; the buttons still work with Enter.
    tab_to(page, "shortcuts")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("shortcuts")).not_to_be_checked()
    page.keyboard.press("n")
    page.wait_for_timeout(800)
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    page.get_by_test_id("call-next").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("current-number")).not_to_have_text("—")
    expect(page.get_by_test_id("start")).to_be_focused()
    tab_to(page, "complete")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    tab_to(page, "close")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("counter-state")).to_have_text("Tutup")
    expect(page.get_by_test_id("open")).to_be_focused()
    page.reload()
    expect(page.get_by_test_id("shortcuts")).not_to_be_checked()  # the choice is kept on this PC
