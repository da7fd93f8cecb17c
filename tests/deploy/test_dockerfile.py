"""deploy/docker: hadolint finds nothing, every service has its target, and the image carries
what the services read at run time. (No image is built here: this machine has no container
engine; docs/operations.md says how Kominfo builds them.)"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import tomllib

import yaml

from tests.deploy.conftest import DEPLOY, ROOT, SERVICES, run

DOCKERFILE = DEPLOY / "docker" / "Dockerfile"


def stages() -> dict[str, str]:
    """Stage name -> its instructions."""
    text = DOCKERFILE.read_text()
    parts = re.split(r"^FROM ", text, flags=re.M)[1:]
    return {re.match(r"\S+ AS (\S+)", part).group(1): part for part in parts}  # type: ignore[union-attr]


def test_hadolint_finds_nothing(hadolint) -> None:
    run([hadolint, "--failure-threshold", "info", str(DOCKERFILE)])


def base_of(stage: str) -> str:
    return stages()[stage].split(" AS ", 1)[0]


def test_each_service_has_a_target_that_runs_it_with_uvicorn() -> None:
    targets = stages()
    for svc in SERVICES:
        base = base_of(svc)
        assert base == "runtime" or base_of(base) == "runtime", f"{svc} builds on the runtime stage"
        (cmd,) = re.findall(r"^CMD (\[.*\])$", targets[svc], flags=re.M)
        assert yaml.safe_load(cmd)[:8] == [
            "uvicorn",
            f"services.{svc}.bootstrap:create_app",
            "--factory",
            "--host",
            "0.0.0.0",
            "--port",
            "8000",
            "--timeout-graceful-shutdown",
        ]


def test_the_runtime_image_is_pinned_unprivileged_healthy_and_without_build_tools() -> None:
    text = DOCKERFILE.read_text()
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", text, flags=re.M)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+", base), "an exact, slim tag"
    runtime = stages()["runtime"]
    assert re.search(r"^USER 10001:10001$", runtime, flags=re.M), "numeric, so runAsNonRoot can check"
    assert "HEALTHCHECK" in runtime and "/livez" in runtime
    assert "apt-get" not in runtime and "pip install" not in runtime
    assert "COPY --from=build /opt/antre /opt/antre" in runtime
    # The compiler that builds the compiled rules stays in the build stage.
    for name, stage in stages().items():
        if name != "build":
            assert not re.search(r"\b(gcc|build-essential|make)\b", stage), name


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    """The allow-list beside the Dockerfile (BuildKit reads Dockerfile.dockerignore) admits
    exactly the files the build stage copies."""
    ignore = (DEPLOY / "docker" / "Dockerfile.dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = set()
    for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE.read_text(), flags=re.M):
        copied.update(p.rstrip("/") for p in line.split()[:-1])
    assert next(line for line in ignore if not line.startswith("#")) == "*"
    assert allowed == copied


def test_the_installed_package_carries_every_file_the_services_read() -> None:
    """The image installs the project (not editable), so pages, styles and migrations must be
    package data: every tracked file under antre/ and services/ matches pyproject's patterns
    (but an empty placeholder that keeps a folder in git, which no service reads)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = [p for values in config.values() for p in values]
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "antre", "services"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout.split()
    missing = [
        f
        for f in tracked
        if not f.endswith(".py")
        and not any(fnmatch.fnmatch(f.rsplit("/", 1)[-1], p) for p in patterns)
        and not (f.rsplit("/", 1)[-1] in (".keep", ".gitkeep") and (ROOT / f).stat().st_size == 0)
    ]
    assert not missing, f"not installed in the image: {missing}"


def test_the_image_copies_every_package_the_project_installs() -> None:
    """Each top-level package pyproject installs (the counters' forecast imports the twin, sim/)
    is copied into the build stage: a package left out would fail only at a pod's start."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = {p.rstrip("*") for p in config["include"]}
    copied = {
        p.rstrip("/")
        for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE.read_text(), flags=re.M)
        for p in line.split()[:-1]
    }
    assert packages <= copied, f"not copied into the image: {sorted(packages - copied)}"


def test_only_the_reports_image_carries_pango_and_a_font_and_it_runs_unprivileged() -> None:
    """WeasyPrint (the monthly PDF) loads Pango, HarfBuzz's subsetter and fontconfig at run time and
    lays text out in a font of the image; the other images stay as slim as the runtime."""
    assert base_of("reports") == "runtime-pdf"
    assert [stage for stage in stages() if base_of(stage) == "runtime-pdf"] == ["reports"]
    pdf = stages()["runtime-pdf"]
    (install,) = re.findall(r"apt-get install -y --no-install-recommends \\\n\s+(.+?) \\\n", pdf)
    assert set(install.split()) == {
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-dejavu-core",
    }
    assert "rm -rf /var/lib/apt/lists/*" in pdf
    assert re.findall(r"^USER (\S+)$", pdf, flags=re.M)[-1] == "10001:10001"
    # fontconfig writes its cache where the read-only root lets it: the pod's /tmp.
    assert "XDG_CACHE_HOME=/tmp/" in pdf
