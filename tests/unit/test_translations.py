"""Every page is wholly Indonesian or wholly English: each text a page names (``data-i18n`` and
its attribute forms in the HTML, ``t("key")`` in the scripts it loads) has an entry in both
languages of the dictionaries those scripts register, and each dictionary's two languages hold
the same keys. A text added in one language only, or a key misspelt, fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "antre" / "static"
# A board shows both languages at once (read from 10 m by everyone in the hall, each English line
# marked lang="en"): it has no dictionary to switch, so it is not among the pages checked here.
PAGES = sorted(p for p in ROOT.glob("services/*/entrypoints/static/*.html") if p.name != "board.html")
SCRIPT = re.compile(r'<script src="/(static|shared)/([\w.]+\.js)"')
ATTRIBUTE = re.compile(r'data-i18n(?:-placeholder|-title|-aria-label)?="([\w.\-]+)"')
CALL = re.compile(r'\bt\(\s*"([\w.\-]+)"')
KEY = re.compile(r'^\s*"?([\w.\-]+)"?\s*:', re.MULTILINE)
REGISTERS = re.compile(r"register\(\s*\{")
COMMENT = re.compile(r"/\*.*?\*/|^\s*//[^\n]*", re.DOTALL | re.MULTILINE)


def code(script: Path) -> str:
    """A script without its comments (whose examples would count as texts)."""
    return COMMENT.sub("", script.read_text())


def block(text: str, start: int) -> str:
    """The object literal opening at ``text[start]`` ("{"), to its matching brace."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i]
    raise AssertionError("unbalanced braces")


def top_keys(body: str) -> set[str]:
    """The keys at the first level of an object literal's body (nested objects' keys left out)."""
    flat, depth = [], 0
    for char in body:
        depth += {"{": 1, "}": -1}.get(char, 0)
        flat.append(char if depth == 0 or char in "{}" else " ")
    return set(KEY.findall("".join(flat)))


def dictionaries(script: str) -> dict[str, set[str]]:
    """Per language, the keys a script registers (``register({id: {...}, en: {...}})``)."""
    found: dict[str, set[str]] = {"id": set(), "en": set()}
    for match in REGISTERS.finditer(script):
        body = block(script, match.end() - 1)
        for lang in found:
            opening = re.search(rf"(?m)^\s*{lang}\s*:\s*\{{", body)
            if opening:
                found[lang] |= top_keys(block(body, opening.end() - 1))
    return found


def scripts_of(page: Path) -> list[Path]:
    return [
        (SHARED if where == "shared" else page.parent) / name
        for where, name in SCRIPT.findall(page.read_text())
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parts[-4]}/{p.name}")
def test_every_text_a_page_names_is_in_both_languages(page: Path) -> None:
    scripts = scripts_of(page)
    assert scripts, "a page with no script of ours"
    known: dict[str, set[str]] = {"id": set(), "en": set()}
    named = set(ATTRIBUTE.findall(page.read_text()))
    for script in scripts:
        text = code(script)
        for lang, keys in dictionaries(text).items():
            known[lang] |= keys
        named |= set(CALL.findall(text))
    assert known["id"], "a page that switches language with no dictionary"
    assert sorted(named - known["id"]) == [], "named but not in Bahasa Indonesia"
    assert sorted(named - known["en"]) == [], "named but not in English"


@pytest.mark.parametrize(
    "script",
    sorted(p for p in ROOT.glob("services/*/entrypoints/static/*.js") if REGISTERS.search(code(p)))
    + sorted(p for p in SHARED.glob("*.js") if REGISTERS.search(code(p))),
    ids=lambda p: p.name,
)
def test_each_dictionary_holds_the_same_keys_in_both_languages(script: Path) -> None:
    found = dictionaries(code(script))
    assert found["id"], "no Indonesian dictionary found"
    assert sorted(found["id"] - found["en"]) == [], "Indonesian only"
    assert sorted(found["en"] - found["id"]) == [], "English only"
