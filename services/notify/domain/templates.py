"""The words of citizens' messages: built-in texts in Bahasa Indonesia and English, the hall file's
overrides (``messages.templates``), and filling in their placeholders.

A hall overrides per kind and language; an empty text keeps the built-in one. The loader has
already refused unknown placeholders, so rendering only fills in values. Texts are plain and short
enough for an SMS or a chat message, and name nothing personal beyond the booking code and the
ticket number the citizen already holds. Every message ends with the footer saying how to stop.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from antre.hall.model import Hall, Template, Templates
from services.notify.domain.citizens import Contact

BUILT_IN: dict[str, Template] = {
    "confirmation": Template(
        id=(
            "Reservasi {service} di {hall} berhasil. Kode reservasi: {code}. Jadwal: {day}, sesi "
            "{session}. Tunjukkan kode ini di kios atau meja bantuan untuk konfirmasi kedatangan."
        ),
        en=(
            "Your booking for {service} at {hall} is confirmed. Booking code: {code}. When: {day}, "
            "session {session}. Show this code at the kiosk or help desk to check in."
        ),
    ),
    "reminder": Template(
        id=(
            "Pengingat: reservasi {service} di {hall} pada {day}, sesi {session}. Kode reservasi: "
            "{code}. Datanglah sebelum sesi dimulai dan tunjukkan kode ini di kios."
        ),
        en=(
            "Reminder: your booking for {service} at {hall} on {day}, session {session}. Booking "
            "code: {code}. Please come before the session starts and show this code at the kiosk."
        ),
    ),
    "turn_near": Template(
        id=(
            "Giliran Anda hampir tiba: nomor antrean {number} ({service}), {ahead} nomor lagi "
            "sebelum Anda. Mohon menunggu di dekat loket."
        ),
        en=(
            "Your turn is near: queue number {number} ({service}), {ahead} ahead of you. Please wait "
            "near the counters."
        ),
    ),
    "called": Template(
        id="Nomor antrean {number}, silakan menuju Loket {counter} ({agency}).",
        en="Queue number {number}, please go to Counter {counter} ({agency}).",
    ),
    "no_show": Template(
        id=(
            "Reservasi {code} untuk {service} pada {day}, sesi {session}, tercatat tidak hadir. "
            "Silakan membuat reservasi baru bila masih memerlukan layanan ini."
        ),
        en=(
            "Booking {code} for {service} on {day}, session {session}, was recorded as a no-show. "
            "Please make a new booking if you still need this service."
        ),
    ),
    "survey": Template(
        id=(
            "Terima kasih telah menggunakan layanan {service} di {hall}. Mohon isi Survei Kepuasan "
            "Masyarakat (SKM), cukup 1 menit: {survey}"
        ),
        en=(
            "Thank you for using {service} at {hall}. Please rate our service in the public "
            "satisfaction survey (SKM), 1 minute: {survey}"
        ),
    ),
    "footer": Template(
        id="Berhenti menerima pesan ini: {stop}",
        en="Stop these messages: {stop}",
    ),
}

SUBJECTS: dict[str, Template] = {
    "confirmation": Template(id="Konfirmasi reservasi {code}", en="Booking {code} confirmed"),
    "reminder": Template(id="Pengingat reservasi {code}", en="Booking {code}: reminder"),
    "turn_near": Template(id="Giliran Anda hampir tiba", en="Your turn is near"),
    "called": Template(id="Nomor {number} dipanggil", en="Number {number} is called"),
    "no_show": Template(id="Reservasi {code} tidak hadir", en="Booking {code}: no-show"),
    "survey": Template(id="Survei kepuasan layanan", en="Satisfaction survey"),
}

_DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
# Indonesia's three zones by the names citizens use; elsewhere the zone's own abbreviation.
_ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def text_for(templates: Templates, kind: str, language: str) -> str:
    override: str = getattr(getattr(templates, kind), language)
    built_in: str = getattr(BUILT_IN[kind], language)
    return override or built_in


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill in ``{name}`` placeholders; ``{{`` and ``}}`` are literal braces. A name without a
    value becomes empty rather than failing a message (the loader refuses unknown names)."""
    out: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    return "".join(out)


def compose(templates: Templates, kind: str, language: str, values: Mapping[str, str]) -> str:
    """The whole message: its text, a blank line, and the footer."""
    body = render(text_for(templates, kind, language), values)
    footer = render(text_for(templates, "footer", language), values)
    return f"{body}\n\n{footer}" if footer else body


def subject(kind: str, language: str, values: Mapping[str, str]) -> str:
    """An email's subject, prefixed with the hall's name."""
    title = render(getattr(SUBJECTS[kind], language), values)
    hall = values.get("hall", "")
    return f"{hall}: {title}" if hall else title


def day_text(day: dt.date, language: str) -> str:
    """``Selasa, 3 Maret 2026`` / ``Tuesday, 3 March 2026``."""
    return f"{_DAYS[language][day.weekday()]}, {day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def session_text(start: dt.datetime, end: dt.datetime, timezone: str) -> str:
    """``08:00-09:00 WITA``, in the hall's time."""
    zone = ZoneInfo(timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    name = _ZONE_NAMES.get(timezone) or local_start.tzname() or ""
    return f"{local_start:%H:%M}-{local_end:%H:%M} {name}".strip()


def values(hall: Hall, contact: Contact, **extra: str) -> dict[str, str]:
    """Every placeholder's value for a booked citizen, in their language."""
    english = contact.language == "en"
    service = hall.service(contact.service)
    agency = hall.agency(contact.agency)
    service_name = ((service.name_en if english else "") or service.name) if service else contact.service
    agency_name = ((agency.name_en if english else "") or agency.name) if agency else contact.agency
    return {
        "hall": hall.name,
        "agency": agency_name,
        "service": service_name,
        "code": contact.code,
        "day": day_text(dt.date.fromisoformat(contact.day), contact.language),
        "session": session_text(contact.session_start, contact.session_end, hall.timezone),
        "number": contact.ticket_number,
        **extra,
    }
