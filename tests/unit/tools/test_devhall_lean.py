"""``make run``'s launcher stays up as long as the hall does and holds whatever it imports all
that time: it keeps to the standard library, and the set-up that needs the services' modules runs
in processes of its own (tools/devhall_setup.py). The services' imports are checked on the
images' own package set in tests/deploy/test_image_packages.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[3]


def test_the_launcher_imports_only_the_standard_library() -> None:
    script = (
        "import json, sys\n"
        "import tools.devhall\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    outside = [m for m in json.loads(done.stdout) if not m.startswith("_") and m not in ("antre", "tools")]
    assert outside == [], outside
