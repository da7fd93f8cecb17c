"""A device's silence as a rule of its heartbeats, with no database: the periods that follow from
the limit, never heard from is never silent, a revoked device has nothing to report, and the
event's fields."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from antre import heartbeats
from antre.heartbeats import Status, Timing

NOW = dt.datetime(2026, 3, 11, 2, 42, tzinfo=dt.UTC)


def row(**values: object) -> SimpleNamespace:
    base: dict[str, object] = {"id": "kiosk-1", "kind": "kiosk", "revoked_at": None, "last_seen_at": None}
    return SimpleNamespace(**{**base, "sound": True, **values})


def test_every_period_follows_from_the_limit() -> None:
    default = Timing()
    assert (default.silent_after, default.beat_every, default.write_every, default.watch_every) == (
        90.0,
        30.0,
        20.0,
        10.0,
    )
    short = Timing(3.0)  # a test's: a page still beats three times within the limit
    assert (short.beat_every, short.write_every, short.watch_every) == (1.0, 2 / 3, 0.5)
    long = Timing(600.0)  # a hall that tolerates ten minutes still hears from its pages every 30 s
    assert (long.beat_every, long.watch_every) == (30.0, 10.0)


def test_silent_only_past_the_limit_and_never_before_the_first_heartbeat() -> None:
    assert not heartbeats.is_silent(None, NOW, 90)  # enrolled, not installed yet
    assert not heartbeats.is_silent(NOW - dt.timedelta(seconds=90), NOW, 90)
    assert heartbeats.is_silent(NOW - dt.timedelta(seconds=90.001), NOW, 90)


def test_the_status_of_a_row() -> None:
    seen = NOW - dt.timedelta(minutes=5)
    naive = seen.replace(tzinfo=None)  # as SQLite gives it back
    assert heartbeats.status_of(row(last_seen_at=naive), NOW, 90) == Status(
        "kiosk", "kiosk-1", True, True, seen
    )
    board = row(id="papan-1", kind="board", last_seen_at=NOW, sound=False)
    assert heartbeats.status_of(board, NOW, 90) == Status("board", "papan-1", False, False, NOW)
    gone = row(last_seen_at=seen, revoked_at=NOW)
    assert heartbeats.status_of(gone, NOW, 90) == Status("kiosk", "kiosk-1", False, True, seen, revoked=True)


def test_the_events_fields() -> None:
    fields = heartbeats.fields(Status("board", "papan-1", True, False, NOW))
    assert fields.pop("last_seen").ToDatetime(tzinfo=dt.UTC) == NOW
    assert fields == {"kind": "board", "device": "papan-1", "silent": True, "sound": False, "revoked": False}
    assert "last_seen" not in heartbeats.fields(Status("kiosk", "kiosk-1", False, True, None))
