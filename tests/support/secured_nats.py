"""A nats-server from the wheel started with the users and permissions `antre.nats_accounts`
generates for a hall, passwords in its environment as a secret would put them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from antre.hall.model import Hall
from antre.nats_accounts import PLATFORM_USER, agency_user, grants, random_passwords, render
from tests.support.infra import free_port, wait_for_port


class SecuredNats:
    def __init__(self, folder: Path, halls: list[Hall], binary: Path | None = None) -> None:
        self.binary = binary or Path(sys.executable).parent / "nats-server"
        self.folder = folder
        self.port = free_port()
        self.passwords = random_passwords(halls)
        self._variables = {g.user: g.password_variable for g in grants(halls)}
        (folder / "accounts.conf").write_text(render(halls, "tests"))
        self.config = folder / "nats-server.conf"
        self.config.write_text(
            f'listen: "127.0.0.1:{self.port}"\n'
            f'jetstream {{ store_dir: "{folder / "js"}" }}\n'
            "include ./accounts.conf\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> SecuredNats:
        self.process = start_nats(
            [str(self.binary), "-c", str(self.config)], self.passwords, self.folder, self.port
        )
        return self

    def url(self, user: str) -> str:
        password = self.passwords[self._variables[user]]
        return f"nats://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.port}"

    @property
    def platform_url(self) -> str:
        return self.url(PLATFORM_USER)

    def agency_url(self, hall: str, agency: str) -> str:
        return self.url(agency_user(hall, agency))

    @property
    def bare_url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_nats(command: list[str], env: dict[str, str], folder: Path, port: int) -> subprocess.Popen[bytes]:
    """A nats-server logging to ``folder``/nats.log; if it does not answer on ``port``, it is
    stopped and the end of its log raised."""
    log = (folder / "nats.log").open("ab")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port)
    except TimeoutError as exc:
        process.terminate()
        process.wait(timeout=10)
        raise RuntimeError(
            "nats-server did not start:\n" + (folder / "nats.log").read_text()[-2000:]
        ) from exc
    return process
