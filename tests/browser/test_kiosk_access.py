"""The kiosk for blind and low-vision citizens, in Chromium at the kiosk's two sizes: large text in
high contrast (nothing cut off, reset for the next citizen), spoken guidance (each screen, each
focused button, the number taken: with the hall's voice pack where the kiosk reaches it, else the
browser's speech engine), and text-only enlargement to 200% on the kiosk and the status page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from antre.speech import spell_ticket
from tests.browser.conftest import Hall
from tests.browser.test_pages import take_number
from tests.integration.display.voice_packs import tone_pack
from tests.support.hall import RunningHall

pytestmark = pytest.mark.browser

SIZES = [{"width": 1920, "height": 1080}, {"width": 1080, "height": 1920}]
IDS = ["landscape", "portrait"]
PHONE = {"width": 390, "height": 844}
# Services no other browser test takes numbers of: the shared hall's ktp-el queue stays as it is.
SERVICE, AGENCY = "stnk-5-tahunan", "samsat"
LONG = "Badan Penyelenggara Jaminan Sosial Kesehatan"
LONGEST_IN_KENDARI = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"

# Every element that shows text of its own, with its colour against the first opaque background
# behind it (the kiosk's backgrounds are plain colours): the lowest contrast ratio on the screen.
LOWEST_CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  let lowest = { ratio: 99, text: "" };
  for (const node of document.querySelectorAll("body *")) {
    if (!node.checkVisibility() || node.closest(".demo-ribbon, .visually-hidden")) continue;
    if (node.disabled) continue;
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    if (!own) continue;
    const a = lum(rgb(getComputedStyle(node).color)), b = lum(behind(node));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < lowest.ratio) lowest = { ratio, text: node.textContent.trim().slice(0, 40) };
  }
  return lowest;
}"""

# What is cut off or sticks out sideways: a button whose content is wider than the button, an
# element past the viewport's left or right edge, or a page that scrolls sideways. The DEMO ribbon
# crosses the corner on purpose.
OVERFLOWS = """() => {
  const out = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) out.push(`page ${document.documentElement.scrollWidth}`);
  for (const node of document.querySelectorAll("body *")) {
    if (!node.checkVisibility() || node.closest(".demo-ribbon, .visually-hidden, .print-frame")) continue;
    const box = node.getBoundingClientRect();
    const label = `${node.tagName.toLowerCase()}.${node.className || node.dataset.testid || ""}`;
    if (box.left < -0.5 || box.right > width + 0.5) out.push(`${label} at ${box.left}-${box.right}`);
    if (node.matches("button, .btn") && node.scrollWidth > node.clientWidth) {
      out.push(`${label} ${node.scrollWidth} > ${node.clientWidth}`);
    }
  }
  return out;
}"""


def font_px(page: Page, selector: str) -> float:
    return float(page.locator(selector).first.evaluate("(n) => parseFloat(getComputedStyle(n).fontSize)"))


def assert_readable(page: Page, screen: str) -> None:
    assert page.evaluate(OVERFLOWS) == [], screen
    lowest = page.evaluate(LOWEST_CONTRAST)
    assert lowest["ratio"] >= 7, f"{screen}: {lowest}"


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_large_text_in_high_contrast_fits_every_screen_and_ends_with_the_citizen(
    hall: Hall, new_context: Callable[..., Any], size: dict[str, int], screenshots: Path
) -> None:
    page = new_context(viewport=size).new_page()
    page.goto(hall.kiosk_url())
    expect(page.get_by_test_id(f"agency-{AGENCY}")).to_be_visible()
    toggle = page.get_by_test_id("large-text")
    expect(toggle).to_contain_text("Huruf besar")
    expect(toggle).to_contain_text("Large text")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    texts = [
        "[data-screen=agencies] h1",
        ".lead",
        ".agency-name",
        ".agency-count",
        "[data-testid=large-text]",
    ]
    normal = {s: font_px(page, s) for s in texts}

    toggle.focus()
    page.keyboard.press("Enter")  # by keyboard as well as by touch
    expect(toggle).to_have_attribute("aria-pressed", "true")
    for selector, before in normal.items():
        assert font_px(page, selector) >= 1.5 * before, selector
    assert_readable(page, "start")
    page.screenshot(path=screenshots / f"kiosk-large-text-{size['width']}x{size['height']}.png")

    page.get_by_test_id("agency-dpmptsp").click()  # the longest names of the hall
    expect(page.get_by_test_id("service-perizinan-berusaha")).to_be_visible()
    assert_readable(page, "services")
    page.get_by_test_id("back-services").click()
    take_number(page, AGENCY, SERVICE)
    expect(page.get_by_test_id("ticket-number")).to_be_visible()
    assert_readable(page, "result")

    page.get_by_test_id("done").click()  # the screen goes back to the start for the next citizen
    expect(page.get_by_test_id(f"agency-{AGENCY}")).to_be_visible()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert font_px(page, ".agency-name") == normal[".agency-name"]


def test_the_idle_reset_ends_large_text_and_spoken_guidance(
    hall: Hall, new_context: Callable[..., Any]
) -> None:
    page = new_context(viewport=SIZES[1]).new_page()
    page.clock.install()
    page.goto(hall.kiosk_url())
    page.get_by_test_id(f"agency-{AGENCY}").click()
    page.get_by_test_id("large-text").click()  # tapped on the service screen, then left
    page.get_by_test_id("guidance").click()
    expect(page.locator("body.large-text")).to_have_count(1)
    page.clock.run_for("01:05")  # the idle warning, then the reset
    expect(page.get_by_test_id(f"agency-{AGENCY}")).to_be_visible()
    expect(page.get_by_test_id("large-text")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("guidance")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("body.large-text")).to_have_count(0)


# ---- spoken guidance ----

RECORD = """
window.__said = [];
window.__clips = 0;
window.addEventListener("antre:say", (e) => window.__said.push(e.detail));
const started = AudioBufferSourceNode.prototype.start;
AudioBufferSourceNode.prototype.start = function (...args) {
  window.__clips += 1;
  return started.apply(this, args);
};
window.__spoken = [];
speechSynthesis.speak = (u) => window.__spoken.push({ text: u.text, lang: u.lang });
"""


def spoken(page: Page) -> list[dict[str, str]]:
    return list(page.evaluate("window.__spoken"))


def wait_until_said(page: Page, check: Callable[[Page], bool], seconds: float = 10.0) -> None:
    """Polled from here: the kiosk's policy allows no script from a string (wait_for_function)."""
    for _ in range(int(seconds * 10)):
        if check(page):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not said: {page.evaluate('window.__said')}")


def last_starts(prefix: str) -> Callable[[Page], bool]:
    return lambda page: bool(spoken(page)) and spoken(page)[-1]["text"].startswith(prefix)


def kiosk_recording(new_context: Callable[..., Any], size: dict[str, int], url: str) -> Page:
    context = new_context(viewport=size)
    context.add_init_script(RECORD)
    page: Page = context.new_page()
    page.goto(url)
    return page


def zone_lantai_2(lang: str) -> str:
    return (
        "Lantai 2 (Samsat, Polresta, BPJS Kesehatan)"
        if lang == "id"
        else "Floor 2 (Samsat, City Police, BPJS Kesehatan)"
    )


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_spoken_guidance_says_each_screen_each_button_and_the_number_whole(
    hall: Hall, new_context: Callable[..., Any], size: dict[str, int]
) -> None:
    page = kiosk_recording(new_context, size, hall.kiosk_url())
    expect(page.get_by_test_id(f"agency-{AGENCY}")).to_be_visible()
    take_number(page, AGENCY, SERVICE)  # guidance off: the kiosk stays silent
    expect(page.get_by_test_id("ticket-number")).to_be_visible()
    page.wait_for_timeout(500)
    assert spoken(page) == []
    assert page.evaluate("window.__said") == []
    page.get_by_test_id("done").click()

    guidance = page.get_by_test_id("guidance")
    expect(guidance).to_contain_text("Panduan suara")
    expect(guidance).to_contain_text("Spoken guidance")
    guidance.click()
    expect(guidance).to_have_attribute("aria-pressed", "true")
    assert spoken(page)[-1] == {
        "text": "Panduan suara aktif. Pilih instansi. Sentuh instansi yang Anda tuju. "
        "Geser untuk melihat lebih banyak.",
        "lang": "id-ID",
    }
    page.get_by_test_id(f"agency-{AGENCY}").focus()
    assert spoken(page)[-1]["text"] == "Samsat Kendari, 2 layanan."
    page.get_by_test_id(f"agency-{AGENCY}").click()
    expect(page.get_by_test_id(f"service-{SERVICE}")).to_be_visible()
    assert spoken(page)[-1]["text"].startswith("Pilih layanan. Samsat Kendari. Sentuh layanan.")
    page.get_by_test_id("back-services").click()

    ticket = take_number(page, AGENCY, SERVICE)
    number = ticket["number"]
    expect(page.get_by_test_id("ticket-number")).to_have_text(number)
    wait_until_said(page, last_starts("Nomor"))
    assert spoken(page)[-1] == {
        "text": f"Nomor antrean {spell_ticket(number)}. Tunggu di {zone_lantai_2('id')}. "
        "Ingat nomor Anda atau pindai kode QR dengan ponsel.",
        "lang": "id-ID",
    }
    assert re.match(r"Nomor antrean En nol nol \w+\.", spoken(page)[-1]["text"])  # as the boards spell it

    page.get_by_test_id("more-time").focus()
    assert spoken(page)[-1]["text"] == "Tunggu, saya perlu waktu."
    page.get_by_test_id("done").click()  # the next citizen starts without the voice
    expect(guidance).to_have_attribute("aria-pressed", "false")
    count = len(spoken(page))
    page.get_by_test_id(f"agency-{AGENCY}").click()
    assert len(spoken(page)) == count


def test_spoken_guidance_speaks_the_kiosks_language(hall: Hall, new_context: Callable[..., Any]) -> None:
    page = kiosk_recording(new_context, SIZES[0], hall.kiosk_url())
    page.get_by_test_id("lang-toggle").click()
    page.get_by_test_id("guidance").click()
    assert spoken(page)[-1]["lang"] == "en-US"
    assert spoken(page)[-1]["text"].startswith("Spoken guidance on. Choose an agency.")
    number = take_number(page, AGENCY, SERVICE)["number"]
    wait_until_said(page, last_starts("Number"))
    assert spoken(page)[-1]["text"] == (
        f"Number {spell_ticket(number, 'en')}. Wait at {zone_lantai_2('en')}. "
        "Remember your number or scan the QR code with your phone."
    )


@pytest.fixture(scope="module")
def hall_with_voice(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[RunningHall]:
    """Ticketing, counters and the display with a pack of short tones; ticketing gives kiosks the
    display's /voice/ (another origin, as on a real hall's hosts)."""
    folder = tmp_path_factory.mktemp("voice-hall")
    pack = tone_pack(folder / "voice")
    running = RunningHall(folder, nats_url, None, services=("ticketing", "counters", "display"))
    running.service_env = {
        "display": {"ANTRE_VOICE_DIR": str(pack), "ANTRE_VOICE_BUILD": "0"},
        "ticketing": {"ANTRE_VOICE_URL": f"{running.url('display')}/voice/"},
    }
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_with_the_voice_pack_the_number_is_said_with_the_boards_clips(
    hall_with_voice: RunningHall, new_context: Callable[..., Any], size: dict[str, int]
) -> None:
    hall = hall_with_voice
    page = kiosk_recording(new_context, size, f"{hall.url('ticketing')}/kiosk#device={hall.kiosk_token()}")
    expect(page.get_by_test_id(f"agency-{AGENCY}")).to_be_visible()
    page.get_by_test_id("guidance").click()
    number = take_number(page, AGENCY, SERVICE)["number"]
    wait_until_said(page, lambda p: any(s["via"] == "clips" for s in p.evaluate("window.__said")))
    clips = [s for s in page.evaluate("window.__said") if s["via"] == "clips"]
    tokens = ["nomor", "antrean", *spell_ticket(number).lower().split()]
    assert [(c["lang"], c["tokens"]) for c in clips] == [("id", tokens)]
    wait_until_said(page, lambda p: p.evaluate("window.__clips") >= len(tokens))
    # Then where to wait, which no pack has words for, by the speech engine once the clips end.
    wait_until_said(page, last_starts("Tunggu"))
    assert spoken(page)[-1]["text"].startswith(f"Tunggu di {zone_lantai_2('id')}.")
    assert not any(s["text"].startswith("Nomor antrean") for s in spoken(page))


# ---- text-only enlargement ----


def longer_names(route: Route) -> None:
    """The hall as the kiosk gets it, with the BPJS's full name: a name of many long words."""
    response = route.fetch()
    hall = response.json()
    for agency in hall["agencies"]:
        if agency["code"] == "bpjs":
            agency["name"] = LONG
    route.fulfill(response=response, body=json.dumps(hall))


NAMES_WHOLE = """(selector) => [...document.querySelectorAll(selector)].filter((n) => {
  const style = getComputedStyle(n);
  return n.scrollWidth > n.clientWidth || style.textOverflow === "ellipsis"
    || n.getBoundingClientRect().right > n.parentElement.getBoundingClientRect().right + 0.5;
}).map((n) => n.textContent)"""


def text_at_200_percent(page: Page) -> None:
    page.evaluate("document.documentElement.style.fontSize = '200%'")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_at_200_percent_text_the_kiosks_long_names_wrap(
    hall: Hall, new_context: Callable[..., Any], size: dict[str, int]
) -> None:
    page = new_context(viewport=size).new_page()
    page.route("**/api/v1/hall", longer_names)
    page.goto(hall.kiosk_url())
    expect(page.get_by_test_id("agency-bpjs")).to_contain_text(LONG)
    normal = font_px(page, ".agency-name")
    text_at_200_percent(page)
    assert font_px(page, ".agency-name") == 2 * normal
    assert font_px(page, "[data-screen=agencies] h1") == 2 * 46
    assert page.evaluate(NAMES_WHOLE, ".agency-name, .agency-count") == []
    assert page.evaluate(OVERFLOWS) == []
    expect(page.get_by_test_id("agency-dpmptsp")).to_contain_text(LONGEST_IN_KENDARI)

    page.get_by_test_id("agency-dpmptsp").click()
    expect(page.get_by_test_id("service-perizinan-berusaha")).to_be_visible()
    assert font_px(page, ".service-name") == 2 * 28
    assert page.evaluate(NAMES_WHOLE, ".service-name, .service-meta > span") == []
    assert page.evaluate(OVERFLOWS) == []


def test_at_200_percent_text_the_status_pages_long_names_wrap(
    hall: Hall, new_context: Callable[..., Any]
) -> None:
    ticket = hall.issue(SERVICE)

    def long_agency(route: Route) -> None:
        response = route.fetch()
        body = {**response.json(), "agency_name": LONG}
        route.fulfill(response=response, body=json.dumps(body))

    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.route(f"**/api/v1/tickets/{ticket['id']}", long_agency)
    page.goto(ticket["status_url"])
    expect(page.get_by_test_id("status-agency")).to_have_text(LONG)
    normal = font_px(page, "[data-testid=status-agency]")
    text_at_200_percent(page)
    assert font_px(page, "[data-testid=status-agency]") == 2 * normal
    assert font_px(page, "[data-testid=status-service]") == 2 * 20
    whole = page.evaluate(NAMES_WHOLE, "[data-testid=status-agency], [data-testid=status-service], .zone")
    assert whole == []
    assert page.evaluate(OVERFLOWS) == []
