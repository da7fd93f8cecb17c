"""Reading citizens' messages as they arrive at a provider: which kind each is (confirmation,
reminder, turn near, called, no-show, survey) and what it names (booking code, ticket number,
survey link), by matching it against the hall's own wording in both languages.

A message that matches no wording fails the test that reads it: nothing unexpected slips through
uncounted.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from antre.hall.model import Hall
from services.notify.domain.citizens import Kind
from services.notify.domain.templates import text_for


@dataclass(frozen=True)
class Read:
    kind: str
    fields: dict[str, str]


def _pattern(text: str, seen: set[str]) -> str:
    out: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(text):
        out.append(re.escape(literal))
        if name is not None:
            out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
            seen.add(name)
    return "".join(out)


class Reader:
    def __init__(self, hall: Hall) -> None:
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for kind in Kind:
            for language in ("id", "en"):
                seen: set[str] = set()
                body = _pattern(text_for(hall.messages.templates, kind.value, language), seen)
                footer = _pattern(text_for(hall.messages.templates, "footer", language), seen)
                self.patterns.append((kind.value, re.compile(f"{body}\n\n{footer}", re.DOTALL)))

    def read(self, text: str) -> Read:
        found = [(kind, m) for kind, p in self.patterns if (m := p.fullmatch(text.strip()))]
        assert len(found) == 1, f"a message of no single known kind: {text!r}"
        kind, match = found[0]
        return Read(kind, {k: v for k, v in match.groupdict().items() if v is not None})
