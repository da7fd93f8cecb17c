"""What the hall's voice says for a call: the words, in Bahasa Indonesia (default) or English.

Speech engines read "PH" as a word and "012" as "twelve", so the text spells things out:
letters by their names (Indonesian: A, Be, Ce, ...), the zero-padded ticket digits one by one
("nol satu dua") and the counter as a number ("loket dua belas"), as citizens hear it in halls.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from typing import Literal, TypeGuard

Lang = Literal["id", "en"]


def is_lang(value: str) -> TypeGuard[Lang]:
    """A language the voice speaks (a page or a hall file names one as text)."""
    return value in ("id", "en")


_NAMES_ID = "A Be Ce De E Ef Ge Ha I Je Ka El Em En O Pe Ki Er Es Te U Fe We Eks Ye Zet"
LETTERS_ID: dict[str, str] = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", _NAMES_ID.split(" "), strict=True))
# English engines say single capitals by their names already; spacing them is what matters.
LETTERS_EN: dict[str, str] = {letter: letter for letter in LETTERS_ID}

DIGITS_ID = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
DIGITS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS_EN = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS_EN = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

# Characters a ticket number may carry between its parts ("A-012", "PH 007"); not spoken.
SEPARATORS = frozenset("-_ ./")


def number_id(n: int) -> str:
    """A whole number in Indonesian words: sebelas, dua belas, seratus satu, seribu, dua ribu."""
    if n < 0:
        raise ValueError(f"cannot read a negative number: {n}")
    if n < 10:
        return DIGITS_ID[n]
    if n < 20:
        return {10: "sepuluh", 11: "sebelas"}.get(n) or f"{DIGITS_ID[n - 10]} belas"
    if n < 100:
        return _compose(f"{DIGITS_ID[n // 10]} puluh", n % 10, number_id)
    if n < 1000:
        head = "seratus" if n // 100 == 1 else f"{DIGITS_ID[n // 100]} ratus"
        return _compose(head, n % 100, number_id)
    if n < 1_000_000:
        head = "seribu" if n // 1000 == 1 else f"{number_id(n // 1000)} ribu"
        return _compose(head, n % 1000, number_id)
    for size, name in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta")):
        if n >= size:
            # Unlike seratus and seribu, the big units always take a number: "satu juta".
            return _compose(f"{number_id(n // size)} {name}", n % size, number_id)
    raise AssertionError("unreachable")


def number_en(n: int) -> str:
    """A whole number in English words, as announced: twenty-one, one hundred and one."""
    if n < 0:
        raise ValueError(f"cannot read a negative number: {n}")
    if n < 10:
        return DIGITS_EN[n]
    if n < 20:
        return _TEENS_EN[n - 10]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _TENS_EN[tens] + (f"-{DIGITS_EN[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{DIGITS_EN[hundreds]} hundred" + (f" and {number_en(rest)}" if rest else "")
    for size, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand")):
        if n >= size:
            head, rest = divmod(n, size)
            joiner = " and " if 0 < rest < 100 else " "
            return f"{number_en(head)} {name}" + (f"{joiner}{number_en(rest)}" if rest else "")
    raise AssertionError("unreachable")


def _compose(head: str, rest: int, read: Callable[[int], str]) -> str:
    return head if rest == 0 else f"{head} {read(rest)}"


def spell_ticket(number: str, lang: Lang = "id") -> str:
    """A ticket number read out character by character: "PH-007" -> "Pe Ha nol nol tujuh".

    Raises ValueError for characters a voice cannot read (anything but ASCII letters, digits and
    the separators), rather than saying something the citizen cannot match to a paper ticket.
    """
    letters, digits = (LETTERS_ID, DIGITS_ID) if lang == "id" else (LETTERS_EN, DIGITS_EN)
    spoken: list[str] = []
    for char in number:
        if char in SEPARATORS:
            continue
        upper = char.upper()
        if upper in letters:
            spoken.append(letters[upper])
        elif char.isascii() and char.isdigit():
            spoken.append(digits[int(char)])
        else:
            raise ValueError(f"cannot read {char!r} in ticket number {number!r}")
    if not spoken:
        raise ValueError(f"empty ticket number {number!r}")
    return " ".join(spoken)


def words(number: str, counter: int, agency_name: str = "", lang: str = "id") -> str:
    """The sentence the hall's voice says for a call or a recall.

    >>> words("A-012", 3)
    'Nomor antrean A nol satu dua, silakan menuju loket tiga'
    >>> words("A-012", 3, lang="en")
    'Number A zero one two, please go to counter three'
    """
    if counter < 1:
        raise ValueError(f"counter numbers start at 1, got {counter}")
    if lang == "id":
        text = f"Nomor antrean {spell_ticket(number, 'id')}, silakan menuju loket {number_id(counter)}"
    elif lang == "en":
        text = f"Number {spell_ticket(number, 'en')}, please go to counter {number_en(counter)}"
    else:
        raise ValueError(f"unknown language {lang!r} (id or en)")
    return f"{text}, {agency_name.strip()}" if agency_name.strip() else text


def number_words(n: int, lang: str) -> str:
    if lang == "id":
        return number_id(n)
    if lang == "en":
        return number_en(n)
    raise ValueError(f"unknown language {lang!r} (id or en)")


# A mark left without words by an empty {agency}: at the start, or right before another mark.
_EMPTY_PART = re.compile(r"^\s*[,;:]\s*|\s*[,;:]\s*(?=[,;:.]|$)")


def render_call(template: str, number: str, counter: int, agency: str = "", lang: str = "id") -> str:
    """A hall's call sentence (``{ticket}``, ``{counter}``, optional ``{agency}``), spoken out.
    An empty agency name takes its comma with it, so a template written with ``{agency}``
    still reads well for an agency without a name in that language.

    >>> template = "Nomor antrean {ticket}, {agency}, silakan menuju loket {counter}"
    >>> render_call(template, "A-012", 3, "Dukcapil")
    'Nomor antrean A nol satu dua, Dukcapil, silakan menuju loket tiga'
    >>> render_call(template, "A-012", 3)
    'Nomor antrean A nol satu dua, silakan menuju loket tiga'
    """
    if counter < 1:
        raise ValueError(f"counter numbers start at 1, got {counter}")
    if not is_lang(lang):
        raise ValueError(f"unknown language {lang!r} (id or en)")
    text = template.format(
        ticket=spell_ticket(number, lang), counter=number_words(counter, lang), agency=agency.strip()
    )
    return " ".join(_EMPTY_PART.sub("", text).split())


def render_message(template: str, counter: int | None, lang: str = "id") -> str:
    """A service message; ``{counter}`` read as a number ("Loket tiga istirahat sebentar")."""
    if "{counter}" in template and (counter is None or counter < 1):
        raise ValueError("this message needs a counter number")
    return template.format(counter=number_words(counter, lang) if counter else "")


# ---- the voice pack's view: a sentence as clips ----

# Tokens that are not words: the chime before every call, and the short pause a comma (or a
# semicolon between the calls of a group, or a colon or full stop) makes.
# Words never start with "_", so these never collide with a recorded word.
CHIME = "_chime"
PAUSE = "_pause"

_WORD_OR_COMMA = re.compile(r"[^\W_]+|[,;:.]")

_INTRO = {
    "id": ("nomor", "antrean", "silakan", "menuju", "loket"),
    "en": ("number", "please", "go", "to", "counter"),
}
_NUMBER_WORDS = {
    "id": ("sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus", "seribu", "ribu"),
    "en": (*_TEENS_EN, *_TENS_EN[2:], "hundred", "and", "thousand"),
}


def tokenize(text: str) -> list[str]:
    """A sentence as the voice pack's clip names, in order: words lowercased ("Be" -> "be"),
    hyphenated numbers split ("twenty-one" -> "twenty", "one"), each comma a :data:`PAUSE`.

    >>> tokenize("Nomor antrean A nol satu dua, silakan menuju loket dua belas")
    ['nomor', 'antrean', 'a', 'nol', 'satu', 'dua', '_pause', 'silakan', 'menuju', 'loket', 'dua', 'belas']
    """
    return [PAUSE if part in ",;:." else part for part in _WORD_OR_COMMA.findall(text.casefold())]


def tokens(number: str, counter: int, agency_name: str = "", lang: str = "id") -> list[str]:
    """The clips the board plays for a call, back to back: the chime, then the words of
    :func:`words` (same arguments, same errors), so that a board playing clips says exactly the
    sentence shown and the arbiter can time it from the clips' lengths.

    >>> tokens("A-012", 3)
    ['_chime', 'nomor', 'antrean', 'a', 'nol', 'satu', 'dua', '_pause', 'silakan', 'menuju', 'loket', 'tiga']
    """
    return [CHIME, *tokenize(words(number, counter, agency_name, lang))]


def vocabulary(lang: str = "id") -> tuple[str, ...]:
    """Every word a call sentence can use without an agency name, for any ticket number and any
    counter below a million: the clips a complete voice pack of the language has (besides the
    chime). Sorted, without repeats."""
    if lang not in _INTRO:
        raise ValueError(f"unknown language {lang!r} (id or en)")
    letters = LETTERS_ID if lang == "id" else LETTERS_EN
    digits = DIGITS_ID if lang == "id" else DIGITS_EN
    names = (name.casefold() for name in letters.values())
    return tuple(sorted({*_INTRO[lang], *names, *digits, *_NUMBER_WORDS[lang]}))


def text_words(texts: Iterable[str]) -> tuple[str, ...]:
    """The clip names a voice pack needs to say these texts besides :func:`vocabulary`: the
    literal words of a hall's templates (placeholders left out) and its agencies' names. Sorted,
    without repeats."""
    found: set[str] = set()
    for text in texts:
        literal = "".join(part for part, *_ in string.Formatter().parse(text))
        found.update(t for t in tokenize(literal) if t != PAUSE)
    return tuple(sorted(found))
