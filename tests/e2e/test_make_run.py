"""``make run`` (``python -m antre.devhall``): the whole hall up within 60 s on embedded defaults,
a clean stop on Ctrl-C, and a restart that keeps the day's numbering."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import nats
import pytest

from antre.devhall import demo_supervisor
from antre.events import stream_name
from antre.hall.load import load_hall
from antre.nats_accounts import agency_consumer
from tests.support.infra import KENDARI as KENDARI_FILE
from tests.support.infra import ROOT, free_port

KENDARI = load_hall(KENDARI_FILE)

pytestmark = pytest.mark.e2e


def start(state: Path, base: int, nats: int) -> tuple[subprocess.Popen[str], float, str]:
    began = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "antre.devhall",
            "--state-dir",
            str(state),
            "--base-port",
            str(base),
            "--nats-port",
            str(nats),
        ],
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
