"""The display's handlers over a migrated SQLite store: events in, announcements and boards out,
each event applied once."""

from __future__ import annotations

import datetime as dt
import itertools
from array import array
from pathlib import Path

import pytest
from sqlalchemy import func, select

from antre import db
from antre.hall.model import Hall
from antre.problems import NotFound
from antre.speech import CHIME, PAUSE, tokens
from services.display import handlers
from services.display.adapters import espeak, voicepack
from services.display.adapters.tables import announcements, board_tickets
from services.display.domain.announcements import Kind, estimate_duration
from services.display.domain.board import CounterStatus
from tests.unit.display import display_factories as f
from tests.unit.display.display_factories import T0, Clock


def s(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deps(tmp_path: Path, kendari: Hall, clock: Clock) -> handlers.Deps:
    return f.display_deps(tmp_path, kendari, clock)


def feed(deps: handlers.Deps, *envelopes: f.Envelope) -> None:
    handlers.on_hall_events(deps, list(envelopes))


def count_rows(deps: handlers.Deps) -> int:
    with db.read(deps.uow.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(announcements)).scalar_one())


def sample(deps: handlers.Deps, name: str, **labels: str) -> float:
    for metric in (deps.metrics.announcements, deps.metrics.delay):
        for family in metric.collect():
            for found in family.samples:
                if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                    return found.value
    return 0.0


def test_a_call_is_announced_once_even_when_delivered_twice(deps: handlers.Deps, kendari: Hall) -> None:
    call = f.called(kendari, "t1", "A-012", "ktp-el", 3, T0)
    feed(deps, call)
    feed(deps, call)  # JetStream redelivers after a lost ack
    feed(deps, call, call)  # or twice in one batch
    assert count_rows(deps) == 1
    [entry] = handlers.announcements_after(deps, "lantai-1-a", 0, 10)
    assert entry.text == "Nomor antrean A nol satu dua, silakan menuju loket tiga"
    assert entry.kind == Kind.CALL
    assert entry.zone == "lantai-1-a"
    assert entry.starts_at == T0
    assert sample(deps, "antre_announcements_total", zone="lantai-1-a", kind="call") == 1.0


def test_a_burst_in_one_zone_is_queued_without_overlap(deps: handlers.Deps, kendari: Hall) -> None:
    deps.hall = f.ungrouped(kendari)  # one announcement per call (grouping: handlers/test_voice.py)
    feed(deps, *[f.called(kendari, f"t{n}", f"A-{n:03d}", "ktp-el", n, T0) for n in range(1, 7)])
    feed(deps, f.called(kendari, "m1", "M-001", "pkb-tahunan", 13, T0))
    log = handlers.announcements_after(deps, "lantai-1-a", 0, 100)
    gap = s(kendari.announcement_gap_seconds)
    assert [a.counter for a in log] == [1, 2, 3, 4, 5, 6]
    for a, b in itertools.pairwise(log):
        assert b.starts_at >= a.ends_at + gap
    [other] = handlers.announcements_after(deps, "lantai-2", 0, 100)
    assert other.starts_at == T0  # another zone's voice does not wait
    assert sample(deps, "antre_announcement_delay_seconds_count", zone="lantai-1-a") == 6.0


def test_a_recall_is_one_more_announcement(deps: handlers.Deps, kendari: Hall, clock: Clock) -> None:
    feed(deps, f.called(kendari, "t1", "A-012", "ktp-el", 3, T0))
    recall = f.recalled(kendari, "t1", "A-012", "ktp-el", 3, T0 + s(40))
    feed(deps, recall, recall)
    log = handlers.announcements_after(deps, "lantai-1-a", 0, 10)
    assert [a.kind for a in log] == [Kind.CALL, Kind.RECALL]
    clock.now = T0 + s(40)
    view = handlers.board(deps, "lantai-1-a")
    assert view.board.now_calling[0].recalls == 1
    assert [a.number for a in view.board.recent] == ["A-012"]  # the recent list keeps calls only


def test_the_board_follows_a_ticket_through_its_life(
    deps: handlers.Deps, kendari: Hall, clock: Clock
) -> None:
    feed(deps, *[f.issued(kendari, f"t{n}", f"A-{n:03d}", "ktp-el", T0) for n in range(1, 4)])
    feed(deps, f.issued(kendari, "b1", "B-001", "kartu-keluarga", T0))
    waiting = _waiting(deps, "lantai-1-a")
    assert waiting == {
        "ktp-el": 3,
        "kartu-keluarga": 1,
        "akta-kelahiran": 0,
        "akta-kematian": 0,
        "pindah-datang": 0,
    }

    feed(deps, f.called(kendari, "t1", "A-001", "ktp-el", 1, T0 + s(10)))
    view = handlers.board(deps, "lantai-1-a").board
    assert [(c.counter, c.number, c.serving) for c in view.now_calling] == [(1, "A-001", False)]
    assert _waiting(deps, "lantai-1-a")["ktp-el"] == 2

    feed(deps, f.serving(kendari, "t1", "A-001", "ktp-el", 1, T0 + s(30)))
    assert handlers.board(deps, "lantai-1-a").board.now_calling[0].serving

    feed(deps, f.completed(kendari, "t1", "A-001", "ktp-el", 1, T0 + s(600)))
    assert handlers.board(deps, "lantai-1-a").board.now_calling == ()

    feed(deps, f.cancelled(kendari, "t2", "A-002", "ktp-el", T0 + s(601)))
    assert _waiting(deps, "lantai-1-a")["ktp-el"] == 1


def test_skip_and_transfer_clear_the_counter(deps: handlers.Deps, kendari: Hall) -> None:
    feed(deps, f.issued(kendari, "t1", "A-001", "ktp-el", T0), f.issued(kendari, "t2", "A-002", "ktp-el", T0))
    feed(deps, f.called(kendari, "t1", "A-001", "ktp-el", 1, T0 + s(1)))
    feed(deps, f.called(kendari, "t2", "A-002", "ktp-el", 2, T0 + s(2)))
    feed(deps, f.skipped(kendari, "t1", "A-001", "ktp-el", 1, T0 + s(100)))
    # A-002 goes on to the licensing office upstairs: it waits there now, under its own number.
    feed(deps, f.transferred(kendari, "t2", "A-002", "ktp-el", "perizinan-berusaha", 2, T0 + s(200)))
    assert handlers.board(deps, "lantai-1-a").board.now_calling == ()
    assert _waiting(deps, "lantai-1-a")["ktp-el"] == 0
    assert _waiting(deps, "lantai-1-b")["perizinan-berusaha"] == 1


def test_counters_closing_and_pausing(deps: handlers.Deps, kendari: Hall) -> None:
    feed(
        deps,
        f.counter_event(kendari, "opened", 3, T0),
        f.called(kendari, "t1", "B-001", "kartu-keluarga", 3, T0),
    )
    feed(deps, f.counter_event(kendari, "paused", 4, T0 + s(5)))
    view = handlers.board(deps, "lantai-1-a").board
    assert [(c.number, c.status) for c in view.counters] == [
        (3, CounterStatus.OPEN),
        (4, CounterStatus.PAUSED),
    ]
    feed(deps, f.counter_event(kendari, "closed", 3, T0 + s(900)))
    view = handlers.board(deps, "lantai-1-a").board
    assert view.now_calling == ()
    assert view.counters[0].status == CounterStatus.CLOSED
    feed(deps, f.counter_event(kendari, "opened", 3, T0 + s(10)))  # a late report changes nothing
    assert handlers.board(deps, "lantai-1-a").board.counters[0].status == CounterStatus.CLOSED


def test_a_late_issue_does_not_put_a_called_ticket_back_in_line(deps: handlers.Deps, kendari: Hall) -> None:
    feed(deps, f.called(kendari, "t1", "A-001", "ktp-el", 1, T0 + s(10)))
    feed(deps, f.issued(kendari, "t1", "A-001", "ktp-el", T0))
    assert _waiting(deps, "lantai-1-a")["ktp-el"] == 0
    feed(deps, f.completed(kendari, "t1", "A-001", "ktp-el", 1, T0 + s(20)))
    feed(deps, f.called(kendari, "t1", "A-001", "ktp-el", 1, T0 + s(15)))  # delivered out of order
    # A call older than the completion does not show as "now calling", but it happened, so it is
    # in the hall's announcement log (calls have their own consumer and may trail completions).
    assert handlers.board(deps, "lantai-1-a").board.now_calling == ()
    assert count_rows(deps) == 2


def test_a_call_stamped_before_its_issue_is_still_announced(deps: handlers.Deps, kendari: Hall) -> None:
    # Ticketing's clock is two seconds ahead of the counters'.
    feed(deps, f.issued(kendari, "t1", "A-001", "ktp-el", T0 + s(2)))
    feed(deps, f.called(kendari, "t1", "A-001", "ktp-el", 1, T0 + s(1)))
    assert count_rows(deps) == 1
    assert handlers.board(deps, "lantai-1-a").board.now_calling[0].number == "A-001"
    assert _waiting(deps, "lantai-1-a")["ktp-el"] == 0


def test_boards_hear_of_a_call_after_it_committed(deps: handlers.Deps, kendari: Hall) -> None:
    feed(deps, f.called(kendari, "t1", "A-012", "ktp-el", 3, T0))
    sent = deps.live.sent  # type: ignore[attr-defined]
    assert [(t, kind) for t, (kind, _) in sent] == [
        ("zone:lantai-1-a", "announcement"),
        ("zone:lantai-1-a", "board"),
    ]
    assert sent[0][1][1].seq == 1


def test_an_issue_refreshes_only_the_zones_that_serve_it(deps: handlers.Deps, kendari: Hall) -> None:
    feed(deps, f.issued(kendari, "p1", "P-001", "skck", T0))
    assert deps.live.sent == [("zone:lantai-2", ("board", None))]  # type: ignore[attr-defined]


def test_a_backlog_replayed_after_an_outage_is_stale(
    deps: handlers.Deps, kendari: Hall, clock: Clock
) -> None:
    clock.now = T0 + s(600)  # the display was down for ten minutes
    feed(
        deps,
        f.called(kendari, "t1", "A-001", "ktp-el", 1, T0),
        f.called(kendari, "t2", "A-002", "ktp-el", 2, T0),
    )
    log = handlers.announcements_after(deps, "lantai-1-a", 0, 10)
    assert all(a.is_stale(clock.now, s(30)) for a in log)
    assert handlers.board(deps, "lantai-1-a").upcoming == ()


def test_upcoming_announcements_and_the_last_seq(deps: handlers.Deps, kendari: Hall, clock: Clock) -> None:
    feed(deps, *[f.called(kendari, f"t{n}", f"A-{n:03d}", "ktp-el", n, T0) for n in range(1, 4)])
    clock.now = T0 + s(1)
    view = handlers.board(deps, "lantai-1-a")
    assert view.last_seq == 3
    assert [a.seq for a in view.upcoming] == [2, 3]  # the first has begun
    assert [a.seq for a in handlers.announcements_after(deps, "lantai-1-a", 1, 10)] == [2, 3]
    assert [a.seq for a in handlers.announcements_after(deps, "lantai-1-a", 0, 2)] == [2, 3]  # the newest
    # A speaker page that just loaded also gets the ones begun less than the stale age ago: it
    # may have missed them while it loaded (it skips those it played, by seq).
    assert [a.seq for a in handlers.board(deps, "lantai-1-a", s(30)).upcoming] == [1, 2, 3]
    clock.now = T0 + s(60)
    assert handlers.board(deps, "lantai-1-a", s(30)).upcoming == ()


def test_with_a_voice_pack_a_call_lasts_as_long_as_its_clips(
    deps: handlers.Deps, kendari: Hall, tmp_path: Path
) -> None:
    for token in {*tokens("A-012", 3), *tokens("A-013", 5)} - {PAUSE}:
        name = "chime.wav" if token == CHIME else f"id/{token}.wav"
        (tmp_path / "voice" / name).parent.mkdir(parents=True, exist_ok=True)
        espeak.write_wav(tmp_path / "voice" / name, array("h", [0] * 800), 8000)  # 0.1 s each
    deps.voice = voicepack.load(tmp_path / "voice")
    assert deps.voice is not None
    feed(deps, f.called(kendari, "t1", "A-012", "ktp-el", 3, T0))
    (tmp_path / "voice" / "id" / "lima.wav").unlink()
    deps.voice = voicepack.load(tmp_path / "voice")
    feed(deps, f.called(kendari, "t2", "A-013", "ktp-el", 5, T0))
    first, second = handlers.announcements_after(deps, "lantai-1-a", 0, 10)
    assert first.duration == s(11 * 0.1 + voicepack.PAUSE_SECONDS)  # chime, 10 words, a comma
    assert second.duration == estimate_duration(second.text)  # a clip is missing: the speech engine
    assert second.starts_at == first.ends_at + s(kendari.announcement_gap_seconds)


def test_an_unknown_zone_is_not_found(deps: handlers.Deps) -> None:
    with pytest.raises(NotFound):
        handlers.board(deps, "atap")
    with pytest.raises(NotFound):
        handlers.announcements_after(deps, "atap", 0, 10)


def test_a_number_no_voice_can_read_is_shown_but_not_said(deps: handlers.Deps, kendari: Hall) -> None:
    feed(deps, f.called(kendari, "t1", "A-0?1", "ktp-el", 3, T0))
    assert count_rows(deps) == 0
    assert handlers.board(deps, "lantai-1-a").board.now_calling[0].number == "A-0?1"


def test_old_days_are_pruned(deps: handlers.Deps, kendari: Hall, clock: Clock) -> None:
    feed(deps, f.issued(kendari, "old", "A-001", "ktp-el", T0 - s(3 * 86400), day="2026-02-27"))
    feed(deps, f.issued(kendari, "new", "A-001", "ktp-el", T0))
    assert handlers.prune(deps) == 1
    with db.read(deps.uow.engine) as conn:
        assert [r.ticket_id for r in conn.execute(select(board_tickets))] == ["new"]


def _waiting(deps: handlers.Deps, zone: str) -> dict[str, int]:
    return {service.code: count for service, count in handlers.board(deps, zone).board.waiting}


def test_a_burst_of_issued_tickets_counts_each_once(deps: handlers.Deps, kendari: Hall) -> None:
    """A run of issued tickets is written in one go: an event twice in the batch, one already
    applied, and a ticket whose call arrived first (a late report) all count right."""
    first = f.issued(kendari, "t1", "A-001", "ktp-el", T0)
    feed(deps, first)
    feed(deps, f.called(kendari, "t3", "A-003", "ktp-el", 3, T0 + s(2)))  # its issue trails the call
    burst = [f.issued(kendari, f"t{n}", f"A-{n:03d}", "ktp-el", T0 + s(n)) for n in range(2, 7)]
    feed(deps, first, burst[0], burst[0], *burst)
    with db.read(deps.uow.engine) as conn:
        stages = dict(conn.execute(select(board_tickets.c.ticket_id, board_tickets.c.stage)).all())
    assert stages == {
        "t1": "waiting",
        "t2": "waiting",
        "t3": "called",
        "t4": "waiting",
        "t5": "waiting",
        "t6": "waiting",
    }
    view = handlers.board(deps, "lantai-1-a").board
    assert dict((service.code, n) for service, n in view.waiting)["ktp-el"] == 5
