"""Service messages: an officer's words put in the zones they may address, ahead of the waiting
calls there, within a cap per officer and per zone so that calls are still heard."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import replace

from antre.problems import Forbidden, Invalid, TooMany
from antre.uow import Transaction
from services.display.adapters import repository as repo
from services.display.domain.announcements import Caller, Kind, Segment
from services.display.domain.arbiter import LOCK, plan_message
from services.display.domain.board import resolve_zone
from services.display.handlers.deps import Deps, VoiceDeps
from services.display.handlers.voice import Decision, moved_id, policy, told, write

MAX_TEXT = 300  # characters of a free-text message: about 30 seconds of speech


def post_message(
    deps: Deps,
    caller: Caller,
    zones: Sequence[str],
    code: str | None,
    text: str | None,
    counter: int | None,
) -> list[Decision]:
    """A service message ahead of the waiting calls of its zones (see :func:`_post_message`)."""
    with deps.uow.begin() as tx:
        decisions = _post_message(deps, tx, caller, zones, code, text, counter, str(uuid.uuid4()))
    told(deps, decisions)
    return decisions


def _post_message(
    deps: VoiceDeps,
    tx: Transaction,
    caller: Caller,
    zones: Sequence[str],
    code: str | None,
    text: str | None,
    counter: int | None,
    message_id: str,
) -> list[Decision]:
    """A service message in each of ``zones`` (all the caller may address when empty), ahead of
    their waiting calls. Refused, changing nothing, when anything is wrong."""
    allowed = caller_zones(deps, caller)
    targets = sorted(set(zones)) if zones else sorted(allowed)
    for zone in targets:
        resolve_zone(deps.hall, zone)
        if zone not in allowed:
            raise Forbidden(
                "zone_not_yours",
                f"Anda tidak boleh mengumumkan di zona '{zone}'",
                f"You may not announce in zone '{zone}'",
            )
    if not targets:
        raise Forbidden("no_zone", "Tidak ada zona untuk Anda", "There is no zone you may address")
    said, segments, length = _message_words(deps, code, text, counter)
    decisions = []
    for zone in targets:  # in one order everywhere: two posts never wait on each other's zones
        last_end = repo.lock_zone(tx.conn, zone)  # counted under the zone's lock: no race past it
        _within_cap(deps, tx, caller, zone)
        plan = plan_message(
            zone=zone,
            text=said,
            segments=segments,
            duration=length,
            waiting=repo.waiting_entries(tx.conn, zone, tx.now + LOCK),
            last_end=last_end,
            now=tx.now,
            policy=policy(deps),
        )
        mine = replace(plan.entries[0], posted_by=caller.username)
        plan = replace(plan, entries=(mine, *plan.entries[1:]))
        entries = write(deps, tx, zone, plan, moved_id(message_id, zone))
        decisions.append(Decision(zone, entries, Kind.MESSAGE, delay=entries[0].starts_at - tx.now))
    return decisions


def _within_cap(deps: VoiceDeps, tx: Transaction, caller: Caller, zone: str) -> None:
    """Refuse a message past the cap (the whole post: the transaction writes nothing)."""
    cap = deps.message_cap
    since = tx.now - cap.window
    minutes = round(cap.window.total_seconds() / 60)
    if repo.recent_messages(tx.conn, zone, since, caller.username) >= cap.per_officer:
        raise TooMany(
            "too_many_messages",
            f"Anda sudah mengirim {cap.per_officer} pengumuman ke zona '{zone}' dalam {minutes} menit; "
            "tunggu sebentar agar panggilan tetap terdengar",
            f"You already posted {cap.per_officer} messages to zone '{zone}' within {minutes} minutes; "
            "wait a little so that calls are still heard",
        )
    if repo.recent_messages(tx.conn, zone, since) >= cap.per_zone:
        raise TooMany(
            "too_many_messages",
            f"Zona '{zone}' sudah menerima {cap.per_zone} pengumuman dalam {minutes} menit; coba lagi nanti",
            f"Zone '{zone}' already got {cap.per_zone} messages within {minutes} minutes; try again later",
        )


def caller_zones(deps: VoiceDeps, caller: Caller) -> set[str]:
    """The zones an officer may speak to: every zone for the hall's admin, else the zones where
    the officer's agency has a desk or a counter."""
    hall = deps.hall
    if not caller.agency:
        return {z.code for z in hall.zones}
    services = {s.code for s in hall.services if s.agency == caller.agency}
    zones = {c.zone for c in hall.counters if services & set(c.services)}
    agency = hall.agency(caller.agency)
    if agency is not None and agency.zone:
        zones.add(agency.zone)
    return zones


def _message_words(
    deps: VoiceDeps, code: str | None, text: str | None, counter: int | None
) -> tuple[str, tuple[Segment, ...], dt.timedelta]:
    if (code is None) == (text is None):
        raise Invalid(
            "template_or_text",
            "Isi salah satu: template atau text",
            "Give exactly one of: template or text",
        )
    if counter is not None and deps.hall.counter(counter) is None:
        raise Invalid("unknown_counter", f"Loket {counter} tidak dikenal", f"Unknown counter {counter}")
    if text is not None:
        cleaned = " ".join(text.split())
        if not cleaned or len(cleaned) > MAX_TEXT or not cleaned.isprintable():
            raise Invalid(
                "bad_text",
                f"Teks pengumuman harus 1-{MAX_TEXT} karakter yang dapat dibaca",
                f"The message must be 1-{MAX_TEXT} readable characters",
            )
    try:
        return deps.wording().message(code, text, counter)
    except KeyError:
        known = ", ".join(m.code for m in deps.hall.announcements.messages)
        raise Invalid(
            "unknown_template",
            f"Template pesan '{code}' tidak dikenal (yang ada: {known})",
            f"Unknown message template '{code}' (known: {known})",
        ) from None
    except ValueError:
        raise Invalid(
            "counter_needed",
            f"Template '{code}' memerlukan nomor loket (counter)",
            f"Template '{code}' needs a counter number",
        ) from None
