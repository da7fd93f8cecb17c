"""Tools the browser and voice tests need from the system: Debian's Chromium and espeak-ng.

A missing one skips its tests on a developer's machine; with ``ANTRE_REQUIRE_TOOLS=1`` (set by CI)
it fails them, so CI cannot pass by skipping the pages or the voice."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

SWITCH = "ANTRE_REQUIRE_TOOLS"


def required() -> bool:
    return os.environ.get(SWITCH, "").strip() not in ("", "0")


def missing(message: str) -> NoReturn:
    """Skip the test, or fail it where the tools are required."""
    if required():
        pytest.fail(f"{message} ({SWITCH}=1)")
    pytest.skip(message)
