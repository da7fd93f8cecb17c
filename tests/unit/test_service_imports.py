"""A service holds what it imports for as long as it runs: libraries only some requests need
(python-escpos and Pillow for a network printer, openpyxl for a spreadsheet, WeasyPrint for a
PDF, the twin's scipy and matplotlib) are imported by those requests, not by the app's start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
ON_DEMAND = {"escpos", "PIL", "openpyxl", "weasyprint", "scipy", "matplotlib"}
SERVICES = ["ticketing", "counters", "display", "notify", "reports"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_starts_without_the_libraries_only_some_requests_need(service: str) -> None:
    script = (
        "import json, sys\n"
        f"from services.{service}.bootstrap import create_app\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert sorted(ON_DEMAND & set(json.loads(done.stdout))) == []
