"""python -m examples.plugin --nats URL --hall kendari --agency dukcapil --post-to URL [pause|resume|close N]

Without an action it follows the agency's events and posts them; with one it sends that command
and prints the hall's answer.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

import httpx
import nats

from antre.nats_accounts import inbox_prefix
from examples.plugin.feed import Feed
from examples.plugin.orders import VERBS, send

DEFAULT_EVENTS = (
    "ticket.called,ticket.completed,counter.paused,counter.resumed,counter.closed,counter.command_refused"
)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m examples.plugin", description=__doc__.split("\n\n")[1])
    parser.add_argument("--nats", required=True, help="nats://<hall>.<agency>:<password>@host:4222")
    parser.add_argument("--hall", required=True, help="the hall's id, e.g. kendari")
    parser.add_argument("--agency", required=True, help="the agency's code in the hall file, e.g. dukcapil")
    parser.add_argument("--post-to", help="the agency's URL that receives the events as JSON")
    parser.add_argument("--events", default=DEFAULT_EVENTS, help="comma-separated events to post")
    sub = parser.add_subparsers(dest="verb")
    for verb in VERBS:
        order = sub.add_parser(verb, help=f"{verb} one of the agency's counters")
        order.add_argument("counter", type=int)
        order.add_argument("--reason", default="")
        order.add_argument("--wait", type=float, default=10.0, help="seconds to wait for the answer")
    args = parser.parse_args(argv)
    if args.verb is None and not args.post_to:
        parser.error("--post-to is needed to follow events")
    return args


async def follow(args: argparse.Namespace) -> int:
    nc = await nats.connect(
        args.nats, inbox_prefix=inbox_prefix(args.hall, args.agency), max_reconnect_attempts=-1
    )
    async with httpx.AsyncClient(timeout=10.0) as http:
        feed = Feed(nc, args.hall, args.agency, args.post_to, args.events.split(","), http)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, feed.stop)
        await feed.run()
    # Every message was acked (or will come again) before run() returned: nothing to drain.
    await nc.close()
    return 0


async def order(args: argparse.Namespace) -> int:
    nc = await nats.connect(args.nats, inbox_prefix=inbox_prefix(args.hall, args.agency))
    try:
        answer = await send(nc, args.hall, args.agency, args.verb, args.counter, args.reason, args.wait)
    finally:
        await nc.close()
    if answer.accepted is None:
        print(f"{answer.command_id}: belum ada jawaban / no answer yet (the counter may already be so)")
        return 0
    if answer.accepted:
        print(f"{answer.command_id}: diterima / accepted")
        return 0
    print(f"{answer.command_id}: ditolak / refused ({answer.code}): {answer.reason} / {answer.reason_en}")
    return 3


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args = parse(argv)
    return asyncio.run(follow(args) if args.verb is None else order(args))


if __name__ == "__main__":
    sys.exit(main())
