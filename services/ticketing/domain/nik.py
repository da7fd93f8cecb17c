"""The national ID number (NIK) a citizen books with: its structure, how it is shown, and how it is
stored.

A NIK is 16 digits (Permendagri on population administration; region codes from the Kemendagri
*kode wilayah*):

- ``PPKKCC`` the region where it was first issued: province ``PP``, regency or city ``KK`` (cities
  are 71 and up), district (*kecamatan*) ``CC``. Neither ``KK`` nor ``CC`` is ``00``. The code does
  not change when the citizen moves, so a NIK from a province that has since split keeps its old
  province code.
- ``DDMMYY`` the date of birth; women add 40 to the day (a woman born on the 5th has ``45``).
- ``SSSS`` a serial among people of that region and birth date, from ``0001``.

What is checked is structure only: a well-formed NIK may still belong to nobody. Only the civil
registry (Dukcapil) can say whether it is real.

Personal data (UU 27/2022): public pages show :func:`mask` only, and stores keep :func:`nik_key`,
never the number itself (see there why a plain hash would not do).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

from antre.problems import Invalid

# Kemendagri province codes. Sumatra 11-19 (19 Bangka Belitung), 21 Riau Islands, Java 31-36
# (36 Banten), Bali and Nusa Tenggara 51-53, Kalimantan 61-65 (65 North Kalimantan), Sulawesi 71-76
# (75 Gorontalo, 76 West Sulawesi), Maluku 81-82, Papua: 91 Papua, 92 West Papua, and the 2022
# provinces 93 South Papua, 94 Central Papua, 95 Highland Papua, 96 Southwest Papua (Kepmendagri
# 100.1.1-6117/2022). NIKs issued before a split keep the code of the province they came from,
# which is still in this list. 54 (East Timor, before 1999) is not: no NIK was issued there.
PROVINCES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

LENGTH = 16
FEMALE_DAY_OFFSET = 40
# Separators people type when copying a NIK from a card or a form: "7471 0512 9000 0001", "74.71.05".
_SEPARATORS = re.compile(r"[\s.\-]+")
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() would take Arabic-Indic digits too
MIN_SECRET_BYTES = 16


@dataclass(frozen=True)
class Nik:
    """A structurally valid NIK. Its repr is masked, so a NIK in a log line or a traceback is not
    the full number."""

    region: str  # PPKKCC
    birth_date: dt.date
    female: bool
    serial: str  # SSSS, not 0000

    @property
    def province(self) -> str:
        return self.region[:2]

    @property
    def digits(self) -> str:
        day = self.birth_date.day + (FEMALE_DAY_OFFSET if self.female else 0)
        return f"{self.region}{day:02d}{self.birth_date:%m%y}{self.serial}"

    def __repr__(self) -> str:
        return f"Nik({mask(self)})"

    def __str__(self) -> str:
        return repr(self)


def normalize(text: str) -> str:
    """The digits as typed, without the spaces, dots and dashes people put between groups."""
    return _SEPARATORS.sub("", text)


def parse_nik(text: str, today: dt.date) -> Nik:
    """Check a NIK's structure and read it, or raise :class:`Invalid` naming the first problem:
    ``nik_not_digits``, ``nik_length``, ``nik_region``, ``nik_birth_date`` or ``nik_serial``.

    The century of ``YY`` is the most recent one that puts the birth date on or before ``today``:
    a NIK is issued at birth registration, so nobody holds one for a date still to come. With two
    digits the age read is therefore always under 100; a citizen of 100 or more is read as a
    century younger, which structure alone cannot tell apart. A date that exists in no candidate
    century (31 February; 29 February 1900) is refused, and so is one that exists only in the
    future (29 February 2000 read on 15 January 2000)."""
    digits = normalize(text)
    if digits and not _DIGITS.fullmatch(digits):
        raise Invalid(
            "nik_not_digits",
            "NIK hanya boleh berisi angka",
            "A NIK has digits only",
        )
    if len(digits) != LENGTH:
        raise Invalid(
            "nik_length",
            f"NIK harus 16 angka (tertulis {len(digits)})",
            f"A NIK has 16 digits (this one has {len(digits)})",
        )
    province, regency, district = digits[0:2], digits[2:4], digits[4:6]
    if province not in PROVINCES:
        raise Invalid(
            "nik_region",
            f"Kode provinsi {province} pada NIK tidak dikenal",
            f"Unknown province code {province} in the NIK",
        )
    if regency == "00" or district == "00":
        raise Invalid(
            "nik_region",
            "Kode kabupaten/kota dan kecamatan pada NIK tidak boleh 00",
            "The regency/city and district codes of a NIK cannot be 00",
        )
    birth_date, female = _birth(digits[6:12], today)
    serial = digits[12:16]
    if serial == "0000":
        raise Invalid(
            "nik_serial",
            "Nomor urut NIK (4 angka terakhir) tidak boleh 0000",
            "The NIK's serial (its last 4 digits) cannot be 0000",
        )
    return Nik(region=digits[0:6], birth_date=birth_date, female=female, serial=serial)


def _birth(ddmmyy: str, today: dt.date) -> tuple[dt.date, bool]:
    day, month, yy = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    female = day > FEMALE_DAY_OFFSET
    if female:
        day -= FEMALE_DAY_OFFSET
    century = today.year // 100 * 100
    found_a_date = False
    for year in (century + yy, century - 100 + yy):  # most recent first
        try:
            born = dt.date(year, month, day)
        except ValueError:
            continue
        found_a_date = True
        if born <= today:
            return born, female
    shown = f"{ddmmyy[0:2]}-{ddmmyy[2:4]}-{ddmmyy[4:6]}"
    if found_a_date:
        raise Invalid(
            "nik_birth_date",
            f"Tanggal lahir pada NIK ({shown}) belum terjadi",
            f"The NIK's date of birth ({shown}) is in the future",
        )
    raise Invalid(
        "nik_birth_date",
        f"Tanggal lahir pada NIK ({shown}) bukan tanggal yang sah; perempuan: tanggal + 40",
        f"The NIK's date of birth ({shown}) is not a valid date; for women the day is +40",
    )


def mask(nik: Nik | str) -> str:
    """``************0001``: the serial only. The only form of a NIK that public pages, tickets,
    boards and logs may show. Nothing of the region or the birth date: every digit shown is one
    less for whoever holds someone's booking code to guess, and people know the birth dates and
    home towns of those around them. A text that is not 16 digits is masked whole."""
    digits = nik.digits if isinstance(nik, Nik) else normalize(nik)
    if len(digits) != LENGTH:
        return "*" * len(digits)
    return "*" * (LENGTH - 4) + digits[-4:]


def nik_key(nik: Nik | str, secret: bytes) -> str:
    """What a store keeps instead of the NIK: HMAC-SHA256 of the 16 digits under ``secret``, hex.

    Equal NIKs give equal keys, so a store can still enforce "one active booking per NIK per
    service per day" and count a NIK's no-shows, with a unique index on the key.

    Why not a plain hash: the NIK space is small and structured. About 7,300 districts, some
    36,500 birth dates in a century, two sexes and serials that rarely pass a few hundred make
    well under 10^13 candidates, which a GPU hashes in hours; knowing someone's birth date and
    district leaves 10^4, which takes milliseconds. A per-row salt would stop that but also stop
    the lookups above. A keyed hash keeps lookups and makes a leaked table useless on its own:
    without the key there is nothing to test guesses against.

    So the key must never sit in the database or its backups: it comes from the service's settings
    (environment or a secret store), at least 16 random bytes (32 recommended). Rotating it means
    re-keying every stored row from a fresh submission, so treat it as long-lived.
    """
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the NIK key secret needs at least {MIN_SECRET_BYTES} bytes")
    digits = nik.digits if isinstance(nik, Nik) else normalize(nik)
    return hmac.new(secret, digits.encode("ascii"), hashlib.sha256).hexdigest()
