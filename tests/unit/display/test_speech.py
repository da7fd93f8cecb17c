"""How the hall's voice reads a call: letters by name, ticket digits one by one, the counter as
a number."""

from __future__ import annotations

import pytest

from antre.speech import (
    CHIME,
    LETTERS_ID,
    PAUSE,
    number_en,
    number_id,
    spell_ticket,
    tokenize,
    tokens,
    vocabulary,
    words,
)

ID = "Nomor antrean {}, silakan menuju loket {}"
EN = "Number {}, please go to counter {}"

CASES: list[tuple[str, int, str]] = [
    # (ticket, counter, expected Indonesian sentence)
    ("A-000", 1, ID.format("A nol nol nol", "satu")),
    ("A-012", 3, ID.format("A nol satu dua", "tiga")),
    ("B-001", 2, ID.format("Be nol nol satu", "dua")),
    ("C-010", 4, ID.format("Ce nol satu nol", "empat")),
    ("D-100", 5, ID.format("De satu nol nol", "lima")),
    ("E-123", 6, ID.format("E satu dua tiga", "enam")),
    ("F-045", 7, ID.format("Ef nol empat lima", "tujuh")),
    ("G-067", 8, ID.format("Ge nol enam tujuh", "delapan")),
    ("H-089", 9, ID.format("Ha nol delapan sembilan", "sembilan")),
    ("I-001", 10, ID.format("I nol nol satu", "sepuluh")),
    ("J-002", 11, ID.format("Je nol nol dua", "sebelas")),
    ("K-003", 12, ID.format("Ka nol nol tiga", "dua belas")),
    ("L-004", 13, ID.format("El nol nol empat", "tiga belas")),
    ("M-005", 14, ID.format("Em nol nol lima", "empat belas")),
    ("N-006", 15, ID.format("En nol nol enam", "lima belas")),
    ("O-007", 16, ID.format("O nol nol tujuh", "enam belas")),
    ("P-008", 17, ID.format("Pe nol nol delapan", "tujuh belas")),
    ("Q-009", 18, ID.format("Ki nol nol sembilan", "delapan belas")),
    ("R-010", 19, ID.format("Er nol satu nol", "sembilan belas")),
    ("S-011", 20, ID.format("Es nol satu satu", "dua puluh")),
    ("T-020", 21, ID.format("Te nol dua nol", "dua puluh satu")),
    ("U-099", 22, ID.format("U nol sembilan sembilan", "dua puluh dua")),
    ("V-101", 29, ID.format("Fe satu nol satu", "dua puluh sembilan")),
    ("W-110", 30, ID.format("We satu satu nol", "tiga puluh")),
    ("X-111", 35, ID.format("Eks satu satu satu", "tiga puluh lima")),
    ("Y-500", 47, ID.format("Ye lima nol nol", "empat puluh tujuh")),
    ("Z-999", 99, ID.format("Zet sembilan sembilan sembilan", "sembilan puluh sembilan")),
    ("A-001", 100, ID.format("A nol nol satu", "seratus")),
    ("A-002", 101, ID.format("A nol nol dua", "seratus satu")),
    ("A-003", 110, ID.format("A nol nol tiga", "seratus sepuluh")),
    ("A-004", 111, ID.format("A nol nol empat", "seratus sebelas")),
    ("A-005", 112, ID.format("A nol nol lima", "seratus dua belas")),
    ("A-006", 120, ID.format("A nol nol enam", "seratus dua puluh")),
    ("A-007", 199, ID.format("A nol nol tujuh", "seratus sembilan puluh sembilan")),
    ("A-008", 200, ID.format("A nol nol delapan", "dua ratus")),
    ("A-009", 201, ID.format("A nol nol sembilan", "dua ratus satu")),
    ("A-010", 345, ID.format("A nol satu nol", "tiga ratus empat puluh lima")),
    ("A-011", 999, ID.format("A nol satu satu", "sembilan ratus sembilan puluh sembilan")),
    ("A-012", 1000, ID.format("A nol satu dua", "seribu")),
    ("A-013", 1001, ID.format("A nol satu tiga", "seribu satu")),
    ("A-014", 1100, ID.format("A nol satu empat", "seribu seratus")),
    ("A-015", 2000, ID.format("A nol satu lima", "dua ribu")),
    ("A-016", 2024, ID.format("A nol satu enam", "dua ribu dua puluh empat")),
    ("A-017", 11000, ID.format("A nol satu tujuh", "sebelas ribu")),
    ("A-018", 100000, ID.format("A nol satu delapan", "seratus ribu")),
    ("PH-007", 12, ID.format("Pe Ha nol nol tujuh", "dua belas")),
    ("PH-100", 3, ID.format("Pe Ha satu nol nol", "tiga")),
    ("AB-123", 4, ID.format("A Be satu dua tiga", "empat")),
    ("ZZ-999", 21, ID.format("Zet Zet sembilan sembilan sembilan", "dua puluh satu")),
    ("KX-050", 16, ID.format("Ka Eks nol lima nol", "enam belas")),
    ("A-1000", 1, ID.format("A satu nol nol nol", "satu")),
    ("A-1234", 2, ID.format("A satu dua tiga empat", "dua")),
    ("a-012", 3, ID.format("A nol satu dua", "tiga")),
    ("A012", 3, ID.format("A nol satu dua", "tiga")),
    ("A 012", 3, ID.format("A nol satu dua", "tiga")),
    ("P-030", 17, ID.format("Pe nol tiga nol", "tujuh belas")),
    ("M-013", 13, ID.format("Em nol satu tiga", "tiga belas")),
    ("J-040", 10, ID.format("Je nol empat nol", "sepuluh")),
    ("G-016", 11, ID.format("Ge nol satu enam", "sebelas")),
    ("H-070", 9, ID.format("Ha nol tujuh nol", "sembilan")),
    ("F-088", 7, ID.format("Ef nol delapan delapan", "tujuh")),
    ("D-090", 5, ID.format("De nol sembilan nol", "lima")),
]


@pytest.mark.parametrize(("number", "counter", "expected"), CASES)
def test_indonesian_call(number: str, counter: int, expected: str) -> None:
    assert words(number, counter) == expected


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("counter", range(1, 22))
def test_counters_one_to_twenty_one(counter: int) -> None:
    expected = [
        "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
        "sebelas", "dua belas", "tiga belas", "empat belas", "lima belas", "enam belas", "tujuh belas",
        "delapan belas", "sembilan belas", "dua puluh", "dua puluh satu",
    ][counter - 1]  # fmt: skip
    assert words("A-001", counter).endswith(f"loket {expected}")


@pytest.mark.parametrize(
    ("number", "counter", "expected"),
    [
        ("A-012", 3, EN.format("A zero one two", "three")),
        ("A-000", 1, EN.format("A zero zero zero", "one")),
        ("Z-999", 21, EN.format("Z nine nine nine", "twenty-one")),
        ("PH-007", 12, EN.format("P H zero zero seven", "twelve")),
        ("B-010", 100, EN.format("B zero one zero", "one hundred")),
        ("C-011", 101, EN.format("C zero one one", "one hundred and one")),
        ("D-020", 111, EN.format("D zero two zero", "one hundred and eleven")),
        ("E-500", 1000, EN.format("E five zero zero", "one thousand")),
        ("F-001", 1001, EN.format("F zero zero one", "one thousand and one")),
    ],
)
def test_english_call(number: str, counter: int, expected: str) -> None:
    assert words(number, counter, lang="en") == expected


def test_agency_name_ends_the_sentence() -> None:
    assert words("A-012", 3, "Disdukcapil") == ID.format("A nol satu dua", "tiga") + ", Disdukcapil"
    assert words("A-012", 3, "  ") == ID.format("A nol satu dua", "tiga")
    assert words("A-012", 3, "Civil Registry", lang="en").endswith("counter three, Civil Registry")


def test_every_letter_has_its_indonesian_name() -> None:
    assert len(LETTERS_ID) == 26
    assert spell_ticket("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == (
        "A Be Ce De E Ef Ge Ha I Je Ka El Em En O Pe Ki Er Es Te U Fe We Eks Ye Zet"
    )


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "nol"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (100, "seratus"),
        (1000, "seribu"),
        (1_000_000, "satu juta"),
        (2_500_000, "dua juta lima ratus ribu"),
        (1_000_000_000, "satu miliar"),
    ],
)
def test_indonesian_numbers(n: int, expected: str) -> None:
    assert number_id(n) == expected


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "zero"), (15, "fifteen"), (40, "forty"), (1_000_000, "one million")]
)
def test_english_numbers(n: int, expected: str) -> None:
    assert number_en(n) == expected


@pytest.mark.parametrize(
    ("number", "counter", "lang"),
    [
        ("A-01?", 1, "id"),
        ("", 1, "id"),
        ("---", 1, "id"),
        ("A-٣", 1, "id"),
        ("A-001", 0, "id"),
        ("A-001", 1, "fr"),
    ],
)
def test_what_no_voice_should_say_is_refused(number: str, counter: int, lang: str) -> None:
    with pytest.raises(ValueError):
        words(number, counter, lang=lang)


def test_negative_numbers_are_refused() -> None:
    with pytest.raises(ValueError):
        number_id(-1)
    with pytest.raises(ValueError):
        number_en(-1)


# ---- tokens: the voice pack's clips for a call ----


def clips_of(sentence: str) -> list[str]:
    """What a reader expects the clips of a sentence to be: chime, then each word lowercased."""
    return [CHIME, *(PAUSE if w == "," else w.lower() for w in sentence.replace(",", " , ").split())]


@pytest.mark.parametrize(("number", "counter", "expected"), CASES)
def test_indonesian_tokens(number: str, counter: int, expected: str) -> None:
    assert tokens(number, counter) == clips_of(expected)
    assert set(tokens(number, counter)) - {CHIME, PAUSE} <= set(vocabulary("id"))


@pytest.mark.parametrize(
    ("number", "counter", "expected"),
    [
        ("A-012", 3, ["a", "nol", "satu", "dua", PAUSE, "silakan", "menuju", "loket", "tiga"]),
        ("A-000", 10, ["a", "nol", "nol", "nol", PAUSE, "silakan", "menuju", "loket", "sepuluh"]),
        (
            "Z-999",
            11,
            ["zet", "sembilan", "sembilan", "sembilan", PAUSE, "silakan", "menuju", "loket", "sebelas"],
        ),
        (
            "PH-007",
            12,
            ["pe", "ha", "nol", "nol", "tujuh", PAUSE, "silakan", "menuju", "loket", "dua", "belas"],
        ),
        (
            "X-019",
            19,
            ["eks", "nol", "satu", "sembilan", PAUSE, "silakan", "menuju", "loket", "sembilan", "belas"],
        ),
        ("Q-020", 20, ["ki", "nol", "dua", "nol", PAUSE, "silakan", "menuju", "loket", "dua", "puluh"]),
        (
            "C-021",
            21,
            ["ce", "nol", "dua", "satu", PAUSE, "silakan", "menuju", "loket", "dua", "puluh", "satu"],
        ),
        ("V-100", 100, ["fe", "satu", "nol", "nol", PAUSE, "silakan", "menuju", "loket", "seratus"]),
    ],
)
def test_edge_tokens(number: str, counter: int, expected: list[str]) -> None:
    assert tokens(number, counter) == [CHIME, "nomor", "antrean", *expected]


def test_english_tokens_split_hyphenated_numbers() -> None:
    assert tokens("PH-007", 121, lang="en") == [
        CHIME, "number", "p", "h", "zero", "zero", "seven", PAUSE,
        "please", "go", "to", "counter", "one", "hundred", "and", "twenty", "one",
    ]  # fmt: skip


def test_an_agency_name_becomes_tokens_a_pack_may_lack() -> None:
    """Free text: its words are tokens like any other (a pack without them makes the board use
    its speech engine for that sentence), punctuation is dropped, a comma is a pause."""
    expected = ["loket", "tiga", PAUSE, "dinas", "dukcapil", "kota"]
    assert tokens("A-012", 3, "Dinas Dukcapil (Kota)")[-6:] == expected
    assert tokenize("silakan, Dinas DPM-PTSP (Kota)") == ["silakan", PAUSE, "dinas", "dpm", "ptsp", "kota"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_vocabulary_covers_every_ticket_and_counter(lang: str) -> None:
    """Every letter, every digit and every counter up to 2,000 (and some far beyond) needs only
    the language's vocabulary: a complete pack never falls back to the speech engine."""
    known = set(vocabulary(lang)) | {CHIME, PAUSE}
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for counter in [*range(1, 2001), 10_000, 11_011, 99_999, 100_000, 999_999]:
        number = f"{letters[counter % 26]}{letters[counter // 26 % 26]}-{counter % 1000:03d}"
        assert set(tokens(number, counter, lang=lang)) <= known, (number, counter)
    assert len(vocabulary(lang)) == len(set(vocabulary(lang)))
    assert not any(word.startswith("_") for word in vocabulary(lang))


def test_the_vocabulary_of_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        vocabulary("fr")
