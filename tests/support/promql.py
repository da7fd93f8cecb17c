"""Small rewrites of PromQL for checking rules and panels against a live Prometheus.

An alert's expression returns nothing while all is well, so "no data" cannot tell a quiet hall
from a wrong metric or label. :func:`without_filtering` turns every comparison into its ``bool``
form (``a > on (x) b`` -> ``a > bool on (x) b``): the same series, the same label matching, but
every matched pair comes back (as 0 or 1) instead of only those over the threshold. If that
returns data, the series exist and the joins match; whether the threshold is right is the rules'
unit tests' business (tests/deploy/prometheus_rules_test.yaml).
"""

from __future__ import annotations

import re

COMPARISONS = ("==", "!=", ">=", "<=", ">", "<")
OFFSET = re.compile(r"\boffset\s+\d+[smhdwy]+\b")


def without_filtering(expr: str) -> str:
    """Add ``bool`` to every comparison outside label matchers and strings."""
    out: list[str] = []
    i, braces, quote = 0, 0, ""
    while i < len(expr):
        char = expr[i]
        if quote:
            if char == "\\":
                out.append(expr[i : i + 2])
                i += 2
                continue
            quote = "" if char == quote else quote
        elif char in "\"'`":
            quote = char
        elif char == "{":
            braces += 1
        elif char == "}":
            braces -= 1
        elif braces == 0:
            op = next((op for op in COMPARISONS if expr.startswith(op, i)), "")
            if op:
                out.append(op)
                i += len(op)
                if not re.match(r"\s*bool\b", expr[i:]):
                    out.append(" bool")
                continue
        out.append(char)
        i += 1
    return "".join(out)


def offsets_within(expr: str, reach: str) -> str:
    """Every ``offset`` moved to ``reach``: a hall whose history is minutes old has no data an
    hour back, and the comparison's other side is what is being checked."""
    return OFFSET.sub(f"offset {reach}", expr)
