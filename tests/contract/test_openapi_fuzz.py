"""Every service's published OpenAPI document against the running hall (PostgreSQL when the
environment provides it): Schemathesis sends each route valid and invalid requests, with the
caller the route expects, and no answer may be a server error, a status the document does not
declare for that route, or a content type it does not declare.

The examples per route are few so the whole module stays within a few minutes on two cores; a
failure prints the request to replay (``curl``) and Hypothesis' seed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from tests.support.hall import SERVICES, RunningHall

pytestmark = [pytest.mark.e2e, pytest.mark.contract]

# Enough for make test on two cores; ANTRE_FUZZ_EXAMPLES=200 digs deeper by hand.
MAX_EXAMPLES = int(os.environ.get("ANTRE_FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]

# Named, never silent. Server-sent event streams answer 200 and then never end for a real ticket,
# counter or zone, so a request to them cannot be judged by its answer; the pages' tests (tests/
# browser) and the end-to-end journey read them. /metrics, /livez and /readyz are not in the
# documents (include_in_schema=False): they are for Prometheus and Kubernetes, not callers.
STREAMS = {
    "ticketing": "/api/v1/tickets/{ticket_id}/events",
    "counters": "/api/v1/counters/{number}/events",
    "display": "/api/v1/zones/{zone}/events",
    "reports": "/api/v1/hall/live/events",
}
# The routes a device calls, with its own token; every other route gets a hall manager's.
KIOSK_ROUTES = {
    ("ticketing", "POST", "/api/v1/tickets"),
    ("ticketing", "POST", "/api/v1/tickets/{ticket_id}/printed"),
    ("ticketing", "POST", "/api/v1/tickets/{ticket_id}/print-failed"),
    ("ticketing", "POST", "/api/v1/bookings/{code}/check-in"),
}
BOARD_ROUTES = {("display", "POST", "/api/v1/zones/{zone}/announcements/{seq}/outcome")}
# Signing out ends the session it is called with: each call gets a session of its own, made
# before the fuzzing starts, because the fuzzed sign-ins soon make this client wait.
SIGN_OUT = ("counters", "DELETE", "/api/v1/sessions/current")


@dataclass
class Callers:
    manager: str
    kiosk: str
    board: str
    spare_sessions: list[str] = field(default_factory=list)

    def token(self, service: str, case: Case) -> str:
        route = (service, case.method.upper(), case.path)
        if route in KIOSK_ROUTES:
            return self.kiosk
        if route in BOARD_ROUTES:
            return self.board
        if route == SIGN_OUT:
            assert self.spare_sessions, "more sign-outs than sessions made for them"
            return self.spare_sessions.pop()
        return self.manager


@pytest.fixture(scope="module")
def hall(
    tmp_path_factory: pytest.TempPathFactory, nats_url: str, pg_url: str | None
) -> Iterator[RunningHall]:
    running = RunningHall(tmp_path_factory.mktemp("contract"), nats_url, pg_url)
    # Set up as a hall that messages citizens is: opting out works, ticketing reaches notify.
    running.service_env = {
        "notify": {"ANTRE_OPTOUT_KEY": "k" * 32, "ANTRE_OPTOUT_URL": f"{running.url('notify')}/opt-out"},
        "ticketing": {"ANTRE_NOTIFY_URL": running.url("notify")},
    }
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def callers(hall: RunningHall) -> Callers:
    def bearer(headers: dict[str, str]) -> str:
        return headers["Authorization"].removeprefix("Bearer ")

    manager = bearer(hall.manager())
    spares = [bearer(hall.sign_in("pengelola")) for _ in range(MAX_EXAMPLES + 5)]
    return Callers(manager, hall.kiosk_token(), hall.board_token(), spares)


@pytest.mark.parametrize("service", SERVICES)
def test_every_answer_is_declared(
    service: str, hall: RunningHall, callers: Callers, subtests: pytest.Subtests
) -> None:
    # A loop with pytest's own subtests, not Schemathesis' from_fixture: its lazy schema sets
    # Function._nodeid, which pytest 9.2 no longer has. Each route still reports on its own.
    schema = schemathesis.openapi.from_url(f"{hall.url(service)}/openapi.json")
    for found in schema.get_all_operations():
        operation = found.ok()
        if STREAMS.get(service) == operation.path:
            continue
        with subtests.test(msg=operation.label):
            fuzz(operation, service, callers)


def fuzz(operation: APIOperation, service: str, callers: Callers) -> None:
    """Valid requests and requests the route must refuse (a wrong type, a missing field, ...)."""
    cases = st.one_of(*(operation.as_strategy(mode) for mode in GenerationMode))

    @given(case=cases)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def answers_as_declared(case: Case) -> None:
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.headers = {**headers, "Authorization": f"Bearer {callers.token(service, case)}"}
        case.call_and_validate(checks=CHECKS, timeout=15)

    answers_as_declared()
