"""A small live hall for browser tests: NATS JetStream, the ticketing and counters services as real
processes (uvicorn) on free ports with a throw-away state folder, one officer account, a help desk
API key, the hall's two kiosks enrolled (their device tokens on the ``Hall``), and Debian's
headless Chromium driven by Playwright.

Nothing here is specific to pages: the process helpers (``free_port``, ``start_process``,
``wait_until``), ``run_hall`` and the ``hall`` fixture are meant to move to a shared conftest for
the end-to-end tests. The hall is demo mode (``ANTRE_DEMO=1``), so it issues numbers whatever the
hour (bookings still follow the real clock and the hall file's sessions).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv running pytest holds uvicorn and nats-server
HALL_FILE = "examples/kendari.yaml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
HELPDESK_KEY = "desk-key-for-browser-tests"  # ANTRE_API_KEYS maps it to the name "helpdesk"
READY_SECONDS = 30.0
KIOSKS = ("kiosk-1", "kiosk-2")  # the hall file's kiosks; kiosk-2 prints from its browser


# ---- process plumbing ----


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    """A child process whose output goes to a log file, shown when it fails to come up."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (services drain their consumers), then SIGKILL if it lingers."""
        if self.alive():
            self.popen.terminate()
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout)


def stop_together(processes: list[Process]) -> None:
    """Services take a few seconds each to drain: signal them all, then wait."""
    for process in processes:
        if process.alive():
            process.popen.terminate()
    for process in processes:
        process.stop()


def start_process(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> Process:
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Process(name, popen, log)


def wait_until(
    check: Callable[[], bool], what: str, process: Process, timeout: float = READY_SECONDS
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            pytest.fail(f"{process.name} exited ({process.popen.returncode}):\n{process.tail()}")
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} not ready after {timeout:.0f} s:\n{process.tail()}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def ready(url: str) -> bool:
    try:
        response = httpx.get(f"{url}/readyz", timeout=1.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and all(response.json().values())


# ---- the hall ----


@dataclass(frozen=True)
class Officer:
    username: str
    password: str
    name: str
    agency: str


@dataclass
class Hall:
    ticketing_url: str
    counters_url: str
    env: dict[str, str]
    state_dir: Path
    processes: list[Process] = field(default_factory=list)
    kiosk_tokens: dict[str, str] = field(default_factory=dict)

    def enrol(self, kiosk: str) -> str:
        """Through the ticketing CLI, as a hall's technician would; any earlier token of the kiosk
        stops working. Kept as the kiosk's token for ``issue`` and ``kiosk_url``."""
        argv = [str(BIN / "python"), "-m", "services.ticketing.entrypoints.cli", "enrol-kiosk"]
        done = subprocess.run(
            [*argv, "--kiosk", kiosk], text=True, cwd=REPO, env=self.env, capture_output=True
        )
        if done.returncode != 0 or not done.stdout.strip():
            pytest.fail(f"enrol-kiosk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        self.kiosk_tokens[kiosk] = done.stdout.strip()
        return self.kiosk_tokens[kiosk]

    def kiosk_url(self, path: str = "/kiosk", kiosk: str = "kiosk-1") -> str:
        """The kiosk page at ``path`` (say ``/kiosk?kiosk=kiosk-2``) opened with the kiosk's token
        in the fragment, as a hall manager opens it once to enrol the kiosk's browser."""
        return f"{self.ticketing_url}{path}#device={self.kiosk_tokens[kiosk]}"

    def add_officer(self, officer: Officer) -> None:
        """Through the counters CLI, as staff would; the password goes in on standard input."""
        argv = [str(BIN / "python"), "-m", "services.counters.entrypoints.cli", "add-officer"]
        argv += ["--username", officer.username, "--name", officer.name, "--agency", officer.agency]
        done = subprocess.run(
            argv, input=f"{officer.password}\n", text=True, cwd=REPO, env=self.env, capture_output=True
        )
        if done.returncode != 0:
            pytest.fail(f"add-officer failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def issue(self, service: str, priority: str = "none", kiosk: str = "kiosk-1") -> dict[str, Any]:
        """Take a number through the API, as the enrolled kiosk would."""
        response = httpx.post(
            f"{self.ticketing_url}/api/v1/tickets",
            json={"service": service, "priority": priority, "kiosk": kiosk},
            headers={"Authorization": f"Bearer {self.kiosk_tokens[kiosk]}"},
            timeout=5.0,
        )
        response.raise_for_status()
        return response.json()

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        response = httpx.get(f"{self.ticketing_url}/api/v1/tickets/{ticket_id}", timeout=5.0)
        response.raise_for_status()
        return response.json()

    def sessions(self, service: str) -> list[dict[str, Any]]:
        """The service's bookable days, each with its pool and sessions (the booking page's data)."""
        response = httpx.get(f"{self.ticketing_url}/api/v1/services/{service}/sessions", timeout=5.0)
        response.raise_for_status()
        return response.json()["days"]

    def book(self, **body: Any) -> dict[str, Any]:
        """Book through the API, as the booking page would; the booking as the API shows it."""
        response = httpx.post(f"{self.ticketing_url}/api/v1/bookings", json=body, timeout=5.0)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="package")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    """NATS + ticketing + counters, started once for the session, stopped in reverse order."""
    with run_hall(tmp_path_factory.mktemp("hall"), HALL_FILE) as running:
        yield running


@contextmanager
def run_hall(root: Path, hall_file: str | Path) -> Iterator[Hall]:
    """A hall on ``hall_file`` with its state under ``root``: for tests that need a hall file of
    their own (a session starting now, say) beside the shared ``hall``."""
    nats_port, ticketing_port, counters_port = free_port(), free_port(), free_port()
    ticketing_url = f"http://127.0.0.1:{ticketing_port}"
    counters_url = f"http://127.0.0.1:{counters_port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ANTRE_")},  # only this hall's
        "ANTRE_NATS_URL": f"nats://127.0.0.1:{nats_port}",
        "ANTRE_STATE_DIR": str(root / "state"),
        "ANTRE_DEMO": "1",
        "ANTRE_HALL_FILE": str(hall_file),
        "ANTRE_API_KEYS": json.dumps({HELPDESK_KEY: "helpdesk"}),
        "ANTRE_COUNTERS_URL": counters_url,
        "ANTRE_PUBLIC_URL": ticketing_url,
        "ANTRE_KIOSK_TICKETS_PER_MINUTE": "100000",  # tests take many numbers in a minute
        "ANTRE_BOOKING_PHONE_CHECK": "0",  # no notify here; the code step has a hall of its own
    }
    hall = Hall(ticketing_url, counters_url, env, root / "state")
    try:
        argv = [str(BIN / "nats-server"), "-js", "-a", "127.0.0.1", "-p", str(nats_port)]
        nats = start_process("nats", [*argv, "-sd", str(root / "js")], env, root)
        hall.processes.append(nats)
        wait_until(lambda: port_open(nats_port), "NATS", nats)
        services = {"ticketing": (ticketing_port, ticketing_url), "counters": (counters_port, counters_url)}
        for name, (port, _) in services.items():
            argv = [str(BIN / "uvicorn"), f"services.{name}.bootstrap:create_app", "--factory"]
            argv += ["--host", "127.0.0.1", "--port", str(port)]
            hall.processes.append(start_process(name, argv, env, root))
        for process in hall.processes[1:]:  # both start at once; wait for each to be ready
            url = services[process.name][1]
            wait_until(lambda url=url: ready(url), process.name, process)
        for kiosk in KIOSKS:
            hall.enrol(kiosk)
        yield hall
    finally:
        stop_together(hall.processes[1:])  # the services first: they drain into NATS
        stop_together(hall.processes[:1])


@pytest.fixture(scope="package")
def officer(hall: Hall) -> Officer:
    """A civil registry (Disdukcapil) officer who may open counters 1-6."""
    siti = Officer(username="capil1", password="password123", name="Siti", agency="dukcapil")
    hall.add_officer(siti)
    return siti


# ---- the browser ----


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium; Playwright's own browser downloads are never used."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the page tests need Debian's Chromium (apt-get install chromium)"
        )
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(chromium: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (separate storage, like separate devices); all closed after the test,
    which then fails if any page threw an uncaught JavaScript error."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", {"width": 1920, "height": 1080})
        options.setdefault("locale", "id-ID")
        options.setdefault("timezone_id", "Asia/Makassar")
        context = chromium.new_context(**options)
        context.set_default_timeout(10_000)
        context.on("weberror", lambda e: errors.append(f"{e.page.url if e.page else '?'}: {e.error}"))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not errors, "uncaught errors in pages:\n" + "\n".join(errors)


@pytest.fixture(scope="package")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
