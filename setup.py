"""The package build: pyproject.toml says what Antre is; this file adds the pure rules compiled to
C by mypyc (antre/build.py lists them and picks the build at run time).

Compiling is an optimisation, never a condition of installing: without mypy or a C compiler, or
when mypyc refuses a module, the build says so loudly and installs everything as Python, which
gives the same results more slowly. ``ANTRE_COMPILE=0`` skips compiling on purpose.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


def _rules() -> Any:
    """antre/build.py as a file: the package is not importable before it is built."""
    spec = importlib.util.spec_from_file_location("_antre_build", ROOT / "antre" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def _warn(what: str, error: BaseException | str) -> None:
    bar = "!" * 100
    print(
        f"\n{bar}\nWARNING: {what}: the rules install as pure Python (same results, slower).\n"
        f"{error}\n{bar}\n",
        file=sys.stderr,
        flush=True,
    )


def _compiled(rules: Any) -> list[Any]:
    if os.environ.get("ANTRE_COMPILE", "1").strip() in ("0", "false", "no"):
        print("ANTRE_COMPILE=0: the rules are not compiled", file=sys.stderr)
        return []
    # The repository's mypy.ini is for the type check of the whole tree (make lint): its stricter
    # flags need stubs an isolated build does not have, so the build reads a config of its own.
    config = ROOT / "build" / "mypyc.ini"
    try:
        from mypyc.build import mypycify

        config.parent.mkdir(exist_ok=True)
        config.write_text("[mypy]\n")
        return mypycify(
            [
                # The same result in any environment: installed packages (numpy, pydantic, yaml)
                # are typed Any, as in an isolated build where they are absent; errors in the
                # modules the rules import but which are not compiled are not the build's concern.
                f"--config-file={config}",
                "--no-site-packages",
                "--ignore-missing-imports",
                "--follow-imports=silent",
                *(str(rules.source(name, ROOT).relative_to(ROOT)) for name in rules.MODULES),
            ],
            group_name=rules.library_name(ROOT),
            opt_level="3",
        )
    except (Exception, SystemExit) as e:  # mypy reports its errors and exits
        _warn("mypyc could not compile the rules", e)
        return []


class BuildExt(build_ext):
    """Builds the compiled rules, or leaves none behind: half a build must never be loaded."""

    def run(self) -> None:
        rules = _rules()
        try:
            super().run()
        except Exception as e:  # no compiler, no Python headers, a compiler error
            _warn("the compiled rules did not build", e)
            self.extensions = []
            self.distribution.ext_modules = []
            if self.inplace or self.editable_mode:
                self._remove(rules, keep=set())
            return
        if self.inplace or self.editable_mode:
            # A rebuild after a change makes a new library: the old ones are dead weight.
            self._remove(rules, keep={Path(self.get_ext_fullpath(e.name)).name for e in self.extensions})

    def _remove(self, rules: Any, keep: set[str]) -> None:
        for path in rules.leftovers(ROOT):
            if path.name not in keep:
                path.unlink(missing_ok=True)


setup(ext_modules=_compiled(_rules()), cmdclass={"build_ext": BuildExt})
