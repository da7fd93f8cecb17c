"""Call-to-board and call-to-first-sound latency with many boards open (not a test).

    .venv/bin/python -m tests.integration.display.voice_bench --boards 200 --calls 30

The display runs as production runs it (uvicorn in its own process, NATS JetStream, PostgreSQL
when ``ANTRE_BENCH_DATABASE_URL`` is set, else SQLite in a temporary folder) with espeak-ng's
default voice pack (``--pack tones`` for a pack of short tones, if espeak-ng is missing). NATS is
``ANTRE_BENCH_NATS_URL``, else a nats-server of its own from the wheel.

``--boards`` connections are open on the zones' live streams during the run: one speaker page
per zone in real headless Chromium (``?speaker=1``, the voice pack decoded, sound on) and the
rest as bare-socket streams (fanout_bench's RawBoard), spread over the zones. The bench then
publishes ``TicketCalled`` to JetStream, ``--interval`` seconds apart, going round the zones, so
that each call finds its zone quiet (otherwise the figure would be the arbiter's queue, not the
system's latency). Every latency starts at the wall-clock moment just before the publish:

- call-to-board: the moment a bare-socket board reads the call's ``announcement`` event, and the
  moment the speaker page's EventSource hands it to the page (``antreBoard.shown[].receivedAt``);
- call-to-first-sound: the moment the speaker page scheduled the first sample of the call's chime
  on the Web Audio clock (``antre:play`` event ``at``). The audio device's output latency comes on
  top (``AudioContext.outputLatency``, printed; headless Chromium's is a fake device's).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import nats

from antre.bus import ensure_stream
from antre.events import EVENT_HEADER, MSG_ID_HEADER, event_name
from antre.hall.load import load_hall, read_document
from tests.integration.display.board_browser import chromium, screen, wait
from tests.integration.display.fanout_bench import RawBoard, pct
from tests.integration.display.voice_packs import tone_pack
from tests.support.hall import RunningHall
from tests.support.infra import KENDARI, NatsServer
from tests.unit.display import display_factories as f

# A counter and a service in each of Kendari's zones.
ZONES = {
    "lantai-1-a": (1, "ktp-el"),
    "lantai-1-b": (7, "perizinan-berusaha"),
    "lantai-2": (13, "pkb-tahunan"),
}


class WallBoard(RawBoard):
    """A bare-socket board that notes wall-clock arrival (comparable with the browser's)."""

    def line(self, line: str) -> None:
        before = len(self.heard)
        super().line(line)
        for number in list(self.heard)[before:]:
            self.heard[number] = time.time()


def stats(name: str, values: list[float]) -> str:
    if not values:
        return f"{name}: no samples"
    return (
        f"{name}: n={len(values)} p50={statistics.median(values):.1f} ms p90={pct(values, 90):.1f} ms "
        f"p99={pct(values, 99):.1f} ms max={max(values):.1f} ms"
    )


async def open_boards(boards: list[WallBoard]) -> list[asyncio.Task[None]]:
    tasks = [asyncio.create_task(b.run()) for b in boards]
    await asyncio.wait_for(asyncio.gather(*(b.ready.wait() for b in boards)), 120)
    return tasks


async def close_boards(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def run(args: argparse.Namespace) -> None:
    db_url = os.environ.get("ANTRE_BENCH_DATABASE_URL") or None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        nats_server = None
        nats_url = os.environ.get("ANTRE_BENCH_NATS_URL")
        if not nats_url:
            nats_server = NatsServer(folder / "nats").start()
            nats_url = nats_server.url
        if args.pack == "espeak":
            from services.display.adapters import espeak

            voice = folder / "voice"
            espeak.build(voice, ("id",))
        else:
            voice = tone_pack(folder / "voice")
        zones = list(ZONES)[: args.zones]
        # Every call its own announcement: the figures are per call, and a speaker page's play
        # log counts announcements (a burst would otherwise be said, and counted, in groups).
        voice_settings = {**read_document(KENDARI.read_text())["announcements"], "group_max": 1}
        env = {"ANTRE_VOICE_DIR": str(voice)}
        running = RunningHall(folder, nats_url, db_url, ("display",), env, announcements=voice_settings)
        try:
            running.start()
            measure(args, running, zones)
        finally:
            running.stop()
            if nats_server is not None:
                nats_server.stop()


def measure(args: argparse.Namespace, running: RunningHall, zones: list[str]) -> None:
    hall = load_hall(running.hall_file)
    base = running.url("display")
    loop = asyncio.new_event_loop()
    raw = [
        WallBoard(f"{base}/api/v1/zones/{zones[k % len(zones)]}/events")
        for k in range(args.boards - len(zones))
    ]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    tasks = asyncio.run_coroutine_threadsafe(open_boards(raw), loop).result(180)
    sent: dict[str, tuple[str, float]] = {}  # number -> (zone, wall ms before publish)

    async def publish_all() -> None:
        nc = await nats.connect(running.nats_url)
        js = nc.jetstream()
        await ensure_stream(js, hall.id)
        start = time.monotonic()
        for i in range(args.calls):
            zone = zones[i % len(zones)]
            counter, service = ZONES[zone]
            number = f"{'ABC'[i % len(zones)]}-{i + 1:03d}"
            await asyncio.sleep(max(0.0, start + i * args.interval - time.monotonic()))
            envelope = f.called(hall, f"t{number}", number, service, counter, dt.datetime.now(dt.UTC))
            headers = {MSG_ID_HEADER: envelope.event_id, EVENT_HEADER: event_name(envelope.message)}
            sent[number] = (zone, time.time() * 1000)
            await js.publish(envelope.subject, envelope.message.SerializeToString(), headers=headers)
        await nc.drain()

    with chromium() as browser:
        speakers = {z: screen(browser, sound_on=True).open(f"{base}/boards/{z}?speaker=1") for z in zones}
        latency_out = speakers[zones[0]].js("window.antreBoard.voice.context().outputLatency || 0")
        total = len(raw) + len(speakers)
        print(f"{total} board connections open ({len(raw)} bare sockets, {len(speakers)} pages)")
        started = time.monotonic()
        publishing = asyncio.run_coroutine_threadsafe(publish_all(), loop)
        page = speakers[zones[0]].page
        wait(page, lambda: publishing.done(), timeout=args.calls * args.interval + 60, what="the calls")
        publishing.result()
        wait(page, lambda: sum(len(s.plays) for s in speakers.values()) >= args.calls, 60, "every call heard")
        elapsed = time.monotonic() - started
        shown = {
            s["number"]: s["receivedAt"] for sp in speakers.values() for s in sp.js("window.antreBoard.shown")
        }
        plays = [p for sp in speakers.values() for p in sp.plays]

    asyncio.run_coroutine_threadsafe(close_boards(tasks), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()

    board_ms = [b.heard[n] * 1000 - at for b in raw for n, (_, at) in sent.items() if n in b.heard]
    page_ms = [shown[n] - at for n, (_, at) in sent.items() if n in shown]
    sound_ms = [p["at"] - sent[p["number"]][1] for p in plays if p["number"] in sent]
    missing = sum(
        1 for b in raw for n, (z, _) in sent.items() if b.url.endswith(f"/{z}/events") and n not in b.heard
    )
    print(
        f"{args.calls} calls over {elapsed:.0f} s, {len(zones)} zones, pack {args.pack}, "
        f"{os.cpu_count()} cores, database {'PostgreSQL' if running.database_url else 'SQLite'}; "
        f"boards missing a call of their zone: {missing}; plays via {sorted({p['via'] for p in plays})}"
    )
    print(stats("call-to-board (bare-socket boards)", board_ms))
    print(stats("call-to-board (speaker pages)", page_ms))
    print(stats("call-to-first-sound (speaker pages, scheduled)", sound_ms))
    print(f"audio output latency of the page's device: {latency_out * 1000:.0f} ms (not included above)")
    if args.verbose:
        for p in sorted(plays, key=lambda p: sent[p["number"]][1]):
            zone, at = sent[p["number"]]
            print(
                f"  {p['number']} {zone}: page {shown[p['number']] - at:.1f} ms, sound {p['at'] - at:.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--boards", type=int, default=200, help="open board connections in all")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--zones", type=int, default=3, choices=(1, 2, 3))
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between two calls")
    parser.add_argument("--pack", choices=("espeak", "tones"), default="espeak")
    parser.add_argument("--verbose", action="store_true", help="each call's figures")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
