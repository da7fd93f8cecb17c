"""The booking API's limits, counted in the database (table ``rate_windows``) so that every
replica shares them: requests per minute per client, API key and phone, and wrong NIKs (or
unknown codes) per hour per client. Old windows are deleted as new ones are written, and by a
periodic job (:func:`forget_old_windows`) when none are. The lock of one booking code after wrong
NIKs is the booking's own (:func:`citizen_bookings.check_not_locked`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antre.problems import TooMany
from services.ticketing.adapters import bookings as store
from services.ticketing.domain import citizen_bookings
from services.ticketing.handlers.deps import Deps


@dataclass(frozen=True)
class Limits:
    """Requests per minute. A phone books for one family, a client is one browser or app.

    Wrong NIKs (with a booking code that exists or not) are limited apart: per code for the
    booking's life (:data:`citizen_bookings.NIK_FAILURES_LOCK`) and per client per hour, so that
    one address cannot walk through many codes a few guesses each."""

    per_phone: int = 5
    per_client: int = 30
    per_api_key: int = 600
    wrong_niks_per_code: int = citizen_bookings.NIK_FAILURES_LOCK
    wrong_niks_per_client_hour: int = 10
    wrong_niks_per_api_key_hour: int = 100  # a help desk types for many citizens a day


def _guess_window(now: dt.datetime) -> dt.datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def check_guesses(deps: Deps, client: str, channel: str, limits: Limits) -> None:
    """Refuse a client that gave too many wrong NIKs or unknown codes this hour (a key, which
    types for many citizens, has more), before it is told anything about a code or a NIK."""
    per_hour = limits.wrong_niks_per_client_hour
    if channel != "online":
        per_hour = limits.wrong_niks_per_api_key_hour
    now = deps.uow.clock()
    with deps.uow.read() as conn:
        wrong = store.hits_so_far(conn, f"wrong-nik:{client}", _guess_window(now))
    if wrong >= per_hour:
        raise TooMany(
            "too_many_wrong_niks",
            "Terlalu banyak kode reservasi atau NIK yang salah; silakan coba lagi dalam satu jam",
            "Too many wrong booking codes or NIKs; please try again within the hour",
            retry_after=int((_guess_window(now) + dt.timedelta(hours=1) - now).total_seconds()),
        )


def count_guess(deps: Deps, client: str) -> None:
    with deps.uow.begin() as tx:
        store.hit(tx.conn, f"wrong-nik:{client}", _guess_window(tx.now))


# Windows are a minute (requests) or an hour (wrong NIKs): any older than this are over.
WINDOWS_KEPT = dt.timedelta(hours=2)
FORGET_EVERY_SECONDS = 300.0  # the periodic job; on write, old windows also go once a minute


def forget_old_windows(deps: Deps) -> int:
    """Delete the windows that are over; the number deleted. Pruning on write alone leaves a
    burst's windows (a flood from many addresses) in the table until the next booking, and
    wrong-NIK counts (:func:`count_guess`) never prune: this job bounds the table whatever
    the traffic. Indexed by window, so a delete that finds nothing costs one index probe."""
    with deps.uow.begin() as tx:
        return store.forget_windows(tx.conn, tx.now.replace(second=0, microsecond=0) - WINDOWS_KEPT)


_PRUNED = "\x00pruned"  # in deps.throttled: the minute this replica last deleted old windows


def limit(deps: Deps, key: str, per_minute: int) -> None:
    """Counted in the database (shared by every replica) in its own small transaction, so that a
    refused booking still counts. Once a key is over its limit, this replica refuses it for the
    rest of the minute without asking the database: a flood costs as little as possible."""
    now = deps.uow.clock()
    window = now.replace(second=0, microsecond=0)
    if deps.throttled.get(key) != window:
        with deps.uow.begin() as tx:
            hits = store.hit(tx.conn, key, window)
            if deps.throttled.get(_PRUNED) != window:  # once a minute per replica, on write
                store.forget_windows(tx.conn, window - WINDOWS_KEPT)
                deps.throttled[_PRUNED] = window
        if hits <= per_minute:
            return
        if len(deps.throttled) > 10_000:  # keys of past minutes
            deps.throttled.clear()
        deps.throttled[key] = window
    raise TooMany(
        "too_many_requests",
        "Terlalu banyak permintaan; silakan coba lagi dalam satu menit",
        "Too many requests; please try again in a minute",
        retry_after=60 - now.second,
    )
