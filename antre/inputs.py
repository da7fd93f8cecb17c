"""What text and numbers the hall accepts from a request, for every route of every service.

Names, codes and free text in the hall are single lines shown on boards, printed on tickets and
spoken: no control character (C0, DEL, C1), no line or paragraph separator and no bidirectional
control (a right-to-left override makes a name read backwards on the board and in the officer's
list). PostgreSQL also refuses NUL in text, which used to surface as a 500 after work had begun.
Integers are bounded to the 64-bit signed range the databases store.

:class:`antre.web.InputGuard` refuses such a request before routing, so no handler or database
sees it; :data:`Text` is the same rule as a pydantic type, for models that want it in their
schema."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import parse_qsl

from pydantic import AfterValidator, Field
from starlette.types import Scope

# One class for Python's re, pydantic-core's Rust regex and the ECMA-262 pattern of JSON Schema:
# all three read \xHH and \uHHHH. Bidi controls are Unicode's Bidi_Control set.
FORBIDDEN_CLASS = r"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
PATTERN = f"^[^{FORBIDDEN_CLASS}]*$"
FORBIDDEN = re.compile(f"[{FORBIDDEN_CLASS}]")
INT64 = (-(2**63), 2**63 - 1)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_PROBLEM_TEXT = (
    "berisi karakter kendali atau pengarah arah teks / contains a control or bidirectional-text character"
)
_PROBLEM_INT = "angka di luar batas 64 bit / number outside the 64-bit range"


def single_line(value: str) -> str:
    if FORBIDDEN.search(value):
        raise ValueError(_PROBLEM_TEXT)
    return value


Text = Annotated[str, AfterValidator(single_line), Field(json_schema_extra={"pattern": PATTERN})]
"""A single line of text: ``name: Text = Field(max_length=128)``; the schema shows the pattern."""


def out_of_range(digits: str) -> bool:
    """A decimal integer string outside int64. Long strings are refused before ``int()`` parses
    them (CPython refuses past 4,300 digits, and parsing long ones is quadratic)."""
    if len(digits.lstrip("+-").lstrip("0")) > 19:
        return True
    return not INT64[0] <= int(digits) <= INT64[1]


def _walk(value: Any, field: str) -> Iterator[tuple[str, str]]:
    """(field, problem) for every bad string, key or integer in a decoded JSON document, the field
    spelt as FastAPI spells locations (``body.items.0.name``). Iterative: nesting is unbounded."""
    stack = [(value, field)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if FORBIDDEN.search(item):
                yield where, _PROBLEM_TEXT
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not INT64[0] <= item <= INT64[1]:
                yield where, _PROBLEM_INT
        elif isinstance(item, dict):
            for key, inner in item.items():
                if FORBIDDEN.search(key):
                    yield f"{where}.{key!r}", _PROBLEM_TEXT
                stack.append((inner, f"{where}.{key}"))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}.{i}") for i, inner in enumerate(item))


def _pairs(pairs: list[tuple[str, str]], where: str) -> Iterator[tuple[str, str]]:
    for name, value in pairs:
        if FORBIDDEN.search(name) or FORBIDDEN.search(value):
            yield f"{where}.{name}", _PROBLEM_TEXT
        elif _INTEGER.fullmatch(value) and out_of_range(value):
            yield f"{where}.{name}", _PROBLEM_INT


def address_problems(scope: Scope) -> list[tuple[str, str]]:
    """The path (already percent-decoded by the server) and the query string. Path parameters
    are not known before routing, so every segment counts: none of the hall's is a 20-digit
    number or holds a control character."""
    found: list[tuple[str, str]] = []
    path: str = scope.get("path", "")
    if FORBIDDEN.search(path):
        found.append(("path", _PROBLEM_TEXT))
    elif any(_INTEGER.fullmatch(s) and out_of_range(s) for s in path.split("/")):
        found.append(("path", _PROBLEM_INT))
    query = scope.get("query_string", b"").decode("latin-1")  # as Starlette reads it
    found.extend(_pairs(parse_qsl(query, keep_blank_values=True), "query"))
    return found


def body_problems(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """A body that does not parse is left to the route: FastAPI answers it with its own 422."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        return list(_pairs(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True), "body"))
    if not body or "json" not in content_type:
        return []
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return []
    return list(_walk(document, "body"))
