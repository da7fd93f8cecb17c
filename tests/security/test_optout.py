"""Only the holder of an address stops its messages: a typed phone number or email proves
nothing (anyone could silence a stranger's reminders); the link at the end of a message sent
there does, and it proves that address alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from antre import db
from services.notify import handlers
from services.notify.adapters.tables import opt_outs
from services.notify.bootstrap import create_app
from services.notify.domain.citizens import optout_digest, optout_link
from services.notify.settings import Settings
from tests.support.infra import KENDARI

KEY = "a-real-halls-opt-out-key-of-40-chars-...."
PAGE = "https://mpp.example/berhenti"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        hall_file=KENDARI,
        state_dir=tmp_path,
        nats_url="nats://127.0.0.1:1",
        sms_url="http://127.0.0.1:9/sms",
        sms_api_key="sms-key",
        optout_key=KEY,
        optout_url=PAGE,
        webhook_poll_seconds=60,
        jobs_poll_seconds=3600,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def opted_out(client: TestClient) -> set[str]:
    deps: handlers.Deps = client.app.state.ctx.deps  # type: ignore[attr-defined]
    with db.read(deps.uow.engine) as conn:
        return set(conn.execute(select(opt_outs.c.digest)).scalars())


def token(address: str, key: str = KEY) -> str:
    return optout_link(PAGE, key.encode(), address).split("?t=", 1)[1]


def test_a_typed_phone_or_email_opts_nothing_out(client: TestClient) -> None:
    for body in (
        {"phone": "0812-3456-7890"},
        {"email": "warga@example.id"},
        {"phone": "0812-3456-7890", "token": ""},
    ):
        answer = client.post("/api/v1/opt-out", json=body)
        assert answer.status_code in (403, 422), answer.text
    form = client.post("/opt-out", content="phone=081234567890&email=warga%40example.id", headers=FORM)
    assert form.status_code == 403
    assert opted_out(client) == set()


def test_a_forged_link_opts_nothing_out(client: TestClient) -> None:
    digest = optout_digest(KEY.encode(), "+6281234567890")
    for forged in (token("+6281234567890", key="another-hall-key-" + "x" * 30), f"{digest}.{'0' * 32}"):
        answer = client.post("/api/v1/opt-out", json={"token": forged})
        assert (answer.status_code, answer.json()["error"]["code"]) == (403, "opt_out_link_invalid")
        assert answer.json()["error"]["message"] and answer.json()["error"]["message_en"]
    assert opted_out(client) == set()


def test_a_messages_link_opts_out_its_own_address_only(client: TestClient) -> None:
    answer = client.post("/api/v1/opt-out", json={"token": token("0812-3456-7890")})
    assert answer.status_code == 200
    assert opted_out(client) == {optout_digest(KEY.encode(), "+6281234567890")}
    assert optout_digest(KEY.encode(), "+6281234567891") not in opted_out(client)
