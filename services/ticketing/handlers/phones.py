"""A phone that answers a code: an online booker proves the phone a booking gives with a one-time
code notify sent to it (ANTRE_BOOKING_PHONE_CHECK)."""

from __future__ import annotations

from antre.problems import Forbidden
from services.ticketing.handlers.deps import PhoneCheck


def prove_phone(phone_check: PhoneCheck, code_id: str, code: str, phone: str) -> None:
    """Invented NIKs pass the NIK's structure check; a phone that answers a code cannot be
    invented. Checked last before the place is taken: a right code is spent by the check."""
    if not (code_id and code):
        raise Forbidden(
            "phone_code_required",
            "Minta kode verifikasi untuk nomor telepon Anda, lalu masukkan kode tersebut",
            "Ask for a verification code for your phone number, then enter it",
        )
    checked = phone_check.check(code_id, code, phone)
    if checked.matched:
        return
    if checked.tries_left:
        raise Forbidden(
            "phone_code_wrong",
            f"Kode verifikasi salah; sisa {checked.tries_left} kali percobaan",
            f"Wrong verification code; {checked.tries_left} tries left",
            tries_left=checked.tries_left,
        )
    raise Forbidden(
        "phone_code_expired",
        "Kode verifikasi tidak berlaku lagi (salah berkali-kali, kedaluwarsa atau sudah dipakai); "
        "minta kode baru",
        "The verification code is no longer valid (too many wrong tries, expired or used); ask for a new one",
    )
