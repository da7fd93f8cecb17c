"""One-time codes: sending one to a phone or email for a purpose, and checking an answer.

Ticketing asks for a code before an online booking takes a place (it forwards the citizen's
request and names its client) and checks the answer the booking carries. The code goes out as a
citizen's message through the hall's channels; in a demo hall with none, through the demo channel,
whose messages the demo page shows (:mod:`services.notify.entrypoints.demo_http`).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Connection

from antre.problems import Invalid, NotFound, TooMany, Unavailable
from services.notify.adapters import phone_codes as store
from services.notify.adapters import repository as repo
from services.notify.adapters.channels.base import CitizenMessage
from services.notify.domain import citizens
from services.notify.domain import phone_codes as domain
from services.notify.domain.deliveries import new_delivery
from services.notify.handlers.deps import Deps

DEMO = "demo"


def send_code(deps: Deps, purpose: str, address: str, client: str, language: str = "id") -> str:
    """Send a code; returns its id (the code itself only ever goes to the address)."""
    if purpose not in domain.PURPOSES:
        raise Invalid("unknown_purpose", "Keperluan kode tidak dikenal", "Unknown purpose of the code")
    normal = _normal(address)
    channel = channel_for(deps, normal)
    code = domain.new_code(secrets.token_bytes(8))
    with deps.uow.begin() as tx:
        limit = domain.too_many(
            store.sent_since(tx.conn, tx.now - domain.ADDRESS_WINDOW, address=normal),
            store.sent_since(tx.conn, tx.now - domain.CLIENT_WINDOW, client=client[:64]),
        )
        if limit:
            raise _too_many(limit)
        made = domain.issued(
            code_id=deps.new_id(),
            purpose=purpose,
            address=normal,
            client=client[:64],
            salt=secrets.token_hex(8),
            code=code,
            now=tx.now,
        )
        store.add(tx.conn, made)
        language = citizens.language(language)
        content = CitizenMessage(
            text=domain.text(code, language),
            subject="Kode Antre Anda" if language == "id" else "Your Antre code",
            language=language,
        )
        repo.add(
            tx.conn,
            new_delivery(
                delivery_id=deps.new_id(),
                event_id=made.id,
                event=domain.EVENT,
                url=f"{channel}:code:{made.id}",
                subject=domain.EVENT,
                payload=content.encode(),
                now=tx.now,
                channel=channel,
            ),
        )
    deps.metrics.phone_codes.labels("sent").inc()
    return made.id


def check_code(deps: Deps, code_id: str, given: str, purpose: str, address: str) -> domain.Answer:
    """Check an answer to a code, counting a wrong one (see :func:`domain.answer`)."""
    normal = citizens.normalise_email(address) if "@" in address else citizens.normalise_phone(address)
    with deps.uow.begin() as tx:
        found = store.get(tx.conn, code_id[:32], lock=True)
        if found is None:
            raise NotFound(
                "unknown_phone_code", "Kode verifikasi tidak ditemukan", "Unknown verification code"
            )
        result = domain.answer(found, given[:16], purpose, normal, tx.now)
        if result.code != found:
            store.save(tx.conn, result.code)
    deps.metrics.phone_codes.labels("matched" if result.matched else "refused").inc()
    return result


def address_of(conn: Connection, code_id: str, now: dt.datetime) -> str:
    """Where a code's message goes: "" once the code is no use (answered, dead, expired)."""
    found = store.get(conn, code_id)
    return found.address if found is not None and domain.usable(found, now) else ""


def purge_codes(deps: Deps) -> int:
    with deps.uow.begin() as tx:
        return store.purge(tx.conn, tx.now - domain.KEEP)


def channel_for(deps: Deps, address: str) -> str:
    """The channel rule of citizens' messages, and the demo channel in a demo hall without one."""
    configured = deps.citizens.channels
    wanted = (citizens.EMAIL,) if "@" in address else citizens.PHONE_CHANNELS
    found = next((c for c in wanted if c in configured), "")
    if found:
        return found
    if deps.citizens.demo:
        return DEMO
    raise Unavailable(
        "no_channel_for_codes",
        "Aula ini belum dapat mengirim kode verifikasi ke alamat ini",
        "This hall cannot send verification codes to this address yet",
    )


def _normal(address: str) -> str:
    if "@" in address:
        normal = citizens.normalise_email(address)
        if not normal:
            raise Invalid("invalid_email", "Alamat email tidak valid", "Invalid email address", field="email")
        return normal
    normal = citizens.normalise_phone(address)
    if not normal:
        raise Invalid("invalid_phone", "Nomor telepon tidak valid", "Invalid phone number", field="phone")
    return normal


def _too_many(limit: str) -> TooMany:
    if limit == "address":
        return TooMany(
            "too_many_codes",
            "Terlalu banyak kode dikirim ke alamat ini; coba lagi dalam 15 menit",
            "Too many codes sent to this address; try again in 15 minutes",
            retry_after=int(domain.ADDRESS_WINDOW.total_seconds()),
        )
    return TooMany(
        "too_many_codes",
        "Terlalu banyak permintaan kode dari perangkat ini; coba lagi nanti",
        "Too many code requests from this device; try again later",
        retry_after=int(domain.CLIENT_WINDOW.total_seconds()),
    )
