"""The staff pages of other hosts (the reports service's) sign in at the counters from the
browser: the counters let exactly the configured origins read their answers, and no other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.counters.bootstrap import create_app
from services.counters.settings import Settings
from tests.integration.display.display_live import UNREACHABLE_NATS
from tests.support.infra import unique, write_hall

REPORTS = "https://laporan.mpp.example"


@pytest.fixture
def counters(tmp_path: Path) -> Iterator[TestClient]:
    hall = write_hall(tmp_path, unique("h"))
    settings = Settings(
        hall_file=hall, state_dir=tmp_path, nats_url=UNREACHABLE_NATS, staff_origins=f"{REPORTS}/, "
    )
    with TestClient(create_app(settings)) as client:
        yield client


def preflight(client: TestClient, origin: str) -> dict[str, str]:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    return dict(client.options("/api/v1/sessions", headers=headers).headers)


def test_the_reports_pages_may_sign_in_from_their_own_host(counters: TestClient) -> None:
    assert preflight(counters, REPORTS).get("access-control-allow-origin") == REPORTS
    answer = counters.get("/api/v1/me", headers={"Origin": REPORTS})
    assert answer.status_code == 401  # a token is still needed; the browser may read the refusal
    assert answer.headers.get("access-control-allow-origin") == REPORTS


def test_any_other_origin_is_not_let_read(counters: TestClient) -> None:
    assert "access-control-allow-origin" not in preflight(counters, "https://evil.example")
    answer = counters.get("/api/v1/me", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-credentials" not in answer.headers  # tokens, never cookies


def test_without_staff_origins_no_origin_is_let_read(tmp_path: Path) -> None:
    hall = write_hall(tmp_path, unique("h"))
    with TestClient(create_app(Settings(hall_file=hall, state_dir=tmp_path, nats_url=UNREACHABLE_NATS))) as c:
        assert "access-control-allow-origin" not in preflight(c, REPORTS)
