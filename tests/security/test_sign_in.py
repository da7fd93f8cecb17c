"""Signing in, as an attacker finds it: guessing slows down per username and per client (and a
block refuses even the right password), an unknown username answers as a wrong password does, a
disabled account and a changed password end sessions at once, and the command line never takes
a password as an argument."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from antre.roles import Role
from services.counters.bootstrap import create_app
from services.counters.domain.stations import Officer
from services.counters.entrypoints import accounts_http
from services.counters.handlers import accounts
from services.counters.settings import Settings
from tests.integration.display.display_live import UNREACHABLE_NATS
from tests.support.infra import ROOT, unique, write_hall

PASSWORD = "rahasia-siti-123"


@pytest.fixture
def counters(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        hall_file=write_hall(tmp_path, unique("h")), state_dir=tmp_path, nats_url=UNREACHABLE_NATS
    )
    with TestClient(create_app(settings)) as client:
        deps = client.app.state.ctx.deps  # type: ignore[attr-defined]
        accounts.save_officer(deps, None, Officer("siti", "Siti", "dukcapil"), PASSWORD)
        accounts.save_officer(deps, None, Officer("rina", "Rina", "", Role.MANAGER), "rahasia-rina-123")
        yield client


def sign_in(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object]]:
    answer = client.post("/api/v1/sessions", json={"username": username, "password": password})
    return answer.status_code, answer.json()


def test_guessing_is_slowed_down_and_a_block_refuses_the_right_password_too(
    counters: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts_http, "BLOCKED_ANSWER_DELAY", 0.0)  # the blocks, not the wait
    answers = [sign_in(counters, "siti", f"tebakan-{n:04d}")[0] for n in range(8)]
    assert answers == [401] * 4 + [429] * 4
    status, body = sign_in(counters, "siti", PASSWORD)
    assert status == 429 and body["error"]["code"] == "sign_in_blocked"  # type: ignore[index]
    assert body["error"]["retry_after"] > 0  # type: ignore[index]
    assert "token" not in body


def test_an_unknown_username_answers_as_a_wrong_password(counters: TestClient) -> None:
    _, unknown = sign_in(counters, "tidak-ada", PASSWORD)
    _, wrong = sign_in(counters, "siti", "bukan-sandinya")
    assert unknown == wrong


def test_a_disabled_account_and_a_reset_password_end_sessions_at_once(counters: TestClient) -> None:
    siti = {"Authorization": f"Bearer {sign_in(counters, 'siti', PASSWORD)[1]['token']}"}
    rina = {"Authorization": f"Bearer {sign_in(counters, 'rina', 'rahasia-rina-123')[1]['token']}"}
    assert counters.get("/api/v1/me", headers=siti).json()["role"] == "officer"
    assert counters.post("/api/v1/officers/siti/disable", headers=siti).status_code == 403  # not her own
    assert counters.post("/api/v1/officers/siti/disable", headers=rina).status_code == 204
    assert counters.get("/api/v1/me", headers=siti).status_code == 401
    assert sign_in(counters, "siti", PASSWORD)[1]["error"]["code"] == "account_disabled"  # type: ignore[index]
    assert counters.post("/api/v1/officers/siti/enable", headers=rina).status_code == 204
    siti = {"Authorization": f"Bearer {sign_in(counters, 'siti', PASSWORD)[1]['token']}"}
    reset = {"name": "Siti", "agency": "dukcapil", "password": "sandi-baru-siti-1"}
    assert counters.put("/api/v1/officers/siti", json=reset, headers=rina).status_code == 200
    assert counters.get("/api/v1/me", headers=siti).status_code == 401


def test_the_command_line_takes_no_password_as_an_argument() -> None:
    cli = [sys.executable, "-m", "services.counters.entrypoints.cli", "add-officer", "--username", "x"]
    done = subprocess.run([*cli, "--name", "X", "--password", "rahasia-123"], cwd=ROOT, capture_output=True)
    assert done.returncode == 2 and b"--password" in done.stderr
