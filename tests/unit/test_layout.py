"""Every service has one shape, and its layers import one way (the domain's purity has its own
test, tests/unit/test_domain_purity.py):

- at a service's root only ``bootstrap``, ``settings`` and ``metrics`` modules, and the packages
  ``domain``, ``adapters``, ``handlers``, ``entrypoints`` and ``migrations`` (folders of data, such
  as the display's voice pack notes, are not modules);
- entrypoints, then handlers, then adapters and the domain: a layer never imports one above it;
- no service imports another service's code;
- a service imports of the twin only its core (the forecast the counters run), never its tools.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROOT_MODULES = {"__init__", "bootstrap", "settings", "metrics"}
LAYERS = ["domain", "adapters", "handlers", "entrypoints"]  # lower to higher
ROOT_PACKAGES = {*LAYERS, "migrations"}
# What a layer may not import, in its own service. bootstrap is the composition root, above the
# layers: an entrypoint that starts the service (its command line) may ask it for the app.
ABOVE = {
    "domain": {"adapters", "handlers", "entrypoints", "bootstrap"},
    "adapters": {"handlers", "entrypoints", "bootstrap"},
    "handlers": {"entrypoints", "bootstrap"},
}
TWIN_CORE = {"sim", "sim.kernel", "sim.model", "sim.citizens", "sim.forecast", "sim.demand"}


def imported_names(file: Path, package: str) -> set[str]:
    """Every module a file imports, absolute; ``from a import b`` counts as ``a`` and ``a.b``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                stem = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{stem}.{base}" if base else stem
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def stray(service: Path) -> list[str]:
    found = []
    for entry in sorted(service.iterdir()):
        if entry.suffix == ".py" and entry.stem not in ROOT_MODULES:
            found.append(f"{entry.relative_to(service.parent.parent)}: a module at the service's root")
        elif entry.is_dir() and (entry / "__init__.py").exists() and entry.name not in ROOT_PACKAGES:
            found.append(f"{entry.relative_to(service.parent.parent)}: a package the shape does not have")
    return found


def wrong_imports(service: Path, root: Path) -> list[str]:
    found = []
    name = service.name
    for file in sorted(service.rglob("*.py")):
        relative = file.relative_to(root)
        parts = relative.with_suffix("").parts
        package = ".".join(parts[:-1])  # a package's __init__ is in the package itself
        layer = parts[2]  # services/<service>/<layer or root module>
        for imported in imported_names(file, package):
            bits = imported.split(".")
            if bits[0] == "services" and len(bits) > 1 and bits[1] != name:
                found.append(f"{relative}: imports another service, {imported}")
            elif bits[0] == "services" and len(bits) > 2 and bits[2] in ABOVE.get(layer, set()):
                found.append(f"{relative}: the {layer} layer imports {imported}, a layer above it")
            elif bits[0] == "sim" and imported not in TWIN_CORE and ".".join(bits[:2]) not in TWIN_CORE:
                found.append(f"{relative}: imports the twin's tools, {imported}")
    return found


def problems(root: Path) -> list[str]:
    found: list[str] = []
    for service in sorted(p for p in (root / "services").iterdir() if (p / "bootstrap.py").exists()):
        found += stray(service) + wrong_imports(service, root)
    return sorted(set(found))


def test_there_are_services_to_check() -> None:
    assert {p.name for p in (ROOT / "services").glob("*/bootstrap.py") for p in [p.parent]} >= {
        "ticketing",
        "counters",
        "display",
        "notify",
        "reports",
    }


def test_every_service_has_the_one_shape_and_its_layers_import_one_way() -> None:
    assert problems(ROOT) == []


def test_the_check_finds_a_stray_module_and_every_kind_of_wrong_import(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "services" / "notify", tmp_path / "services" / "notify")
    notify = tmp_path / "services" / "notify"
    assert problems(tmp_path) == []  # the copy is clean as it is
    (notify / "helpers.py").write_text("X = 1\n")
    (notify / "adapters" / "leak.py").write_text("from services.notify.handlers import deps\n")
    (notify / "handlers" / "leak.py").write_text("from ..entrypoints import http\n")
    (notify / "handlers" / "other.py").write_text("import services.counters.handlers\n")
    (notify / "handlers" / "tools.py").write_text("from sim.report import html_report\n")

    found = problems(tmp_path)

    assert found == [
        "services/notify/adapters/leak.py: the adapters layer imports services.notify.handlers, "
        "a layer above it",
        "services/notify/adapters/leak.py: the adapters layer imports services.notify.handlers.deps, "
        "a layer above it",
        "services/notify/handlers/leak.py: the handlers layer imports services.notify.entrypoints, "
        "a layer above it",
        "services/notify/handlers/leak.py: the handlers layer imports services.notify.entrypoints.http, "
        "a layer above it",
        "services/notify/handlers/other.py: imports another service, services.counters.handlers",
        "services/notify/handlers/tools.py: imports the twin's tools, sim.report",
        "services/notify/handlers/tools.py: imports the twin's tools, sim.report.html_report",
        "services/notify/helpers.py: a module at the service's root",
    ]
