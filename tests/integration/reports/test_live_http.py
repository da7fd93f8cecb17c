"""The live hall over HTTP, on SQLite and PostgreSQL, with the counters' who-is-this played by
KnownPeople: the snapshot of a hall at work, a supervisor's view of their own agency only (and
refused another's), and the stream: a snapshot on connect, another soon after each change with a
burst folded into few, a refresh in a quiet hall, heartbeats, and the end of a signed-out stream."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from google.protobuf.message import Message

from antre import sse
from antre.events import new_meta, timestamp
from antre.hall.load import load_hall
from antre.hall.model import Hall
from antre.v1 import events_pb2 as pb
from services.reports import handlers
from services.reports.bootstrap import create_app
from services.reports.handlers import live
from services.reports.settings import Settings
from tests.integration.display.display_live import UNREACHABLE_NATS, SseEvent, SseReader
from tests.support.infra import KENDARI, free_port, unique, write_hall
from tests.support.people import TOKENS, KnownPeople, bearer
from tests.support.stores import drop_schema, pg_url
from tests.support.visit_day import envelopes

MANAGER, SUPERVISOR = bearer("token-manager"), bearer("token-supervisor")  # the latter Dukcapil's


class Events:
    """Hand-made events of the hall, timed back from the wall clock (the app's own clock)."""

    def __init__(self, hall: Hall) -> None:
        self.hall = hall
        self.numbers: dict[str, int] = {}

    def _meta(self, service: str, minutes_ago: float) -> pb.EventMeta:
        agency = self.hall.service(service).agency  # type: ignore[union-attr]
        return new_meta(self.hall.id, agency, ago(minutes_ago))

    def _counter(self, number: int) -> pb.CounterRef:
        counter = self.hall.counter(number)
        assert counter is not None
        return pb.CounterRef(number=number, name=counter.name, zone=counter.zone)

    def issue(
        self, service: str, minutes_ago: float = 0, day: dt.date | None = None
    ) -> tuple[Message, pb.TicketRef]:
        self.numbers[service] = self.numbers.get(service, 0) + 1
        prefix = self.hall.service(service).prefix  # type: ignore[union-attr]
        at = ago(minutes_ago)
        ref = pb.TicketRef(
            ticket_id=uuid.uuid4().hex,
            service=service,
            number=f"{prefix}-{self.numbers[service]:03d}",
            hall_day=(day or self.hall.day_of(at)).isoformat(),
        )
        return pb.TicketIssued(
            meta=self._meta(service, minutes_ago), ticket=ref, issued_at=timestamp(at)
        ), ref

    def opened(self, number: int, minutes_ago: float = 0) -> Message:
        counter = self.hall.counter(number)
        assert counter is not None
        meta = self._meta(counter.services[0], minutes_ago)
        return pb.CounterOpened(
            meta=meta, counter=self._counter(number), officer="siti", services=counter.services
        )

    def called(self, ref: pb.TicketRef, number: int, minutes_ago: float = 0) -> Message:
        meta = self._meta(ref.service, minutes_ago)
        return pb.TicketCalled(meta=meta, ticket=ref, counter=self._counter(number), officer="siti")

    def serving(self, ref: pb.TicketRef, number: int, minutes_ago: float = 0) -> Message:
        return pb.ServingStarted(
            meta=self._meta(ref.service, minutes_ago), ticket=ref, counter=self._counter(number)
        )

    def completed(self, ref: pb.TicketRef, number: int, minutes_ago: float = 0) -> Message:
        return pb.TicketCompleted(
            meta=self._meta(ref.service, minutes_ago), ticket=ref, counter=self._counter(number)
        )


def _to_hall_morning() -> dt.timedelta:
    """From the wall clock to 11:00 of the hall's day: the app's clock and every hand-made event
    run at the wall's pace from there, so that a run near the hall's midnight does not see a
    ticket of "40 minutes ago" fall on yesterday."""
    zone = ZoneInfo(load_hall(KENDARI).timezone)
    wall = dt.datetime.now(zone)
    return wall.replace(hour=11, minute=0, second=0, microsecond=0) - wall


SHIFT = _to_hall_morning()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + SHIFT


def ago(minutes: float) -> dt.datetime:
    return now() - dt.timedelta(minutes=minutes)


def apply(deps: handlers.Deps, *messages: Message) -> None:
    handlers.on_events(deps, envelopes(messages))


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Iterator[Settings]:
    schema = unique("t_") if backend == "postgresql" else ""
    extra = {"database_url": pg_url(), "database_schema": schema} if schema else {}
    yield Settings(
        hall_file=write_hall(tmp_path, unique("h")),
        state_dir=tmp_path / "state",
        nats_url=UNREACHABLE_NATS,
        demo=True,
        live_refresh_seconds=1,
        live_coalesce_seconds=0.5,
        **extra,
    )
    drop_schema(schema)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        client.app.state.people = KnownPeople()  # type: ignore[attr-defined]
        deps_of(client).uow.clock = now
        yield client


def deps_of(client: Any) -> handlers.Deps:
    return client.app.state.ctx.deps  # type: ignore[no-any-return]


def a_hall_at_work(deps: handlers.Deps) -> dict[str, pb.TicketRef]:
    """KTP-el: one waiting 20 minutes (over its 15), one waiting 2; counter 1 serving a third;
    counter 2 open and idle; JKN (BPJS): one waiting at counter 17's queue."""
    make = Events(deps.hall)
    old, old_ref = make.issue("ktp-el", 20)
    new, _ = make.issue("ktp-el", 2)
    held, held_ref = make.issue("ktp-el", 30)
    done, done_ref = make.issue("ktp-el", 40)
    jkn, jkn_ref = make.issue("jkn", 5)
    apply(deps, make.opened(1, 60), make.opened(2, 10), done, held, old, jkn, new)
    apply(deps, make.called(done_ref, 1, 38), make.serving(done_ref, 1, 37), make.completed(done_ref, 1, 25))
    apply(deps, make.called(held_ref, 1, 24), make.serving(held_ref, 1, 23))
    return {"old": old_ref, "held": held_ref, "done": done_ref, "jkn": jkn_ref}


def test_the_hall_now(client: TestClient) -> None:
    refs = a_hall_at_work(deps_of(client))
    body = client.get("/api/v1/hall/live", headers=MANAGER).json()
    hall = deps_of(client).hall
    assert body["hall"]["id"] == hall.id and body["agency"] == "" and body["idle_minutes"] == 3
    assert body["day"] == hall.day_of(now()).isoformat()
    assert [s["code"] for s in body["services"]] == [s.code for s in hall.services]
    assert [c["number"] for c in body["counters"]] == [c.number for c in hall.counters]
    assert len(body["agencies"]) == 6
    ktp = next(s for s in body["services"] if s["code"] == "ktp-el")
    assert (ktp["waiting"], ktp["served"], ktp["called"], ktp["target_minutes"]) == (2, 1, 2, 15)
    assert 20 * 60 <= ktp["longest_wait_seconds"] < 20 * 60 + 30
    assert 6 * 60 - 30 < ktp["p90_wait_seconds"] <= 6 * 60 + 30  # the held ticket's wait, the larger
    assert ktp["level"] == "over"
    one, two = body["counters"][0], body["counters"][1]
    assert (one["state"], one["officer"], one["ticket"]["number"]) == ("open", "siti", refs["held"].number)
    assert one["ticket"]["state"] == "serving" and 23 * 60 - 30 < one["ticket"]["seconds"] < 23 * 60 + 30
    assert one["ticket"]["level"] == "over"  # 23 minutes against 15
    assert two["ticket"] is None and 10 * 60 - 30 < two["idle_seconds"] < 10 * 60 + 30
    keys = {a["key"] for a in body["alerts"]}
    assert keys == {"wait_over_target:ktp-el", "counter_idle:2"}  # 23 min is not twice 15
    assert all(a["message"] and a["message_en"] for a in body["alerts"])


def test_a_citizen_brought_back_waits_from_their_return(client: TestClient) -> None:
    """A no-show of an hour ago brought back two minutes ago waits two minutes, not an hour: the
    service is within its standard and no alert fires."""
    deps, make = deps_of(client), Events(deps_of(client).hall)
    issued, ref = make.issue("ktp-el", 60)
    counter = make._counter(1)
    skipped = pb.TicketSkipped(
        meta=make._meta("ktp-el", 45), ticket=ref, counter=counter, no_show=True, recalls=2
    )
    back = pb.TicketReturned(
        meta=make._meta("ktp-el", 2), ticket=ref, counter=counter, officer="siti", was="no_show"
    )
    apply(deps, make.opened(1, 70), issued, make.called(ref, 1, 50), skipped, back)
    body = client.get("/api/v1/hall/live", headers=MANAGER).json()
    ktp = next(s for s in body["services"] if s["code"] == "ktp-el")
    assert ktp["waiting"] == 1 and 2 * 60 <= ktp["longest_wait_seconds"] < 2 * 60 + 30
    assert ktp["level"] != "over" and not [a for a in body["alerts"] if a["key"].startswith("wait_over")]


def test_another_days_legs_are_not_today(client: TestClient) -> None:
    make = Events(deps_of(client).hall)
    yesterday = now().date() - dt.timedelta(days=2)
    issued, _ = make.issue("ktp-el", 30, day=yesterday)
    apply(deps_of(client), issued)
    ktp = client.get("/api/v1/hall/live", headers=MANAGER).json()["services"][0]
    assert (ktp["code"], ktp["waiting"], ktp["longest_wait_seconds"]) == ("ktp-el", 0, None)


def test_a_supervisor_sees_their_agency_only(client: TestClient) -> None:
    refs = a_hall_at_work(deps_of(client))
    hall = deps_of(client).hall
    response = client.get("/api/v1/hall/live", headers=SUPERVISOR)
    body = response.json()
    assert body["agency"] == "dukcapil"
    assert {s["agency"] for s in body["services"]} == {"dukcapil"}
    assert [c["number"] for c in body["counters"]] == [1, 2, 3, 4, 5, 6]
    assert [a["code"] for a in body["agencies"]] == ["dukcapil"]
    assert refs["jkn"].number not in response.text and "jkn" not in response.text
    assert not any(s.code in response.text for s in hall.services if s.agency != "dukcapil")
    mine = client.get("/api/v1/hall/live?agency=dukcapil", headers=SUPERVISOR).json()
    assert [s["code"] for s in mine["services"]] == [s["code"] for s in body["services"]]


def test_a_manager_narrows_to_one_agency(client: TestClient) -> None:
    a_hall_at_work(deps_of(client))
    body = client.get("/api/v1/hall/live?agency=bpjs", headers=MANAGER).json()
    assert body["agency"] == "bpjs" and len(body["agencies"]) == 6  # still free to pick another
    assert [(s["code"], s["waiting"]) for s in body["services"]] == [("jkn", 1)]
    assert [c["number"] for c in body["counters"]] == [17] and body["alerts"] == []
    unknown = client.get("/api/v1/hall/live?agency=atap", headers=MANAGER)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_agency"


@pytest.mark.parametrize("path", ["/api/v1/hall/live", "/api/v1/hall/live/events"])
def test_who_is_refused(client: TestClient, path: str) -> None:
    other = client.get(f"{path}?agency=bpjs", headers=SUPERVISOR)
    assert other.status_code == 403 and other.json()["error"]["code"] == "other_agency"
    bpjs = client.get(f"{path}?agency=dukcapil", headers=bearer("token-supervisor-bpjs"))
    assert bpjs.status_code == 403 and bpjs.json()["error"]["code"] == "other_agency"
    officer = client.get(path, headers=bearer("token-officer"))
    assert officer.status_code == 403 and officer.json()["error"]["code"] == "role_required"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer("token-nobody")).status_code == 401


def test_the_page_shell_holds_no_data(client: TestClient) -> None:
    page = client.get("/hall")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<meta name="antre-counters" content="http://127.0.0.1:8102">' in page.text
    for asset in ("hall.js", "hall.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    assert "<script>" not in page.text and "style=" not in page.text  # the CSP allows neither


# ---- the stream ----


class Served:
    """The app under uvicorn in a thread: an event stream never ends by itself, which a
    TestClient would wait for."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.port = free_port()
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "reports did not start"
            time.sleep(0.02)
        self.people = KnownPeople(dict(TOKENS))
        self.app.state.people = self.people
        self.deps.uow.clock = now

    @property
    def deps(self) -> handlers.Deps:
        return self.app.state.ctx.deps  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


class Frames:
    """A stream read in a thread: each event with the moment it arrived."""

    def __init__(self, response: httpx.Response) -> None:
        self.reader = SseReader(response.iter_lines())
        self.got: queue.Queue[tuple[float, SseEvent] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                event = self.reader.next()
                self.got.put((time.monotonic(), event))
        except Exception:  # the stream ended or was closed
            self.got.put(None)

    def next(self, timeout: float = 5.0) -> tuple[float, SseEvent]:
        item = self.got.get(timeout=timeout)
        assert item is not None, "the stream ended"
        return item

    def ended(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.got.get(timeout=max(0.01, deadline - time.monotonic())) is None:
                    return True
            except queue.Empty:
                return False
        return False


@pytest.fixture
def served(settings: Settings) -> Iterator[Served]:
    running = Served(settings)
    yield running
    running.stop()


def stream(served: Served, headers: dict[str, str]) -> Any:
    client = httpx.Client(base_url=f"http://127.0.0.1:{served.port}", timeout=10)
    return client.stream("GET", "/api/v1/hall/live/events", headers=headers)


def counter_one(event: SseEvent) -> str:
    ticket = event.data["counters"][0]["ticket"]
    return ticket["number"] if ticket else ""


def test_the_stream_follows_the_record(served: Served) -> None:
    make = Events(served.deps.hall)
    issued, ref = make.issue("ktp-el", 1)
    apply(served.deps, make.opened(1, 5), issued)
    with stream(served, MANAGER) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        frames = Frames(response)
        _, first = frames.next()
        assert first.event == "hall" and counter_one(first) == ""
        time.sleep(0.6)  # past the coalescing window of the first snapshot
        fed = time.monotonic()
        apply(served.deps, make.called(ref, 1))
        arrived, after = frames.next()
        assert counter_one(after) == ref.number and arrived - fed < 1.0


def test_a_burst_of_changes_is_a_few_snapshots(served: Served) -> None:
    make = Events(served.deps.hall)
    with stream(served, MANAGER) as response:
        frames = Frames(response)
        frames.next()
        start = time.monotonic()
        for _ in range(20):  # 20 batches within about half a second (longer on a loaded machine)
            issued, _ = make.issue("ktp-el")
            apply(served.deps, issued)
            time.sleep(0.02)
        burst = time.monotonic() - start
        seen = []
        while time.monotonic() - start < burst + 1.1:
            try:
                seen.append(frames.next(timeout=max(0.05, burst + 1.1 - (time.monotonic() - start))))
            except queue.Empty:
                break
        # At most one snapshot per coalescing window (0.5 s here) while the burst lasts, and one
        # after it: never one per batch.
        assert 1 <= len(seen) <= 2 + burst / 0.5, (len(seen), burst)
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(seen)]
        assert all(gap > 0.4 for gap in gaps), gaps
        assert seen[-1][1].data["services"][0]["waiting"] == 20


def test_a_quiet_hall_is_refreshed_with_heartbeats_between(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sse, "HEARTBEAT_SECONDS", 0.3)
    with stream(served, MANAGER) as response:
        frames = Frames(response)
        first_at, _ = frames.next()
        again_at, again = frames.next(timeout=3)  # live_refresh_seconds is 1 here
        assert 0.8 < again_at - first_at < 2.0 and again.event == "hall"
        assert any(line.startswith(": keep-alive") for line in frames.reader.comments)


def test_a_stream_ends_once_its_person_is_signed_out(served: Served) -> None:
    with stream(served, SUPERVISOR) as response:
        frames = Frames(response)
        assert frames.next()[1].data["agency"] == "dukcapil"
        del served.people.tokens["token-supervisor"]
        assert frames.ended(timeout=4)


def test_pages_of_one_scope_share_a_snapshot(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    build = live.hall_now

    def counted(deps: handlers.Deps, agency: str, idle_minutes: float) -> Any:
        made.append(agency)
        return build(deps, agency, idle_minutes)

    monkeypatch.setattr(live, "hall_now", counted)
    make = Events(served.deps.hall)
    with contextlib.ExitStack() as stack:
        pages = [Frames(stack.enter_context(stream(served, MANAGER))) for _ in range(3)]
        for page in pages:
            page.next()
        made.clear()
        issued, _ = make.issue("ktp-el")
        apply(served.deps, issued)
        assert all(page.next()[1].data["services"][0]["waiting"] == 1 for page in pages)
    assert made == [""]  # three pages, one read of the record
