"""Who may do what on a hall's NATS server: one user for the platform's services, one for the
reports service, one per agency.

The reports service keeps the hall's record and serves citizens' survey pages, so it logs in as
a user of its own that may do only its part (``reports``): read the hall's stream through its
durable consumer ``reports-record`` (the consumer's info, create, next and acks, and the stream's
info), publish ``survey.answered`` events and its replicas' live notes, and nothing else. It can
neither publish a ticket's or a counter's event nor read another service's or an agency's
consumer. (It still receives replies on any ``_INBOX.>``, as the platform does: the services'
NATS client uses the default inbox prefix.)

An agency's user reads only its own agency's events and sends only its own commands:

- it pulls from one durable consumer the platform made for it (``agency-<code>``, filtered to
  ``antre.<hall>.<code>.*.*``, the agency's events) and acks what it pulled; it can neither make
  a consumer nor read the stream in any other way (no other ``$JS.API`` subject is allowed);
- it receives replies only on inboxes of its own (``_INBOX.<hall>.<code>.>``: its client must
  connect with that inbox prefix), so it cannot listen to another client's replies;
- it may subscribe to its own subjects ``antre.<hall>.<code>.>`` on plain NATS (live, not
  replayed), and publish only its commands, ``antre.<hall>.<code>.command.>`` (events have five
  tokens, commands six, so it can never publish an event).

Passwords are never written here: the configuration names environment variables
(``$ANTRE_NATS_<USER>``) that nats-server reads at start, filled from a secret.

    python -m antre.nats_accounts config examples/kendari.yaml -o deploy/nats/accounts.conf
    python -m antre.nats_accounts passwords examples/kendari.yaml > nats.env   # fresh, random
    python -m antre.nats_accounts consumers examples/kendari.yaml --nats nats://antre:...@host:4222
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import string
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from antre.events import stream_name
from antre.hall.load import load_hall
from antre.hall.model import Hall

PLATFORM_USER = "antre"
# Named like the platform, not like an agency (``<hall>.<agency>``), so no agency's user can
# ever share its name or its password variable.
REPORTS_USER = "reports"
# The reports service's durable consumer (``reports-`` + services/reports/entrypoints/consumers.py's
# DURABLE), the events it publishes (the deployment tests check this list against the events its
# code builds), and its replicas' live notes (antre/runtime.py).
REPORTS_CONSUMER = "reports-record"
REPORTS_EVENTS = ("survey.answered", "skm.index")


@dataclass(frozen=True)
class Grant:
    user: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]

    @property
    def password_variable(self) -> str:
        return "ANTRE_NATS_" + re.sub(r"[^A-Z0-9]", "_", self.user.upper())


def agency_user(hall: str, agency: str) -> str:
    return f"{hall}.{agency}"


def inbox_prefix(hall: str, agency: str) -> str:
    return f"_INBOX.{hall}.{agency}"


def agency_consumer(agency: str) -> str:
    return f"agency-{agency}"


def agency_events(hall: str, agency: str) -> str:
    """An agency's events and nothing else: its commands have a sixth token."""
    return f"antre.{hall}.{agency}.*.*"


def agency_commands(hall: str, agency: str) -> str:
    return f"antre.{hall}.{agency}.command.>"


def platform_grant() -> Grant:
    # The services publish events, run JetStream (streams, consumers, acks, flow control) and read
    # replies on their own inboxes. They never answer requests, so they publish no inbox.
    return Grant(
        PLATFORM_USER,
        publish=("antre.>", "$JS.API.>", "$JS.ACK.>", "$JS.FC.>"),
        subscribe=("antre.>", "_INBOX.>"),
    )


def live_subject(hall: str, service: str) -> str:
    """Where a service's replicas pass their live notes to each other (plain NATS)."""
    return f"antre.live.{hall}.{service}"


def reports_grant(halls: Sequence[str]) -> Grant:
    """The reports service on every hall of the server: its own consumer and its own event."""
    publish: list[str] = []
    subscribe: list[str] = []
    for hall in halls:
        stream, consumer = stream_name(hall), REPORTS_CONSUMER
        publish += [
            *(f"antre.{hall}.*.{event}" for event in REPORTS_EVENTS),
            # The stream is looked up, never made: the platform's services make it.
            f"$JS.API.STREAM.INFO.{stream}",
            f"$JS.API.CONSUMER.INFO.{stream}.{consumer}",
            # nats-py makes a durable by the legacy subject; newer clients name it, with or without
            # the filter in the subject.
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.{consumer}",
            f"$JS.API.CONSUMER.CREATE.{stream}.{consumer}",
            f"$JS.API.CONSUMER.CREATE.{stream}.{consumer}.>",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}",
            f"$JS.ACK.{stream}.{consumer}.>",
            live_subject(hall, "reports"),
        ]
        subscribe.append(live_subject(hall, "reports"))
    return Grant(REPORTS_USER, publish=tuple(publish), subscribe=(*subscribe, "_INBOX.>"))


def agency_grant(hall: str, agency: str) -> Grant:
    stream, consumer = stream_name(hall), agency_consumer(agency)
    return Grant(
        agency_user(hall, agency),
        publish=(
            agency_commands(hall, agency),
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}",
            f"$JS.API.CONSUMER.INFO.{stream}.{consumer}",
            f"$JS.ACK.{stream}.{consumer}.>",
        ),
        subscribe=(f"antre.{hall}.{agency}.>", f"{inbox_prefix(hall, agency)}.>"),
    )


def grants(halls: Sequence[Hall]) -> list[Grant]:
    found = [platform_grant(), reports_grant([h.id for h in halls])]
    found += [agency_grant(h.id, a.code) for h in halls for a in h.agencies]
    variables: dict[str, str] = {}
    for grant in found:
        other = variables.setdefault(grant.password_variable, grant.user)
        if other != grant.user:
            raise ValueError(
                f"{grant.user} dan {other} memakai variabel sandi yang sama / "
                f"{grant.user} and {other} share a password variable: {grant.password_variable}"
            )
    return found


def render(halls: Sequence[Hall], command: str) -> str:
    lines = [
        f"# Generated by `{command}`; do not edit.",
        "# Users of the hall's NATS server and what each may do (see deploy/nats/README.md).",
        "# Each password comes from the environment variable named after `password:`.",
        "authorization {",
        "  users: [",
    ]
    for grant in grants(halls):
        lines += [
            "    {",
            f"      user: {json.dumps(grant.user)}",
            f"      password: ${grant.password_variable}",
            "      permissions: {",
            f"        publish: {{allow: {_list(grant.publish)}}}",
            f"        subscribe: {{allow: {_list(grant.subscribe)}}}",
            "      }",
            "    }",
        ]
    return "\n".join([*lines, "  ]", "}", ""])


def _list(subjects: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(s) for s in subjects) + "]"


def random_password(length: int = 32) -> str:
    """Letters and digits, a letter first: nats-server reads a variable's value as a value of its
    configuration, so one starting with a digit or '-' is taken for a number and refused."""
    return secrets.choice(string.ascii_letters) + "".join(
        secrets.choice(string.ascii_letters + string.digits) for _ in range(length - 1)
    )


def random_passwords(halls: Sequence[Hall]) -> dict[str, str]:
    return {g.password_variable: random_password() for g in grants(halls)}


async def ensure_agency_consumers(js: JetStreamContext, hall: Hall, *, from_start: bool = False) -> list[str]:
    """One durable pull consumer per agency, filtered to its events. New ones start with the
    next event unless ``from_start`` (then the agency first reads the hall's kept history)."""
    made = []
    for agency in hall.agencies:
        name = agency_consumer(agency.code)
        try:
            await js.consumer_info(stream_name(hall.id), name)
            continue
        except NotFoundError:
            pass
        config = ConsumerConfig(
            durable_name=name,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL if from_start else DeliverPolicy.NEW,
            filter_subject=agency_events(hall.id, agency.code),
            ack_wait=30.0,
            max_ack_pending=1000,
        )
        await js.add_consumer(stream_name(hall.id), config)
        made.append(name)
    return made


async def make_consumers(
    halls: Sequence[Hall], url: str, from_start: bool = False, replicas: int = 1
) -> list[str]:
    """The ``consumers`` command: each hall's stream (made with ``replicas`` if missing) and its
    agencies' consumers; the ones it made, as ``stream: consumer``."""
    from antre import bus

    made = []
    nc = await bus.connect(url, "antre-nats-accounts")
    try:
        js = nc.jetstream()
        for hall in halls:
            await bus.ensure_stream(js, hall.id, replicas)
            made += [
                f"{stream_name(hall.id)}: {name}"
                for name in await ensure_agency_consumers(js, hall, from_start=from_start)
            ]
    finally:
        await nc.close()
    return made


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m antre.nats_accounts", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    config = sub.add_parser("config", help="write the users and permissions (nats-server include)")
    config.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    sub.add_parser("passwords", help="print fresh random passwords as NAME=value lines")
    consumers = sub.add_parser("consumers", help="make each agency's durable consumer")
    consumers.add_argument("--nats", required=True, help="URL with the platform user's credentials")
    consumers.add_argument("--from-start", action="store_true", help="new consumers read kept history")
    consumers.add_argument(
        "--replicas",
        type=int,
        default=int(os.environ.get("ANTRE_NATS_REPLICAS", "1")),
        help="replicas of the hall's stream if this creates it (default: $ANTRE_NATS_REPLICAS or 1), as the "
        "services would: run before the stream exists, it must not make a smaller one",
    )
    for action in (config, consumers, sub.choices["passwords"]):
        action.add_argument("halls", nargs="+", type=Path, help="hall files")
    args = parser.parse_args(argv)
    halls = [load_hall(path) for path in args.halls]
    if args.action == "config":
        files = " ".join(str(p) for p in args.halls)
        text = render(halls, f"python -m antre.nats_accounts config {files}")
        if args.output:
            args.output.write_text(text)
        else:
            sys.stdout.write(text)
    elif args.action == "passwords":
        sys.stdout.write("".join(f"{k}={v}\n" for k, v in random_passwords(halls).items()))
    else:
        for line in asyncio.run(make_consumers(halls, args.nats, args.from_start, args.replicas)):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
