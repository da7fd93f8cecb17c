"""The display's read side: what a zone's board shows, and its announcement log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antre import db
from services.display.adapters import repository as repo
from services.display.domain import board as domain
from services.display.domain import ikm
from services.display.domain.announcements import Announcement
from services.display.domain.board import Board
from services.display.handlers.deps import Deps


@dataclass(frozen=True)
class BoardView:
    board: Board
    last_seq: int
    # Not stale yet: what a board that just (re)loaded may still speak, unless it already did
    # (it remembers the last seq it played).
    upcoming: tuple[Announcement, ...]
    now: dt.datetime
    # The footer's IKM line (Indonesian, English) where the hall shows it (boards.show_ikm).
    ikm: tuple[str, str] | None = None


def board(deps: Deps, zone: str, speakable: dt.timedelta | None = dt.timedelta(0)) -> BoardView:
    """The zone's board; ``upcoming`` holds the announcements that began less than ``speakable``
    ago or have not begun (the stale age: a speaker page reloaded in a burst finds the calls whose
    slot passed while it loaded, and the ones it had played it skips). With ``speakable`` None it
    is left empty: pages already on the stream get announcements as they come, and a backlog of
    hundreds would weigh on every board change."""
    domain.resolve_zone(deps.hall, zone)
    now = deps.uow.clock()
    day = deps.hall.day_of(now)
    with db.read(deps.uow.engine) as conn:
        view = domain.build(
            zone,
            repo.calls(conn).values(),
            repo.latest_calls(conn, zone, deps.recent_calls),
            repo.waiting(conn, day),
            domain.zone_services(deps.hall, zone),
            repo.counters(conn, zone),
        )
        upcoming = tuple(repo.upcoming(conn, zone, now - speakable)) if speakable is not None else ()
        shown = deps.hall.boards.show_ikm
        line = ikm.board_line(repo.month_index(conn, ikm.month_of(day)), day) if shown else None
        return BoardView(view, repo.last_seq(conn, zone), upcoming, now, line)


def announcements_after(deps: Deps, zone: str, after: int, limit: int) -> list[Announcement]:
    domain.resolve_zone(deps.hall, zone)
    with db.read(deps.uow.engine) as conn:
        return repo.announcements_after(conn, zone, after, limit)


def last_seq(deps: Deps, zone: str) -> int:
    """The seq of the zone's newest announcement (0 when it has none)."""
    domain.resolve_zone(deps.hall, zone)
    with db.read(deps.uow.engine) as conn:
        return repo.last_seq(conn, zone)
