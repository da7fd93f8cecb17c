"""The words a citizen reads about their number: Bahasa Indonesia first, English second.

Plain text, short enough for an SMS or a chat notification, and free of anything personal: the
number, the counter and the agency are all the citizen needs to walk to the right desk.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    id: str  # Bahasa Indonesia
    en: str


def called(number: str, counter: int, agency: str = "", agency_en: str = "") -> Text:
    """The "your number was called" text: ``Nomor antrean A-012, silakan menuju Loket 3 (Disdukcapil)``.

    ``counter`` 0 means the event named no counter; the citizen is then only told they were called
    (a board or the voice in the hall says where). The agency in brackets tells the citizen which
    desk to look for when counters of several agencies stand side by side.
    """
    where_id = f" ({agency})" if agency else ""
    where_en = f" ({agency_en or agency})" if agency or agency_en else ""
    if counter <= 0:
        return Text(
            id=f"Nomor antrean {number} dipanggil{where_id}",
            en=f"Queue number {number} is being called{where_en}",
        )
    return Text(
        id=f"Nomor antrean {number}, silakan menuju Loket {counter}{where_id}",
        en=f"Queue number {number}, please go to Counter {counter}{where_en}",
    )
