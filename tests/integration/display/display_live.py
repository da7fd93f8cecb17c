"""The display as it runs: the real app under uvicorn in a thread, with its own hall id (so its
JetStream stream is its own) and a SQLite store in the test's folder; and its live stream read
as a page would read it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from antre import devices
from services.display import handlers
from services.display.adapters import tables
from services.display.bootstrap import create_app
from services.display.settings import Settings
from tests.support.infra import free_port, unique, write_hall

UNREACHABLE_NATS = "nats://127.0.0.1:1"


class LiveDisplay:
    def __init__(
        self,
        folder: Path,
        nats_url: str = UNREACHABLE_NATS,
        hall: dict[str, Any] | None = None,
        **settings: Any,
    ) -> None:
        self.hall_id = unique("d")
        self.settings = Settings(
            hall_file=write_hall(folder, self.hall_id, **(hall or {})),
            state_dir=folder / "state",
            nats_url=nats_url,
            # A demo hall by default (open at any hour); no espeak-ng run per test: a pack is passed in.
            **{"demo": True, "voice_build": False, **settings},
        )
        self.app = create_app(self.settings)
        self.port = free_port()
        self.server = uvicorn.Server(
            # Open event streams never end by themselves: cut them a second after stop().
            uvicorn.Config(
                self.app, host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=1
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.board_tokens: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def deps(self) -> handlers.Deps:
        return self.app.state.ctx.deps

    def start(self) -> LiveDisplay:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the display did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10.0)

    def board_token(self, board: str = "papan-1") -> str:
        """The board's device token, enrolled (as a manager would) on first use; only an enrolled
        board's outcome reports count."""
        if board not in self.board_tokens:
            self.board_tokens[board] = devices.enrol_audited(
                self.deps.uow, tables.devices, self.hall_id, None, board, "board"
            )
        return self.board_tokens[board]

    def board_headers(self, board: str = "papan-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.board_token(board)}"}

    def speaker_url(self, zone: str, board: str = "papan-1") -> str:
        """The zone's speaker board as an enrolled board opens it: its token in the fragment."""
        return f"{self.url}/boards/{zone}?speaker=1#device={self.board_token(board)}"


@dataclass
class SseEvent:
    event: str
    data: Any
    id: str | None


@dataclass
class SseReader:
    """Reads server-sent events from an open streaming response, one at a time."""

    lines: Iterator[str]
    comments: list[str] = field(default_factory=list)

    def next(self, skip: tuple[str, ...] = ()) -> SseEvent:
        while True:
            event = self._read()
            if event.event not in skip:
                return event

    def _read(self) -> SseEvent:
        name, data, event_id = "message", "", None
        for line in self.lines:
            if line == "":
                if data:
                    return SseEvent(name, json.loads(data), event_id)
                continue
            if line.startswith(":"):
                self.comments.append(line)
            elif line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data += line[6:]
            elif line.startswith("id: "):
                event_id = line[4:]
        raise EOFError("stream ended")
