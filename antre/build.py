"""Which build of the pure rules runs: their C extensions (compiled by mypyc) or their source.

setup.py compiles :data:`MODULES` into one library, ``antre_rules_<digest>__mypyc``, whose name
carries a digest of their sources, plus one small extension per module that loads it. The Python
source stays the reference: ``ANTRE_PURE=1`` runs every module from it.

:func:`install` puts :class:`_Finder` first on ``sys.meta_path``; ``sim`` and ``services`` call it
from their ``__init__`` so it is there before any compiled module is imported. Decided once for
all of MODULES together (compiled calls between them skip Python, so a mix would be unsound):
compiled only if every extension is there, was built from today's sources and loads; otherwise
pure, with a warning that names the module and the reason. ``python -m antre.build`` says which.

This module is imported by setup.py as a file, before anything is installed: standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import os
import sys
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

# The rules compiled: the services' domains (display's and reports' not yet) and the twin's core
# and its day's figures.
MODULES = (
    "services.counters.domain.accounts",
    "services.counters.domain.blending",
    "services.counters.domain.dispatch",
    "services.counters.domain.queue",
    "services.counters.domain.stations",
    "services.notify.domain.citizens",
    "services.notify.domain.deliveries",
    "services.notify.domain.messages",
    "services.notify.domain.phone_codes",
    "services.notify.domain.quiet",
    "services.notify.domain.templates",
    "services.ticketing.domain.bookings",
    "services.ticketing.domain.citizen_bookings",
    "services.ticketing.domain.hours",
    "services.ticketing.domain.kiosks",
    "services.ticketing.domain.nik",
    "services.ticketing.domain.tickets",
    "services.ticketing.domain.wayfinding",
    "sim.kernel",
    "sim.citizens",
    "sim.model",
    "sim.forecast",
    "sim.stats",
)
PURE_SWITCH = "ANTRE_PURE"
_LIBRARY = "antre_rules_"  # + digest + "__mypyc": mypyc's name for a group's shared library
ROOT = Path(__file__).resolve().parent.parent  # where antre/, services/ and sim/ live


class CompiledBuildWarning(RuntimeWarning):
    """A compiled build is there but cannot be used: everything runs from source."""


def source(module: str, root: Path = ROOT) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def digest(root: Path = ROOT, modules: Sequence[str] = MODULES) -> str:
    """Of the compiled modules' names and sources: a changed line makes a build stale."""
    h = hashlib.sha256()
    for name in modules:
        h.update(name.encode() + b"\0" + source(name, root).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def library_name(root: Path = ROOT) -> str:
    """mypyc's group name for a build of today's sources; the library file adds ``__mypyc``."""
    return f"{_LIBRARY}{digest(root)}"


def pure_requested() -> bool:
    return os.environ.get(PURE_SWITCH, "").strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True)
class Build:
    compiled: bool
    reason: str  # why it is pure; empty when compiled
    library: Path | None = None


def _suffix() -> str:
    return importlib.machinery.EXTENSION_SUFFIXES[0]


def _extension(module: str, root: Path = ROOT) -> Path:
    return root.joinpath(*module.split(".")).with_name(module.rsplit(".", 1)[1] + _suffix())


def leftovers(root: Path = ROOT) -> list[Path]:
    """Every compiled file in this tree: the libraries of any build and the modules' extensions."""
    found = list(root.glob(f"{_LIBRARY}*__mypyc*"))
    for name in MODULES:
        py = source(name, root)
        found += [*py.parent.glob(py.stem + ".*.so"), *py.parent.glob(py.stem + ".*.pyd")]
    return found


def _changed(root: Path) -> list[str]:
    """The sources edited since the newest build there is: the likely reason it is stale."""
    built = max((p.stat().st_mtime for p in root.glob(f"{_LIBRARY}*__mypyc*")), default=0.0)
    return [name for name in MODULES if source(name, root).stat().st_mtime > built]


def _decide(root: Path = ROOT) -> Build:
    if pure_requested():
        return Build(False, f"{PURE_SWITCH} is set")
    library = root / f"{library_name(root)}__mypyc{_suffix()}"
    missing = [name for name in MODULES if not _extension(name, root).exists()]
    if not library.exists() or missing:
        if not leftovers(root):
            return Build(False, "not compiled")
        if len(missing) == len(MODULES):
            why = f"no extension for this Python ({_suffix()}): compiled for another one"
        elif missing:
            why = "no extension for " + ", ".join(missing)
        else:
            edited = ", ".join(_changed(root)) or "one of them"
            why = f"changed since they were compiled: {edited} (make run or make test rebuilds)"
        return _fallback(why)
    name = f"{library_name(root)}__mypyc"
    try:
        spec = importlib.util.spec_from_file_location(name, library)
        assert spec is not None and spec.loader is not None
        lib = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(lib)
    except Exception as e:  # an ABI mismatch, a missing symbol, a truncated file
        return _fallback(f"{library.name} does not load: {e}")
    sys.modules[name] = lib  # where each module's extension looks for it
    return Build(True, "", library)


def _fallback(why: str) -> Build:
    warnings.warn(
        f"the compiled rules ({len(MODULES)} modules, python -m antre.build lists them) run from "
        f"their Python source: {why}",
        CompiledBuildWarning,
        stacklevel=2,
    )
    return Build(False, why)


class _Finder(importlib.abc.MetaPathFinder):
    """Answers for MODULES only, each from the one build decided for all of them."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root
        self.names = frozenset(MODULES)
        self._build: Build | None = None
        self._lock = threading.Lock()  # two threads importing two rules still decide once

    def decided(self) -> Build:
        with self._lock:
            if self._build is None:
                self._build = _decide(self.root)
            return self._build

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        if self.decided().compiled:
            where = _extension(fullname, self.root)
            loader: importlib.abc.Loader = importlib.machinery.ExtensionFileLoader(fullname, str(where))
        else:
            where = source(fullname, self.root)
            loader = importlib.machinery.SourceFileLoader(fullname, str(where))
        return importlib.util.spec_from_file_location(fullname, where, loader=loader)


_finder: _Finder | None = None


def install() -> None:
    """Idempotent; cheap until the first compiled module is imported."""
    global _finder
    if _finder is None:
        _finder = _Finder()
        sys.meta_path.insert(0, _finder)


def current() -> Build:
    install()
    assert _finder is not None
    return _finder.decided()


def log_current() -> None:
    """One line when a service starts (its logging set up): which build of the rules it runs."""
    build = current()
    which = f"compiled ({len(MODULES)} modules)" if build.compiled else f"pure ({build.reason})"
    logging.getLogger(__name__).info("rules: %s", which)


def report() -> dict[str, str]:
    """Per module, which build is loaded (importing them): ``compiled`` or ``pure``."""
    out: dict[str, str] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        origin = getattr(module, "__file__", "") or ""
        out[name] = "pure" if origin.endswith(".py") else "compiled"
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m antre.build", description="Which build of the pure rules runs: compiled or pure."
    )
    what = p.add_mutually_exclusive_group()
    what.add_argument("--summary", action="store_true", help="one line: the build and why")
    what.add_argument("--sources", action="store_true", help="the compiled modules' sources")
    what.add_argument("--clean", action="store_true", help="delete the compiled files in this tree")
    p.add_argument("--require-compiled", action="store_true", help="fail unless the build is compiled")
    args = p.parse_args(argv)
    if args.sources:  # for the Makefile: what a rebuild depends on
        print(" ".join(str(source(name).relative_to(ROOT)) for name in MODULES))
        return 0
    if args.clean:
        for path in leftovers():
            path.unlink()
            print(f"deleted {path}")
        return 0
    build = current()
    if not args.summary:
        for name, kind in report().items():
            print(f"{kind:8} {name}")
    if build.compiled:
        print(f"rules: compiled ({len(MODULES)} modules, {build.library.name if build.library else ''})")
    elif pure_requested() or build.reason != "not compiled":
        print(f"rules: pure ({build.reason})")
    else:  # the install could not compile them: say it where nobody reads pip's output
        print(f"WARNING: rules: pure ({build.reason}; see the install's output)", file=sys.stderr)
    return 1 if args.require_compiled and not build.compiled else 0


if __name__ == "__main__":
    # Run as a script this file is not the module sim and services install their finder from.
    from antre.build import main as _main

    raise SystemExit(_main())
