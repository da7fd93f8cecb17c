"""What runs in the hall stays apart from what a developer runs beside it:

- nothing in the runtime (``antre``, ``services``, ``sim``: what the images copy and the wheel
  ships) imports the developer's tools (``tools``) or the tests (``tests``), at the top of a module
  or inside a function;
- the benchmarks (``bench``) take their halls and fixtures from ``tools``, never from the tests;
- the images copy no ``tools``, ``tests`` or ``bench`` folder, and the wheel ships none of them.
"""

from __future__ import annotations

import ast
import re
import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ("antre", "services", "sim")
# Who may not import whom: a runtime package neither the tools nor the tests, the benchmarks not the tests.
FORBIDDEN = {**{package: ("tools", "tests") for package in RUNTIME}, "bench": ("tests",)}
OUTSIDE = ("tools", "tests", "bench")


def imported(file: Path, package: str) -> set[str]:
    """The modules a file imports, absolute (a relative import resolved against ``package``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(), str(file))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                stem = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{stem}.{base}" if base else stem
            found.add(base)
    return found


def crossings(root: Path) -> list[str]:
    found = []
    for top, banned in FORBIDDEN.items():
        for file in sorted((root / top).rglob("*.py")):
            relative = file.relative_to(root)
            package = ".".join(relative.parent.parts)
            for name in sorted(imported(file, package)):
                if name.split(".")[0] in banned:
                    found.append(f"{relative.as_posix()}: imports {name}")
    return found


def copied_by_images(dockerfile: str) -> set[str]:
    """The top-level folders the Dockerfile's COPY lines take from the build context."""
    folders = set()
    for line in dockerfile.splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            folders |= {w.strip("./").split("/")[0] for w in words[1:-1] if not w.startswith("--")}
    return folders


def shipped_by_wheel(pyproject: str) -> list[str]:
    """Which of the folders outside the runtime the wheel's package patterns would take."""
    patterns = tomllib.loads(pyproject)["tool"]["setuptools"]["packages"]["find"]["include"]
    wildcard = [re.compile(re.escape(p).replace(r"\*", ".*") + "$") for p in patterns]
    return [folder for folder in OUTSIDE if any(p.match(folder) for p in wildcard)]


def test_the_runtime_imports_neither_tools_nor_tests_and_the_benchmarks_not_the_tests() -> None:
    assert crossings(ROOT) == []


def test_neither_the_images_nor_the_wheel_carry_the_tools() -> None:
    copied = copied_by_images((ROOT / "deploy" / "docker" / "Dockerfile").read_text())
    assert set(RUNTIME) <= copied, copied  # the check reads the COPY lines it means to read
    assert copied.isdisjoint(OUTSIDE), copied
    assert shipped_by_wheel((ROOT / "pyproject.toml").read_text()) == []


def test_a_planted_import_is_reported(tmp_path: Path) -> None:
    for top in FORBIDDEN:
        shutil.copytree(ROOT / top, tmp_path / top, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    assert crossings(tmp_path) == []  # the copy is clean as it is
    (tmp_path / "antre" / "planted.py").write_text("from tools.hall import free_port\n")
    (tmp_path / "services" / "notify" / "handlers" / "planted.py").write_text(
        "def later() -> None:\n    import tests.support.infra\n"
    )
    (tmp_path / "sim" / "planted.py").write_text("from tools import catalogue\n")
    (tmp_path / "bench" / "planted.py").write_text(
        "from tools.local_hall import LocalHall\nfrom tests.support.hall import RunningHall\n"
    )

    assert crossings(tmp_path) == [
        "antre/planted.py: imports tools.hall",
        "services/notify/handlers/planted.py: imports tests.support.infra",
        "sim/planted.py: imports tools",
        "bench/planted.py: imports tests.support.hall",
    ]


def test_a_planted_copy_or_package_pattern_is_reported() -> None:
    dockerfile = "COPY antre ./antre\nCOPY --from=build /opt/antre /opt/antre\nCOPY tools ./tools\n"
    assert copied_by_images(dockerfile) == {"antre", "tools"}
    pyproject = '[tool.setuptools.packages.find]\ninclude = ["antre*", "t*"]\n'
    assert shipped_by_wheel(pyproject) == ["tools", "tests"]
