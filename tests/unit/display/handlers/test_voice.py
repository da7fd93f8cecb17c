"""The arbiter's decisions in the display's store: grouped bursts, service messages ahead of calls,
boards' reports, and every decision as an event in the outbox, written with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from google.protobuf.message import Message
from sqlalchemy import select

from antre import db
from antre.audit import HALL_WIDE
from antre.events import decode, subject_for
from antre.hall.model import Hall
from antre.problems import Conflict, Forbidden, Invalid, NotFound, TooMany
from antre.v1 import events_pb2 as pb
from services.display import handlers
from services.display.adapters.tables import outbox
from services.display.domain.announcements import Announcement, Caller, Kind
from services.display.handlers import MessageCap
from tests.unit.display import display_factories as f
from tests.unit.display.display_factories import T0, Clock

ZONE = "lantai-1-a"
ADMIN = Caller("admin", "")


def s(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deps(tmp_path: Path, kendari: Hall, clock: Clock) -> handlers.Deps:
    return f.display_deps(tmp_path, kendari, clock)


def burst(deps: handlers.Deps, hall: Hall, count: int, at: dt.datetime = T0) -> None:
    calls = [f.called(hall, f"t{n}", f"A-{n:03d}", "ktp-el", n % 6 + 1, at) for n in range(1, count + 1)]
    handlers.on_hall_events(deps, calls)


def events(deps: handlers.Deps) -> list[tuple[str, Message]]:
    with db.read(deps.uow.engine) as conn:
        rows = conn.execute(select(outbox).order_by(outbox.c.seq)).all()
    return [(r.subject, decode(r.event_type, r.payload)) for r in rows]


def of(deps: handlers.Deps, kind: type[Message]) -> list[Message]:
    return [m for _, m in events(deps) if isinstance(m, kind)]


def standing(deps: handlers.Deps, zone: str = ZONE) -> list[Announcement]:
    return handlers.announcements_after(deps, zone, 0, 1000)


def test_a_burst_is_grouped_and_every_call_said_once_in_order(deps: handlers.Deps, kendari: Hall) -> None:
    burst(deps, kendari, 9)
    log = standing(deps)
    # 5.5 s a call and a 1 s gap: the fourth call would start at 19.5 s, past the 15 s lag, so it
    # joins the third (still waiting), and so does the fifth; and again from the sixth.
    assert [len(a.calls) for a in log] == [1, 1, 3, 3, 1]
    assert [p.number for a in log for p in a.calls] == [f"A-{n:03d}" for n in range(1, 10)]
    assert [a.kind for a in log] == [Kind.CALL, Kind.CALL, Kind.GROUP, Kind.GROUP, Kind.CALL]
    assert log[2].text.count("antrean") == 3 and log[2].text.count(";") == 2
    assert log[2].tokens.count("_chime") == 1
    grouped = of(deps, pb.AnnouncementGrouped)
    assert len(grouped) == 4  # calls 4, 5, 7 and 8 joined a waiting entry
    assert all(g.lag_seconds > kendari.announcements.group_lag_seconds for g in grouped)  # type: ignore[attr-defined]
    assert f.sample(deps.metrics.grouped, "antre_announcements_grouped_total", zone=ZONE) == 4.0
    # Every entry appended was told, and the replaced ones are read no more.
    scheduled = of(deps, pb.AnnouncementScheduled)
    assert len(scheduled) == 9
    assert {m.announcement.seq for m in scheduled} >= {a.seq for a in log}  # type: ignore[attr-defined]
    assert handlers.last_seq(deps, ZONE) == log[-1].seq


def test_events_go_on_the_hall_stream_under_the_calls_agency(deps: handlers.Deps, kendari: Hall) -> None:
    burst(deps, kendari, 1)
    [(subject, message)] = events(deps)
    assert subject == f"antre.{kendari.id}.dukcapil.announcement.scheduled"
    assert isinstance(message, pb.AnnouncementScheduled)
    assert message.announcement.zone == ZONE and message.announcement.kind == pb.ANNOUNCEMENT_KIND_CALL
    assert [c.number for c in message.calls] == ["A-001"]
    assert list(message.languages) == ["id"]
    assert message.duration_seconds == pytest.approx(5.5)


def test_a_redelivered_call_decides_nothing_twice(deps: handlers.Deps, kendari: Hall) -> None:
    call = f.called(kendari, "t1", "A-001", "ktp-el", 1, T0)
    handlers.on_hall_events(deps, [call, call])
    handlers.on_hall_events(deps, [call])
    assert len(events(deps)) == 1


def test_a_backlog_after_an_outage_is_told_stale(deps: handlers.Deps, kendari: Hall, clock: Clock) -> None:
    clock.now = T0 + s(600)
    burst(deps, kendari, 2)
    stale = of(deps, pb.AnnouncementStale)
    assert [m.reason for m in stale] == ["late", "late"]  # type: ignore[attr-defined]
    assert not of(deps, pb.AnnouncementGrouped)  # a slot in the past is never grouped


def test_english_second_when_the_hall_speaks_it(deps: handlers.Deps, kendari: Hall) -> None:
    deps.hall = replace(kendari, announcements=replace(kendari.announcements, languages=("id", "en")))
    burst(deps, deps.hall, 1)
    [entry] = standing(deps)
    assert [(seg.lang, seg.text) for seg in entry.spoken] == [
        ("id", "Nomor antrean A nol nol satu, silakan menuju loket dua"),
        ("en", "Number A zero zero one, please go to counter two"),
    ]
    [scheduled] = of(deps, pb.AnnouncementScheduled)
    assert list(scheduled.languages) == ["id", "en"]  # type: ignore[attr-defined]


def test_the_agency_name_when_the_template_asks_for_it(deps: handlers.Deps, kendari: Hall) -> None:
    template = "Nomor antrean {ticket}, {agency}, silakan menuju loket {counter}"
    deps.hall = replace(kendari, announcements=replace(kendari.announcements, template_id=template))
    burst(deps, deps.hall, 1)
    assert standing(deps)[0].text == (
        "Nomor antrean A nol nol satu, Dinas Kependudukan dan Pencatatan Sipil, silakan menuju loket dua"
    )


def test_a_message_goes_ahead_of_the_waiting_calls(deps: handlers.Deps, kendari: Hall, clock: Clock) -> None:
    deps.hall = f.ungrouped(kendari)
    burst(deps, deps.hall, 4)
    clock.now = T0 + s(1)  # the first call is being said
    [decision] = handlers.post_message(deps, Caller("rina", "dukcapil"), [ZONE], "break", None, 3)
    log = standing(deps)
    assert [a.kind for a in log] == [Kind.CALL, Kind.MESSAGE, Kind.CALL, Kind.CALL, Kind.CALL]
    assert log[1].text == "Loket tiga istirahat sebentar"
    assert log[1].starts_at == log[0].ends_at + s(kendari.announcement_gap_seconds)
    assert [p.number for a in log for p in a.calls] == ["A-001", "A-002", "A-003", "A-004"]
    assert decision.entries[0] == log[1]
    subjects = [subject for subject, m in events(deps) if isinstance(m, pb.AnnouncementScheduled)]
    assert subjects[4] == f"antre.{kendari.id}.{HALL_WIDE}.announcement.scheduled"
    assert len(subjects) == 4 + 1 + 3  # the message, and the three calls it moved back


def test_a_message_to_every_zone_the_admin_may_address(deps: handlers.Deps, kendari: Hall) -> None:
    decisions = handlers.post_message(deps, ADMIN, [], None, "Mohon perhatian, aula tutup pukul empat", None)
    assert sorted(d.zone for d in decisions) == sorted(z.code for z in kendari.zones)
    assert all(d.entries[0].kind == Kind.MESSAGE for d in decisions)


def test_an_officer_speaks_only_to_their_agencys_zones(deps: handlers.Deps) -> None:
    with pytest.raises(Forbidden) as refused:
        handlers.post_message(deps, Caller("rina", "dukcapil"), ["lantai-2"], "break", None, 3)
    assert refused.value.message.startswith("Anda tidak boleh")
    assert standing(deps, "lantai-2") == [] and events(deps) == []


@pytest.mark.parametrize(
    ("zones", "code", "text", "counter", "problem"),
    [
        ([ZONE], "break", "also text", 3, Invalid),
        ([ZONE], None, None, None, Invalid),
        ([ZONE], "nap", None, 3, Invalid),
        ([ZONE], "break", None, None, Invalid),
        ([ZONE], "break", None, 99, Invalid),
        ([ZONE], None, "x" * 301, None, Invalid),
        ([ZONE], None, "   ", None, Invalid),
        (["atap"], "break", None, 3, NotFound),
    ],
)
def test_bad_messages_are_refused_and_change_nothing(
    deps: handlers.Deps,
    zones: list[str],
    code: str | None,
    text: str | None,
    counter: int | None,
    problem: type[Exception],
) -> None:
    with pytest.raises(problem) as refused:
        handlers.post_message(deps, ADMIN, zones, code, text, counter)
    assert refused.value.message and refused.value.message_en  # type: ignore[attr-defined]
    assert standing(deps) == [] and events(deps) == []


def test_a_boards_first_report_counts(deps: handlers.Deps, kendari: Hall, clock: Clock) -> None:
    burst(deps, kendari, 2)
    first, second = standing(deps)
    clock.now = first.starts_at
    assert handlers.report(deps, ZONE, first.seq, "spoken", "clips", first.starts_at + s(0.05))
    assert not handlers.report(deps, ZONE, first.seq, "spoken", "clips", first.starts_at + s(0.5))
    assert handlers.report(deps, ZONE, second.seq, "stale", "", None)
    [spoken] = of(deps, pb.AnnouncementSpoken)
    assert spoken.via == "clips" and spoken.late_seconds == pytest.approx(0.05)  # type: ignore[attr-defined]
    assert [m.reason for m in of(deps, pb.AnnouncementStale)] == ["board"]  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        handlers.report(deps, ZONE, 999, "spoken", "clips", None)
    with pytest.raises(NotFound):
        handlers.report(deps, "lantai-2", first.seq, "spoken", "clips", None)


def test_a_replaced_entry_is_never_reported_spoken(deps: handlers.Deps, kendari: Hall) -> None:
    burst(deps, kendari, 5)
    replaced = {m.replaces for m in of(deps, pb.AnnouncementGrouped)}  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        handlers.report(deps, ZONE, replaced.pop(), "spoken", "clips", None)


def test_subjects_follow_the_rule_for_every_new_event() -> None:
    meta = pb.EventMeta(hall="kendari", agency=HALL_WIDE)
    for cls, name in (
        (pb.AnnouncementScheduled, "scheduled"),
        (pb.AnnouncementGrouped, "grouped"),
        (pb.AnnouncementSpoken, "spoken"),
        (pb.AnnouncementStale, "stale"),
    ):
        assert subject_for(cls(meta=meta)) == f"antre.kendari.{HALL_WIDE}.announcement.{name}"


def test_the_message_cap_counts_a_window_per_officer_and_zone(deps: handlers.Deps, clock: Clock) -> None:
    deps.message_cap = MessageCap(window=dt.timedelta(minutes=10), per_officer=2, per_zone=3)
    rina, budi = Caller("rina", "dukcapil"), Caller("budi", "dukcapil")
    for n in range(2):
        handlers.post_message(deps, rina, [ZONE], None, f"Mohon perhatian {n}", None)
    with pytest.raises(TooMany) as refused:
        handlers.post_message(deps, rina, [ZONE], None, "Sekali lagi", None)
    assert refused.value.code == "too_many_messages"
    handlers.post_message(deps, budi, [ZONE], None, "Dari petugas lain", None)
    with pytest.raises(TooMany):  # the zone is full, whoever posts
        handlers.post_message(deps, Caller("sari", "dukcapil"), [ZONE], None, "Dari petugas ketiga", None)
    assert len(standing(deps)) == 3
    clock.advance(601)  # the window moved past them
    handlers.post_message(deps, rina, [ZONE], None, "Setelah sepuluh menit", None)
    assert [e.posted_by for e in standing(deps)][-1] == "rina"
