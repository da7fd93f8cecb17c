"""A taken number as the kiosk says it aloud, in each language: the words and the voice pack's clip
names. The spelling is ``antre.speech``, the very function the boards call, so a citizen hears
"A nol nol satu" at the kiosk exactly as the hall's voice will say it: a second spelling in the
kiosk's script could drift from the boards'."""

from __future__ import annotations

from antre.speech import Lang, spell_ticket, tokenize

# The words before the spelled number, as a call begins on the boards ("Nomor antrean A nol ...").
INTRO: dict[Lang, str] = {"id": "Nomor antrean", "en": "Number"}


def spoken_number(number: str) -> dict[str, dict[str, object]]:
    """Per language, ``text`` (for a speech engine) and ``tokens`` (the pack's clips, in order).
    Empty for a number no voice can read: the kiosk then says what it shows."""
    try:
        texts = {lang: f"{intro} {spell_ticket(number, lang)}" for lang, intro in INTRO.items()}
    except ValueError:
        return {}
    return {lang: {"text": text, "tokens": tokenize(text)} for lang, text in texts.items()}
