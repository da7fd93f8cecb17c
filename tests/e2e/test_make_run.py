"""``make run`` (``python -m tools.devhall``): the whole hall up within 60 s on embedded defaults,
a clean stop on Ctrl-C, and a restart that keeps the day's numbering; a clear refusal at once
when its ports are taken or a real hall lacks its NIK key."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import nats
import pytest

from antre.events import stream_name
from antre.hall.load import load_hall
from antre.nats_accounts import agency_consumer
from tests.support.infra import KENDARI as KENDARI_FILE
from tests.support.infra import ROOT, free_port
from tools import devhall
from tools.devhall import demo_supervisor, port_in_use

KENDARI = load_hall(KENDARI_FILE)

pytestmark = pytest.mark.e2e


def start(state: Path, base: int, nats: int) -> tuple[subprocess.Popen[str], float, str]:
    began = time.monotonic()
    process = subprocess.Popen(
        devhall.command(state, base, nats),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    banner = ""
    while "Ctrl-C" not in banner:
        line = process.stdout.readline()
        assert line, f"make run ended early:\n{banner}"
        banner += line
        assert time.monotonic() - began < 60, banner
    return process, time.monotonic() - began, banner


def kiosk_headers(banner: str) -> dict[str, str]:
    """The first kiosk's token, from the address the banner prints for it."""
    token = re.search(r"/kiosk\?kiosk=kiosk-1#device=(\S+)", banner)
    assert token, banner
    return {"Authorization": f"Bearer {token.group(1)}"}


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0


def test_make_run_serves_the_hall_and_keeps_the_day(tmp_path: Path) -> None:
    base, nats = free_port(), free_port()
    while nats in range(base, base + 5):
        nats = free_port()
    process, seconds, banner = start(tmp_path / "state", base, nats)
    try:
        assert seconds < 60
        for port in range(base, base + 5):
            assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
        kiosk = httpx.get(f"http://127.0.0.1:{base}/kiosk")
        assert kiosk.status_code == 200 and "<html" in kiosk.text.lower()
        tickets = f"http://127.0.0.1:{base}/api/v1/tickets"
        assert httpx.post(tickets, json={"service": "ktp-el"}).status_code == 401  # no kiosk's token
        first = httpx.post(tickets, json={"service": "ktp-el"}, headers=kiosk_headers(banner)).json()
        login = httpx.post(
            f"http://127.0.0.1:{base + 1}/api/v1/sessions",
            json={"username": "dukcapil1", "password": "antre-demo"},
        )
        assert login.status_code == 200
        reports_serve_the_live_hall(banner, base)
        assert asyncio.run(agency_consumers(f"nats://127.0.0.1:{nats}")) == sorted(
            agency_consumer(a.code) for a in KENDARI.agencies
        )
    finally:
        stop(process)
    process, _, again = start(tmp_path / "state", base, nats)
    assert kiosk_headers(again) == kiosk_headers(banner)  # a kiosk page left open keeps working
    try:
        second = httpx.post(tickets, json={"service": "ktp-el"}, headers=kiosk_headers(banner)).json()
    finally:
        stop(process)
    assert (first["number"], second["number"]) == ("A-001", "A-002")


def reports_serve_the_live_hall(banner: str, base: int) -> None:
    """Reports, the fifth service on the next port: its live hall answers, the banner names its
    pages and who signs in there, the counters let its pages sign in, notify links its survey."""
    reports, counters = f"http://127.0.0.1:{base + 4}", f"http://127.0.0.1:{base + 1}"
    hall = httpx.get(f"{reports}/hall")
    assert hall.status_code == 200 and "<html" in hall.text.lower()
    for page in (f"{reports}/hall", f"{reports}/reports", "pengelola", demo_supervisor(KENDARI)):
        assert page in banner, page
    supervisor = httpx.post(
        f"{counters}/api/v1/sessions", json={"username": demo_supervisor(KENDARI), "password": "antre-demo"}
    )
    assert supervisor.status_code == 200
    preflight = httpx.options(
        f"{counters}/api/v1/me",
        headers={"Origin": reports, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers.get("access-control-allow-origin") == reports
    assert httpx.get(f"http://127.0.0.1:{base + 3}/").json()["citizens"]["survey"] is True


async def agency_consumers(url: str) -> list[str]:
    """The consumers agencies' plug-ins read through, made by ``make run``."""
    nc = await nats.connect(url)
    try:
        infos = await nc.jetstream().consumers_info(stream_name(KENDARI.id))
        return sorted(i.name for i in infos if i.name.startswith("agency-"))
    finally:
        await nc.close()


def refused(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, float]:
    """``make run`` that must refuse before starting anything: its exit code, what it said and
    how long it took. Nothing may be left behind: not even the state folder."""
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tools.devhall", "--state-dir", str(tmp_path / "state"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    seconds = time.monotonic() - began
    assert not (tmp_path / "state").exists(), "it started something"
    return done.returncode, done.stdout + done.stderr, seconds


def free_ports() -> tuple[int, int]:
    """A base with five free ports from it, and a free NATS port apart from them."""
    while True:
        base = free_port()
        if all(not port_in_use(p) for p in range(base, base + 5)):
            break
    nats = free_port()
    while nats in range(base, base + 5):
        nats = free_port()
    return base, nats


@pytest.mark.parametrize(("offset", "name"), [(0, "ticketing"), (4, "reports"), (None, "NATS")])
def test_make_run_refuses_ports_already_taken(tmp_path: Path, offset: int | None, name: str) -> None:
    """An earlier ``make run`` still running (or anything else) on one of the ports: it says
    which port, how to choose others, and exits non-zero at once instead of printing a banner
    for whatever answers there."""
    base, nats = free_ports()
    taken = nats if offset is None else base + offset
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", taken))
        listener.listen()
        code, said, seconds = refused(tmp_path, "--base-port", str(base), "--nats-port", str(nats))
    assert code != 0, said
    assert seconds < 5, seconds
    assert "Ctrl-C untuk berhenti" not in said  # no banner
    assert f"{taken} ({name})" in said, said
    indonesian, english = said.index("Port sudah dipakai"), said.index("Ports already in use")
    assert indonesian < english, said
    assert "--base-port" in said and "--nats-port" in said, said
    suggested = re.search(r"--base-port (\d+) --nats-port (\d+)", said)
    assert suggested, said
    suggested_base, suggested_nats = map(int, suggested.groups())
    assert taken not in (*range(suggested_base, suggested_base + 5), suggested_nats)


@pytest.mark.parametrize(("secret", "problem"), [(None, "wajib"), ("pendek", "minimal 16")])
def test_make_run_no_demo_refuses_without_the_nik_key(
    tmp_path: Path, secret: str | None, problem: str
) -> None:
    """A real hall (``--no-demo``) needs the NIK hashes' key; without it ticketing would die at
    start and the terminal only point at a log. It is named before anything starts."""
    base, nats = free_ports()
    env = {k: v for k, v in os.environ.items() if k != "ANTRE_NIK_SECRET"}
    if secret is not None:
        env["ANTRE_NIK_SECRET"] = secret
    code, said, seconds = refused(
        tmp_path, "--no-demo", "--base-port", str(base), "--nats-port", str(nats), env=env
    )
    assert code != 0, said
    assert seconds < 5, seconds
    assert "ANTRE_NIK_SECRET" in said and problem in said, said
    assert said.index("menjalankan aula sungguhan") < said.index("runs a real hall"), said
