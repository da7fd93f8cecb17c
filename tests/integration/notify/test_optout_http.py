"""The opt-out over HTTP, the whole app started by its lifespan with a citizen channel configured
(NATS out of reach): the JSON endpoint, the page every footer links to and its plain form, only a
keyed hash stored, bilingual refusals; and the index naming the channels."""

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

KEY = "k" * 40


def settings(tmp_path: Path, **options: object) -> Settings:
    return Settings(
        hall_file=KENDARI,
        state_dir=tmp_path,
        nats_url="nats://127.0.0.1:1",  # NATS is simply down here
        webhook_poll_seconds=60,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    configured = settings(
        tmp_path,
        sms_url="http://127.0.0.1:9/sms",
        sms_api_key="sms-key",
        optout_key=KEY,
        optout_url="https://mpp.example/berhenti",
        jobs_poll_seconds=3600,
        positions_poll_seconds=60,
    )
    with TestClient(create_app(configured)) as test_client:
        yield test_client


def digests(client: TestClient) -> set[str]:
    deps: handlers.Deps = client.app.state.ctx.deps  # type: ignore[attr-defined]
    with db.read(deps.uow.engine) as conn:
        return set(conn.execute(select(opt_outs.c.digest)).scalars())


def link_token(address: str) -> str:
    """The ``t`` of the link at the end of a message sent to ``address``."""
    link = optout_link("https://mpp.example/berhenti", KEY.encode(), address)
    return link.split("?t=", 1)[1]


def test_opting_out_by_a_messages_link_stores_only_a_keyed_hash(client: TestClient) -> None:
    answer = client.post("/api/v1/opt-out", json={"token": link_token("0812-3456-7890")})

    assert answer.status_code == 200
    assert answer.json()["message_en"].startswith("You will receive no more messages")
    expected = {optout_digest(KEY.encode(), "+6281234567890")}
    assert digests(client) == expected
    # Twice is fine, and changes nothing.
    assert client.post("/api/v1/opt-out", json={"token": link_token("+6281234567890")}).status_code == 200
    assert digests(client) == expected
    assert "antre_opt_outs_total 2.0" in client.get("/metrics").text


@pytest.mark.parametrize(
    "body",
    [{"phone": "0812-3456-7890"}, {"token": "0" * 64 + "." + "0" * 32}, {"token": "nonsense"}],
)
def test_opting_out_without_a_link_is_refused_in_both_languages(
    client: TestClient, body: dict[str, str]
) -> None:
    answer = client.post("/api/v1/opt-out", json=body)

    assert answer.status_code in (403, 422)
    assert answer.json()["error"]["message"] and answer.json()["error"]["message_en"]
    assert digests(client) == set()


def test_the_footers_page_asks_before_its_plain_form_stops(client: TestClient) -> None:
    token = link_token("0812-3456-7890")
    page = client.get("/opt-out", params={"t": token})
    assert page.status_code == 200
    assert '<form method="post" action="opt-out">' in page.text and token in page.text
    assert digests(client) == set()  # opening the link (a preview, a scanner) stops nothing

    done = client.post(
        "/opt-out", content=f"t={token}", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert done.status_code == 200
    assert "Anda tidak akan menerima pesan lagi" in done.text
    assert digests(client) == {optout_digest(KEY.encode(), "+6281234567890")}
    refused = client.post(
        "/opt-out", content="t=abc", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert refused.status_code == 403
    assert "Tautan berhenti tidak sah" in refused.text
    assert "abc" not in refused.text  # the citizen's input is never echoed back
    assert "<form" not in client.get("/opt-out").text  # no link: nothing to confirm


def test_the_index_names_the_citizen_channels(client: TestClient) -> None:
    body = client.get("/").json()

    assert body["citizens"] == {"channels": ["sms"], "survey": False}
    assert body["links"]["opt_out"] == "/opt-out"


def test_without_a_key_opting_out_is_unavailable(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path))) as client:
        answer = client.post("/api/v1/opt-out", json={"token": link_token("0812-3456-7890")})

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "opt_out_unavailable"
