"""Integers a database cannot hold, sent to the display as a board or a stranger would: a clear,
bilingual 422 (or, for a reconnecting board's Last-Event-ID, a fresh start), never a 500, and
nothing changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.display import handlers
from tests.integration.display.display_live import LiveDisplay, SseReader
from tests.unit.display import display_factories as f

ZONE = "lantai-1-a"
HUGE = str(2**63)  # one past the 64-bit range
MAX = str(2**63 - 1)


@pytest.fixture
def display(tmp_path: Path) -> Iterator[LiveDisplay]:
    live = LiveDisplay(tmp_path).start()
    handlers.on_hall_events(
        live.deps, [f.called(live.deps.hall, "t1", "A-001", "ktp-el", 3, dt.datetime.now(dt.UTC))]
    )
    yield live
    live.stop()


def refused_in_both_languages(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    problem = response.json()["error"]
    assert problem["message"] and problem["message_en"] and problem["message"] != problem["message_en"]
    return problem


def test_a_log_read_after_a_seq_past_64_bits_is_refused(display: LiveDisplay) -> None:
    with display.client() as c:
        for after in (HUGE, "9" * 40, "-" + HUGE):
            refused_in_both_languages(c.get(f"/api/v1/zones/{ZONE}/announcements", params={"after": after}))
        at_the_edge = c.get(f"/api/v1/zones/{ZONE}/announcements", params={"after": MAX})
        assert at_the_edge.status_code == 200 and at_the_edge.json()["announcements"] == []


def test_an_outcome_for_a_seq_no_log_can_hold_is_refused_and_counts_nothing(display: LiveDisplay) -> None:
    report = {"outcome": "spoken", "via": "clips"}
    with display.client() as c:
        c.headers.update(display.board_headers())  # an enrolled board: only its reports are read
        for seq in (HUGE, "9" * 40, "0", "-1"):
            response = c.post(f"/api/v1/zones/{ZONE}/announcements/{seq}/outcome", json=report)
            refused_in_both_languages(response)
        unknown = c.post(f"/api/v1/zones/{ZONE}/announcements/{MAX}/outcome", json=report)
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_announcement"
        # Nothing was counted: the real entry's first report still counts.
        assert c.post(f"/api/v1/zones/{ZONE}/announcements/1/outcome", json=report).status_code == 200


def fresh_snapshot(client: httpx.Client, url: str, headers: dict[str, bytes] | None = None) -> None:
    with client.stream("GET", url, headers=headers) as stream:
        assert stream.status_code == 200
        snapshot = SseReader(stream.iter_lines()).next()
    assert snapshot.event == "snapshot"
    assert snapshot.id == "1"  # a fresh page's id: the snapshot's last seq
    assert [c["number"] for c in snapshot.data["now_calling"]] == ["A-001"]


# Past 64 bits; Unicode digits str.isdigit() takes ("²" in Latin-1, as a header is read, then
# the Arabic-Indic one); not digits at all.
NOT_SEQS = [HUGE.encode(), b"9" * 40, "\u00b2".encode("latin-1"), "\u0661".encode(), b"-1", b"1e3"]


@pytest.mark.parametrize("last_event_id", NOT_SEQS)
def test_a_last_event_id_that_is_no_seq_starts_the_board_afresh(
    display: LiveDisplay, last_event_id: bytes
) -> None:
    """EventSource resends Last-Event-ID by itself and gives up for good on a refusal: a bad one
    is taken as absent, so the board gets a fresh snapshot and stays live."""
    with display.client() as c:
        fresh_snapshot(c, f"/api/v1/zones/{ZONE}/events", {"Last-Event-ID": last_event_id})


@pytest.mark.parametrize("last_event_id", ["\u00b2", "\u0661", "x"])
def test_a_resume_query_that_is_no_seq_starts_the_board_afresh(
    display: LiveDisplay, last_event_id: str
) -> None:
    with display.client() as c:
        fresh_snapshot(
            c, f"/api/v1/zones/{ZONE}/events?" + httpx.QueryParams(last_event_id=last_event_id).__str__()
        )
