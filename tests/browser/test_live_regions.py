"""What reaches a screen reader's live regions, in Chromium: a MutationObserver installed before
the page's own scripts logs every text written into a region, so a test counts announcements
rather than guessing them from what is shown.

The citizen's status page says a call once through its alert region, a recall once more, and
nothing when the same status comes again (a reconnect, a reload, a language switch); its polite
facts change only where their text does. A zone's board writes each call's sentence, Indonesian
then English, once into its one live region: one call, one announcement; a burst said as a group,
each call in exactly one announcement.

Tests share the package's hall (see conftest); the status page's uses Pindah datang at counter 4,
which no other test calls at."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from services.display import handlers
from tests.browser.conftest import Officer
from tests.integration.display.display_live import LiveDisplay
from tests.unit.display import display_factories as f

if TYPE_CHECKING:
    from tests.browser.conftest import Hall

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TV = {"viewport": {"width": 1920, "height": 1080}}
ZONE = "lantai-1-a"

# Every text written into an element matching a watched selector (or its children), by name:
# window.__said[name] gets the region's whole text once per write.
LOG_REGIONS = """
(() => {
  const watched = %s;
  window.__said = Object.fromEntries(Object.keys(watched).map((name) => [name, []]));
  new MutationObserver((records) => {
    for (const r of records) {
      const node = r.target.nodeType === Node.ELEMENT_NODE ? r.target : r.target.parentElement;
      for (const [name, selector] of Object.entries(watched)) {
        const region = node && node.closest(selector);
        const wrote = r.type === "characterData" || r.addedNodes.length > 0;
        if (region && wrote) window.__said[name].push(region.textContent.trim());
      }
    }
  }).observe(document, { childList: true, characterData: true, subtree: true });
})();
"""


def logged(context: BrowserContext, regions: dict[str, str]) -> None:
    context.add_init_script(LOG_REGIONS % json.dumps(regions))


# The page's event streams, kept so that a test can drop one as a network would: the page's own
# code then reconnects and gets the ticket's status again. window.__frames counts statuses read.
KEEP_STREAMS = """
(() => {
  const Original = window.EventSource;
  window.__sources = [];
  window.__frames = 0;
  window.EventSource = class extends Original {
    constructor(...args) {
      super(...args);
      window.__sources.push(this);
      this.addEventListener("status", () => { window.__frames += 1; });
    }
  };
})();
"""


def drop_stream(page: Page) -> None:
    """The stream ends as a dropped connection does (closed, an error told): the page reconnects
    after its pause and reads the same status again."""
    frames = page.evaluate("window.__frames")
    page.evaluate(
        "() => { const s = window.__sources.at(-1); s.close(); s.dispatchEvent(new Event('error')); }"
    )
    expect(page.get_by_test_id("reconnecting")).to_be_visible()
    page.wait_for_function(f"() => window.__frames > {frames}", timeout=15_000)
    expect(page.get_by_test_id("reconnecting")).to_be_hidden()


def said(page: Page, name: str) -> list[str]:
    return list(page.evaluate(f"window.__said[{name!r}]"))


def forget(page: Page) -> None:
    page.evaluate("Object.values(window.__said).forEach((log) => log.splice(0))")


def wait_for_count(page: Page, name: str, count: int, seconds: float = 10) -> list[str]:
    deadline = time.monotonic() + seconds
    while len(seen := said(page, name)) < count:
        assert time.monotonic() < deadline, f"{name}: {seen}, expected {count}"
        page.wait_for_timeout(100)
    return seen


# ---- the status page ----


def signed_in(hall: Hall, officer: Officer) -> httpx.Client:
    hall.add_officer(officer)
    api = httpx.Client(base_url=f"{hall.counters_url}/api/v1", timeout=5.0)
    body = {"username": officer.username, "password": officer.password}
    api.headers["Authorization"] = f"Bearer {api.post('/sessions', json=body).json()['token']}"
    return api


def test_the_status_page_says_a_call_once_and_a_recall_once_more(
    hall: Hall, new_context: Callable[..., BrowserContext]
) -> None:
    api = signed_in(hall, Officer("capil-live", "password123", "Lina", "dukcapil"))
    api.post("/counters/4/open").raise_for_status()
    try:
        ticket = hall.issue("pindah-datang")
        number, counter = ticket["number"], "Loket 4 Disdukcapil"
        context = new_context(**PHONE)
        logged(context, {"call": "[data-testid=status-announce]", "facts": ".facts"})
        context.add_init_script(KEEP_STREAMS)
        phone = context.new_page()
        phone.goto(ticket["status_url"])
        expect(phone.get_by_test_id("status-state")).to_have_text("Menunggu")
        assert said(phone, "call") == []
        forget(phone)

        api.post("/counters/4/call-number", json={"number": number}).raise_for_status()
        expect(phone.get_by_test_id("status-state")).to_have_text("Dipanggil", timeout=5_000)
        assert wait_for_count(phone, "call", 1) == [f"Nomor {number} dipanggil. Silakan menuju {counter}."]
        assert phone.title() == f"{number} · Silakan menuju {counter}"  # what the phone's tab shows
        forget(phone)

        # The same status again: the stream drops and comes back, the page says nothing.
        drop_stream(phone)
        assert said(phone, "call") == []
        assert said(phone, "facts") == []  # nothing rewritten in the polite facts either
        phone.get_by_test_id("lang-toggle").click()
        expect(phone.get_by_test_id("status-state")).to_have_text("Called")
        phone.get_by_test_id("lang-toggle").click()
        expect(phone.get_by_test_id("status-state")).to_have_text("Dipanggil")
        phone.reload()  # a reload in the same tab: the call was said already
        expect(phone.get_by_test_id("status-counter")).to_contain_text(counter)
        phone.wait_for_timeout(500)
        assert said(phone, "call") == []

        recalled = f"Panggilan ulang: nomor {number}. Silakan menuju {counter}."
        api.post("/counters/4/recall").raise_for_status()
        assert wait_for_count(phone, "call", 1) == [recalled]
        api.post("/counters/4/recall").raise_for_status()
        assert wait_for_count(phone, "call", 2) == [recalled, recalled]
        api.post("/counters/4/complete").raise_for_status()
        expect(phone.get_by_test_id("status-state")).to_have_text("Selesai", timeout=5_000)
        assert len(said(phone, "call")) == 2
    finally:
        api.post("/counters/4/close")


# ---- the board ----


@pytest.fixture
def display(tmp_path: Path) -> Iterator[LiveDisplay]:
    # A short gap between announcements, and a group whenever a call must wait.
    voice = {"group_lag_seconds": 0, "group_max": 3}
    live = LiveDisplay(tmp_path, hall={"announcement_gap_seconds": 0.2, "announcements": voice}).start()
    try:
        yield live
    finally:
        live.stop()


def board(display: LiveDisplay, new_context: Callable[..., BrowserContext]) -> Page:
    context = new_context(**TV)
    logged(context, {"board": "#announce", "calling": ".calling"})
    page = context.new_page()
    page.goto(f"{display.url}/boards/{ZONE}")
    expect(page.locator("#zone-name")).to_contain_text("Lantai 1")
    return page


def live_regions(page: Page) -> list[str]:
    """Every element a screen reader follows as live, by id or class."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('[aria-live]:not([aria-live=off]), [role=alert],'
                + ' [role=status], [role=log]')].map((e) => e.id || e.className)"""
        )
    )


def test_one_call_on_the_board_is_one_announcement(
    display: LiveDisplay, new_context: Callable[..., BrowserContext]
) -> None:
    page = board(display, new_context)
    assert live_regions(page) == ["offline", "announce"]  # the calls' region; "offline" is an alert
    assert page.get_attribute("#announce", "aria-atomic") == "true"
    hall = display.deps.hall
    handlers.on_hall_events(
        display.deps, [f.called(hall, "t1", "A-001", "ktp-el", 2, dt.datetime.now(dt.UTC))]
    )
    sentence = "Nomor antrean A-001, silakan menuju loket 2. Number A-001, please go to counter 2."
    assert wait_for_count(page, "board", 1) == [sentence]
    expect(page.locator("#announce [lang=en]")).to_have_text(" Number A-001, please go to counter 2.")
    page.wait_for_timeout(2500)  # the board's state follows, the slot ends: nothing said again
    assert said(page, "board") == [sentence]

    now = dt.datetime.now(dt.UTC)
    handlers.on_hall_events(display.deps, [f.recalled(hall, "t1", "A-001", "ktp-el", 2, now)])
    assert wait_for_count(page, "board", 2)[1] == (
        "Panggilan ulang. Nomor antrean A-001, silakan menuju loket 2. "
        "Called again. Number A-001, please go to counter 2."
    )


def test_a_burst_says_each_call_in_exactly_one_announcement(
    display: LiveDisplay, new_context: Callable[..., BrowserContext]
) -> None:
    page = board(display, new_context)
    hall = display.deps.hall
    now = dt.datetime.now(dt.UTC)
    burst = [f.called(hall, f"t{n}", f"A-{n:03d}", "ktp-el", n, now) for n in range(1, 5)]
    handlers.on_hall_events(display.deps, burst)
    log = handlers.announcements_after(display.deps, ZONE, 0, 10)
    standing = [a for a in log if not any(a.seq in b.replaces for b in log)]
    assert any(len(a.calls) > 1 for a in standing), "the burst should have been grouped"

    wait_for_count(page, "board", len(standing), seconds=20)
    page.wait_for_timeout(2500)  # anything more would be a call said twice
    heard = said(page, "board")
    assert len(heard) == len(standing)  # one write per announcement the board shows
    for n in range(1, 5):
        assert sum(f"Nomor antrean A-{n:03d}," in text for text in heard) == 1, heard
        assert sum(f"Number A-{n:03d}," in text for text in heard) == 1, heard
    assert said(page, "calling") != []  # the spotlight did change: it is just not a live region
