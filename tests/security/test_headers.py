"""Strict security headers on every page and API of the four services, and every page working
under them: each page opened in Debian's Chromium, with a walk-in's whole journey through them
(kiosk, the printing kiosk's framed ticket, status page, printed ticket, operator, board) and the
booking, help desk and opt-out pages, reports no Content-Security-Policy violation; an inline
script injected afterwards is reported, so the policy is enforced and the listener hears it."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.hall import PASSWORD, RunningHall

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"]
ZONE = "lantai-1-a"  # counter 1 (KTP-el) calls here
FIXED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
PATHS = {
    "ticketing": ["/kiosk", "/booking", "/helpdesk", "/t/nope", "/api/v1/hall", "/api/v1/tickets/nope"],
    "counters": ["/operator", "/static/operator.js", "/api/v1/me", "/openapi.json"],
    "display": ["/", f"/boards/{ZONE}", f"/api/v1/zones/{ZONE}/board", "/voice/manifest.json"],
    "notify": ["/opt-out", "/api/v1/deliveries", "/livez", "/metrics"],
}
# Before the page's own scripts: every violation the page reports, and the console's word on it.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
"""
INJECT = """() => {
  const s = document.createElement("script");
  s.textContent = "window.__ran = 1";
  document.body.append(s);
}"""


@pytest.fixture(scope="module")
def hall(
    tmp_path_factory: pytest.TempPathFactory, nats_url: str, pg_url: str | None
) -> Iterator[RunningHall]:
    # The test's requests come from 127.0.0.1: here that is the hall's own proxy.
    proxy = {"ANTRE_TRUSTED_PROXIES": "127.0.0.1"}
    running = RunningHall(Path(tmp_path_factory.mktemp("headers")), nats_url, pg_url, extra_env=proxy)
    running.start()
    yield running
    running.stop()


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {name: sources for name, *sources in parts}


def test_every_page_and_api_sends_the_headers(hall: RunningHall) -> None:
    for service, paths in PATHS.items():
        with hall.client(service) as c:
            for path in paths:
                answer = c.get(path)
                assert answer.status_code < 500, (service, path, answer.text)
                for name, value in FIXED.items():
                    assert answer.headers.get(name) == value, (service, path, name)
                policy = directives(answer.headers["content-security-policy"])
                assert policy["script-src"] == ["'self'"], (service, path)
                assert policy["frame-ancestors"] == ["'none'"]
                assert "strict-transport-security" not in answer.headers


def test_hsts_when_the_trusted_proxy_says_tls(hall: RunningHall) -> None:
    for name in ("ticketing", "counters", "display", "notify"):
        with hall.client(name) as c:
            behind_tls = c.get("/livez", headers={"X-Forwarded-Proto": "https"})
            assert "strict-transport-security" in behind_tls.headers
            assert "strict-transport-security" not in c.get("/livez").headers


def test_no_hsts_when_an_untrusted_peer_says_tls(tmp_path: Path, nats_url: str) -> None:
    """Only our own proxies are believed: a client writing X-Forwarded-Proto pins nothing."""
    alone = RunningHall(tmp_path, nats_url, None, ("counters",)).start()
    try:
        with alone.client("counters") as c:
            forged = c.get("/livez", headers={"X-Forwarded-Proto": "https"})
            assert "strict-transport-security" not in forged.headers
    finally:
        alone.stop()


def test_the_opt_out_pages_inline_style_is_allowed_by_its_hash(hall: RunningHall) -> None:
    with hall.client("notify") as c:
        page = c.get("/opt-out")
    style_src = directives(page.headers["content-security-policy"])["style-src"]
    styles = re.findall(r"<style>(.*?)</style>", page.text, re.S)
    assert styles, "the page has no inline style any more: drop its hash from antre/headers.py"
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in style_src, "the opt-out page's style changed: update its hash"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Pages:
    """Every page opened, each in a context of its own, with what its console said about CSP."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.opened: list[tuple[str, Any, list[str]]] = []

    def open(self, url: str) -> Any:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        context.set_default_timeout(10_000)
        context.add_init_script(LISTEN)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        self.opened.append((url, page, console))
        return page

    def violations(self) -> dict[str, list[str]]:
        found = {}
        for url, page, console in self.opened:
            page.wait_for_timeout(100)  # reports are queued as tasks
            reported = page.evaluate("window.__csp") + console
            if reported:
                found[url] = reported
        return found

    def close(self) -> None:
        for _, page, _ in self.opened:
            page.context.close()


def test_no_page_breaks_the_policy(hall: RunningHall, browser: Any) -> None:
    from playwright.sync_api import expect

    hall.add_officer("capil", "dukcapil")
    pages = Pages(browser)
    try:
        board = pages.open(f"{hall.url('display')}/boards/{ZONE}?speaker=1")
        board.wait_for_function("() => window.antreBoard && window.antreBoard.state.board !== null")
        pages.open(f"{hall.url('display')}/")

        kiosk = pages.open(f"{hall.url('ticketing')}/kiosk#device={hall.kiosk_token('kiosk-1')}")
        kiosk.get_by_test_id("agency-dukcapil").click()
        kiosk.get_by_test_id("service-ktp-el").click()
        kiosk.get_by_test_id("priority-none").click()
        with kiosk.expect_response(lambda r: r.url.endswith("/api/v1/tickets")) as issued:
            kiosk.get_by_test_id("take-number").click()
        ticket = issued.value.json()
        kiosk.wait_for_function("() => document.querySelector('[data-testid=ticket-qr]').naturalWidth > 0")

        # The kiosk with a browser printer prints the ticket page from a hidden frame of its own.
        printing = pages.open(
            f"{hall.url('ticketing')}/kiosk?kiosk=kiosk-2#device={hall.kiosk_token('kiosk-2')}"
        )
        printing.get_by_test_id("agency-dukcapil").click()
        printing.get_by_test_id("service-akta-kelahiran").click()
        printing.get_by_test_id("priority-none").click()
        printing.get_by_test_id("take-number").click()
        expect(printing.get_by_test_id("ticket-number")).to_have_text(re.compile(r"^C-\d{3}$"))

        status = pages.open(ticket["status_url"])
        expect(status.get_by_test_id("status-number")).to_have_text(ticket["number"])
        slip = pages.open(f"{hall.url('ticketing')}{ticket['print_url']}")
        slip.evaluate("window.antreTicketReady")

        operator = pages.open(f"{hall.url('counters')}/operator")
        operator.get_by_test_id("username").fill("capil")
        operator.get_by_test_id("password").fill(PASSWORD)
        operator.get_by_test_id("sign-in").click()
        operator.get_by_test_id("counter-1").click()
        operator.get_by_test_id("open").click()
        expect(operator.get_by_test_id("counter-state")).to_have_text("Buka")
        operator.get_by_test_id("call-next").click()
        expect(operator.get_by_test_id("current-number")).to_have_text(ticket["number"])
        expect(board.locator("body")).to_contain_text(ticket["number"])

        pages.open(f"{hall.url('ticketing')}/booking")
        pages.open(f"{hall.url('ticketing')}/helpdesk")
        pages.open(f"{hall.url('notify')}/opt-out")

        assert pages.violations() == {}
        for _, page, _ in pages.opened:
            page.evaluate(INJECT)
            assert page.evaluate("window.__ran") is None
        assert set(pages.violations()) == {url for url, _, _ in pages.opened}
    finally:
        pages.close()


def test_the_docs_answer_from_the_service_itself(hall: RunningHall) -> None:
    with httpx.Client(base_url=hall.url("counters")) as c:
        docs = c.get("/docs")
        policy = directives(docs.headers["content-security-policy"])
        assert c.get("/docs/assets/swagger-ui.css").status_code == 200
    assert docs.status_code == 200 and "https://" not in " ".join(policy["script-src"])
