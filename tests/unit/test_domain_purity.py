"""Every service's domain imports only the standard library and itself (plus the standard-library
parts of antre it names below), followed through every module it reaches: the simulator must be
able to import the rules bare."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/domain"))
# Plumbing a domain may use: standard library only itself (checked by the same walk).
ALLOWED_INTERNAL = {"antre.hall.model", "antre.problems", "antre.roles", "antre.speech"}


def _module_file(name: str, root: Path = ROOT) -> Path | None:
    path = root / Path(*name.split("."))
    if (path / "__init__.py").exists():
        return path / "__init__.py"
    if path.with_suffix(".py").exists():
        return path.with_suffix(".py")
    return None


def _imports(file: Path, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _violations(domain: str, root: Path = ROOT) -> list[str]:
    bad: list[str] = []
    seen: set[str] = set()
    todo = [
        f"{domain}.{p.stem}" if p.stem != "__init__" else domain
        for p in (root / Path(*domain.split("."))).glob("*.py")
    ]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        file = _module_file(name, root)
        if file is None:
            continue
        package = name if file.name == "__init__.py" else name.rsplit(".", 1)[0]
        for imported in _imports(file, package):
            top = imported.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            if imported.startswith(domain) or imported in ALLOWED_INTERNAL:
                if _module_file(imported, root) is not None:
                    todo.append(imported)
                continue
            if any(imported.startswith(a + ".") for a in ALLOWED_INTERNAL):
                continue  # a name imported from an allowed module
            bad.append(f"{name} imports {imported}")
    return bad


def test_there_are_domains_to_check() -> None:
    assert {"ticketing", "counters"} <= set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_domain_is_pure(service: str) -> None:
    assert _violations(f"services.{service}.domain") == []


@pytest.mark.parametrize("module", sorted(ALLOWED_INTERNAL))
def test_allowed_plumbing_is_pure(module: str) -> None:
    file = _module_file(module)
    assert file is not None
    outside = {
        i
        for i in _imports(file, module.rsplit(".", 1)[0])
        if i.split(".")[0] not in sys.stdlib_module_names
        and i != "__future__"
        and not any(i == a or i.startswith(f"{a}.") for a in ALLOWED_INTERNAL)  # one another
    }
    assert outside == set()


def test_the_check_catches_an_import_reached_through_a_helper(tmp_path: Path) -> None:
    domain = tmp_path / "services" / "probe" / "domain"
    domain.mkdir(parents=True)
    (domain / "__init__.py").write_text("")
    (domain / "rules.py").write_text("from . import helper\nimport datetime\n")
    (domain / "helper.py").write_text("from sqlalchemy import select\n")
    assert sorted(_violations("services.probe.domain", tmp_path)) == [
        "services.probe.domain.helper imports sqlalchemy",
        "services.probe.domain.helper imports sqlalchemy.select",
    ]
