"""Asking the counters who a bearer token belongs to: refusals, roles, and a short memory."""

from __future__ import annotations

import httpx
import pytest

from antre.people import People, bearer
from antre.problems import Unauthorized, Unavailable
from antre.roles import Person, Role


def counters(answers: list[httpx.Response]) -> tuple[People, list[httpx.Request]]:
    asked: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return answers.pop(0)

    client = httpx.AsyncClient(base_url="http://counters", transport=httpx.MockTransport(handle))
    return People("http://counters", client), asked


async def test_a_person_is_asked_once_then_kept_for_a_few_seconds() -> None:
    me = {"username": "rina", "name": "Rina", "agency": "", "role": "manager"}
    people, asked = counters([httpx.Response(200, json=me)])
    for _ in range(3):
        assert await people.person("t") == Person("rina", "Rina", "", Role.MANAGER)
    assert len(asked) == 1 and asked[0].headers["Authorization"] == "Bearer t"


@pytest.mark.parametrize(("status", "refusal"), [(401, Unauthorized), (500, Unavailable)])
async def test_a_refused_or_failed_answer_is_kept_for_nobody(status: int, refusal: type[Exception]) -> None:
    people, asked = counters([httpx.Response(status), httpx.Response(status)])
    for _ in range(2):
        with pytest.raises(refusal):
            await people.person("t")
    assert len(asked) == 2


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer  ", "Basic abc", "token"])
def test_only_a_bearer_token_is_taken(header: str) -> None:
    with pytest.raises(Unauthorized):
        bearer(header)
