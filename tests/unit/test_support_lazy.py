"""The tests' support starts no PostgreSQL while modules are imported or tests collected: a run
that needs none (the unit ring, a browser test) must not wait for a container, or fail without one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
MODULES = [
    "tests.conftest",
    "tests.support.stores",
    "tests.support.replicas",
    "tests.support.ticketing_app",
    "tests.integration.antre.test_db_pool",
    "tests.integration.reports.test_figures_sql",
]


def test_importing_the_support_and_the_postgresql_tests_asks_for_no_database() -> None:
    script = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "from tests.support.infra import postgres_url\n"
        "print(postgres_url.cache_info().misses)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
