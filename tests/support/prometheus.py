"""A real Prometheus on loopback scraping a running hall: the four services' /metrics every second,
with the labels production's relabelling adds (deploy/prometheus/prometheus.yml: ``hall``, ``app``,
``namespace``, ``pod``), the repository's rules and the hall's service targets loaded, and its
HTTP query API to ask."""

from __future__ import annotations

import importlib.util
import subprocess
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import yaml

from tests.support.hall import RunningHall
from tests.support.infra import ROOT, free_port

RULES = ROOT / "deploy" / "prometheus" / "rules.yaml"


class PrometheusError(AssertionError):
    """Prometheus refused a query (bad PromQL, an unknown function, a type error)."""


class Prometheus:
    def __init__(self, binary: str, folder: Path, hall: RunningHall, interval: str = "1s") -> None:
        self.binary = binary
        self.folder = folder
        self.hall = hall
        self.interval = interval
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> dict[str, Any]:
        """The scrape of every service process (replicas too), labelled as production labels it."""
        targets = []
        for key, process in sorted(self.hall.processes.items()):
            app = key.split("#")[0]
            pod = f"{app}-{key.split('#')[1] if '#' in key else '0'}"
            labels = {
                "hall": self.hall.hall_id,
                "app": app,
                "namespace": f"antre-{self.hall.hall_id}",
                "pod": pod,
            }
            targets.append({"targets": [f"127.0.0.1:{process.port}"], "labels": labels})
        return {
            "global": {"scrape_interval": self.interval, "evaluation_interval": self.interval},
            "rule_files": [str(RULES), str(self.folder / "targets.yaml")],
            "scrape_configs": [{"job_name": "antre", "static_configs": targets}],
        }

    def start(self, timeout: float = 30.0) -> Prometheus:
        """Write the configuration and the hall's targets (by deploy/prometheus/targets.py, as
        production's are), start Prometheus and wait until it is ready."""
        self.folder.mkdir(parents=True, exist_ok=True)
        generator: Any = _targets_module()  # a script loaded from its file: untyped
        generator.ROOT = Path(self.hall.hall_file.anchor)  # its header names the file from ROOT
        _, targets = generator.rules_for(self.hall.hall_file)
        (self.folder / "targets.yaml").write_text(targets)
        (self.folder / "prometheus.yml").write_text(yaml.safe_dump(self.config()))
        cmd = [
            self.binary,
            f"--config.file={self.folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        log = (self.folder / "prometheus.log").open("ab")
        self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"prometheus exited:\n{(self.folder / 'prometheus.log').read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "prometheus not ready"
            time.sleep(0.2)

    def api(self, path: str, **params: Any) -> Any:
        response = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=30.0)
        body = response.json()
        if body.get("status") != "success":
            raise PrometheusError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query now; the samples of its vector (a scalar is one sample)."""
        data = self.api("query", query=expr)
        if data["resultType"] in ("scalar", "string"):
            return [{"metric": {}, "value": data["result"]}]
        return list(data["result"])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _targets_module() -> ModuleType:
    """deploy/prometheus/targets.py, the generator of production's target rules (a script, not
    a package module)."""
    spec = importlib.util.spec_from_file_location(
        "antre_targets", ROOT / "deploy" / "prometheus" / "targets.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
