"""The API documentation page on a hall LAN with no internet: in Chromium with every request to
another host refused, /docs still draws the service's operations, and it asked no other host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect

from tests.browser.conftest import Hall

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("service", ["ticketing", "counters"])
def test_the_docs_draw_offline(hall: Hall, new_context: Any, service: str) -> None:
    base = hall.ticketing_url if service == "ticketing" else hall.counters_url
    elsewhere: list[str] = []

    def offline(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context = new_context()
    context.route("**/*", offline)
    page = context.new_page()
    page.goto(f"{base}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Antre")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 5
    assert elsewhere == []
