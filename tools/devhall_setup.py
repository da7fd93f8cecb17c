"""``make run``'s set-up steps, each in a short-lived process of its own: the launcher
(tools/devhall.py) stays up as long as the hall does, and what it imports it holds all that time.
Enrolling the demo accounts and devices needs three services' modules (SQLAlchemy, FastAPI,
pydantic and more, some 100 MB), the agencies' consumers need the hall file and nats-py; here they
are loaded, used and given back, and the launcher keeps to the standard library.

- ``prepare``: refuses a real hall (``--no-demo``) without its settings before anything is made;
  otherwise makes the state folder, enrols the demo officers, kiosks and speaker boards, and prints
  what the banner shows as one JSON line.
- ``consumers``: the agencies' plug-in consumers on the hall's stream, once the services run.

The launcher passes its environment (``ANTRE_*``: the state folder, NATS, the hall file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from antre.hall.load import load_hall
from antre.hall.model import Hall
from tools.devhall import DEMO_PASSWORD, demo_supervisor, setting_refusal

REFUSED = 2  # the exit code of a refusal: the launcher says nothing more and exits with it


def prepare(hall_file: str, state: Path) -> dict[str, Any]:
    hall = load_hall(hall_file)
    state.mkdir(parents=True, exist_ok=True)
    return {
        "hall": {
            "id": hall.id,
            "name": hall.name,
            "kiosks": [k.id for k in hall.kiosks],
            "zones": [[z.code, z.name] for z in hall.zones],
            "first_agency": hall.agencies[0].code,
            "supervisor": demo_supervisor(hall),
        },
        "officers": _demo_officers(hall),
        "kiosks": _demo_kiosks(hall, state),
        "boards": _demo_boards(hall, state),
    }


def _demo_officers(hall: Hall) -> list[tuple[str, str]]:
    """One officer per agency, the first agency's supervisor (its side of the live hall and of
    the reports), the hall's manager and the platform's admin, all with the demo password."""
    from antre.roles import Role
    from services.counters.domain.stations import Officer
    from services.counters.entrypoints.cli import add_officers
    from services.counters.settings import Settings

    head = hall.agencies[0]
    accounts = [Officer(f"{a.code}1", a.name, a.code) for a in hall.agencies] + [
        Officer(demo_supervisor(hall), f"Kepala {head.name}", head.code, Role.SUPERVISOR),
        Officer("pengelola", "Pengelola MPP", "", Role.MANAGER),
        Officer("admin", "Admin Kominfo", "", Role.ADMIN),
    ]
    settings = Settings()  # from the environment: the launcher's ANTRE_* settings
    add_officers(settings, [(officer, DEMO_PASSWORD) for officer in accounts])
    return [(o.username, f"{o.role}, {o.agency or 'semua instansi / all agencies'}") for o in accounts]


def _demo_kiosks(hall: Hall, state: Path) -> dict[str, str]:
    """Every kiosk of the hall enrolled (a real hall's manager enrols each kiosk once)."""
    from services.ticketing.entrypoints.cli import run
    from services.ticketing.settings import Settings

    settings = Settings()  # from the environment: the launcher's ANTRE_* settings
    return _kept(
        state / "demo-kiosks.json", [k.id for k in hall.kiosks], lambda k: run(settings, "enrol-kiosk", k)
    )


def _demo_boards(hall: Hall, state: Path) -> dict[str, str]:
    """One speaker board per zone enrolled, named after its zone."""
    from services.display.entrypoints.cli import board_device
    from services.display.settings import Settings

    settings = Settings()  # from the environment: the launcher's ANTRE_* settings
    zones = [z.code for z in hall.zones]
    return _kept(
        state / "demo-boards.json", zones, lambda z: board_device(settings, "enrol-board", f"papan-{z}")
    )


def _kept(file: Path, ids: list[str], enrol: Callable[[str], str]) -> dict[str, str]:
    """Demo devices' tokens, kept in the state folder: a page left open keeps working when the
    hall restarts."""
    tokens: dict[str, str] = json.loads(file.read_text()) if file.exists() else {}
    for device in ids:
        if device not in tokens:
            tokens[device] = enrol(device)
    file.write_text(json.dumps(tokens))
    file.chmod(0o600)
    return tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.devhall_setup", description=__doc__)
    steps = parser.add_subparsers(dest="step", required=True)
    first = steps.add_parser("prepare")
    first.add_argument("--hall", required=True)
    first.add_argument("--state-dir", required=True)
    first.add_argument("--no-demo", action="store_true")
    last = steps.add_parser("consumers")
    last.add_argument("--hall", required=True)
    last.add_argument("--nats", required=True)
    args = parser.parse_args(argv)
    if args.step == "consumers":
        from antre.nats_accounts import make_consumers

        # Agencies' plug-ins read through a consumer of their own (deploy/nats/README.md); in a
        # deployment a Job makes them, here the hall does. This NATS has no users: any may connect.
        asyncio.run(make_consumers([load_hall(args.hall)], args.nats))
        return 0
    refusal = setting_refusal(os.environ) if args.no_demo else None
    if refusal:
        print(refusal, file=sys.stderr, flush=True)
        return REFUSED
    print(json.dumps(prepare(args.hall, Path(args.state_dir))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
