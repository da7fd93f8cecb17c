"""Where calibration's events come from: the hall's JetStream stream, or an export of it.

The export is JSON lines, one event per line, in stream order::

    {"seq": 42, "subject": "antre.kendari.dukcapil.ticket.called", "event": "antre.v1.TicketCalled",
     "event_id": "…", "occurred_at": "2026-03-02T01:12:09Z", "traceparent": "00-…",
     "payload": {"meta": {...}, "ticket": {...}, ...}}

``event`` is the ``Antre-Event`` header (the protobuf message's full name) and ``payload`` the
message as protobuf's canonical JSON (``google.protobuf.json_format``, field names as in the
.proto), so the file can be read by anything that reads JSON and turned back into the very same
messages. ``seq``, ``subject`` and ``traceparent`` are kept for people; reading needs only
``event`` and ``payload``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import nats
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import FetchTimeoutError, NotFoundError

from antre.events import (
    EVENT_HEADER,
    TRACE_HEADER,
    UnknownEvent,
    decode,
    event_name,
    meta_of,
    stream_name,
    subject_for,
)

MAX_PROBLEMS = 20  # a file broken on every line says so in the first few


class RecordedError(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Recorded:
    """An event as the stream holds it."""

    message: Message
    subject: str = ""
    seq: int = 0
    traceparent: str = ""


# ---- the export file -------------------------------------------------------------------------


def export_line(event: Recorded) -> str:
    meta = meta_of(event.message)
    line: dict[str, Any] = {
        "seq": event.seq,
        "subject": event.subject or subject_for(event.message),
        "event": event_name(event.message),
        "event_id": meta.event_id,
        "occurred_at": meta.occurred_at.ToJsonString(),
        "traceparent": event.traceparent,
        "payload": json_format.MessageToDict(event.message, preserving_proto_field_name=True),
    }
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def write_export(events: Iterable[Recorded], path: Path) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(export_line(event) + "\n")
            n += 1
    return n


def parse_line(text: str) -> Message:
    """One export line back into its message; ValueError says, in both languages, what is wrong."""
    try:
        line = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"bukan JSON ({exc.msg}) / not JSON ({exc.msg})") from None
    if not isinstance(line, dict) or not isinstance(line.get("event"), str) or "payload" not in line:
        raise ValueError(
            "harus objek dengan 'event' dan 'payload' / must be an object with 'event' and 'payload'"
        )
    try:
        message = decode(line["event"], b"")
    except UnknownEvent:
        raise ValueError(
            f"jenis kejadian tidak dikenal {line['event']!r} / unknown event {line['event']!r}"
        ) from None
    try:
        json_format.ParseDict(line["payload"], message)
    except json_format.ParseError as exc:
        raise ValueError(f"payload tidak sah: {exc} / invalid payload: {exc}") from None
    event_id = line.get("event_id")
    if event_id and event_id != meta_of(message).event_id:
        raise ValueError(
            "event_id tidak sama dengan payload.meta.event_id / event_id differs from payload.meta.event_id"
        )
    return message


def read_export(lines: Iterable[str], source: str = "<export>") -> list[Message]:
    """Every line's message; bad lines are reported together, each with its line number."""
    out: list[Message] = []
    problems: list[str] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            out.append(parse_line(text))
        except ValueError as exc:
            problems.append(f"{source}:{number}: baris / line {number}: {exc}")
            if len(problems) >= MAX_PROBLEMS:
                problems.append(f"{source}: berhenti setelah {MAX_PROBLEMS} / stopped after {MAX_PROBLEMS}")
                break
    if problems:
        raise RecordedError(problems)
    return out


def load_export(path: Path) -> list[Message]:
    with path.open(encoding="utf-8") as lines:
        return read_export(lines, str(path))


# ---- JetStream -------------------------------------------------------------------------------


def day_start(day: dt.date, timezone: str) -> dt.datetime:
    """The hall day's local midnight, in UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


async def read_stream(
    url: str, hall: str, reads: Sequence[tuple[str, dt.datetime]], batch: int = 500
) -> tuple[list[Recorded], int]:
    """Each ``(subject filter, start)`` read from the hall's stream by an ephemeral consumer that
    starts at that time (``DeliverPolicy.BY_START_TIME``) and runs to the stream's end; acks are
    off, so reading changes nothing for the services' durable consumers. Returns the events in
    stream order (an event matched by two reads once) and how many could not be decoded."""
    nc = await nats.connect(url, name="antre-sim-calibrate", connect_timeout=5, max_reconnect_attempts=2)
    try:
        js = nc.jetstream()
        stream = stream_name(hall)
        try:
            await js.stream_info(stream)
        except NotFoundError:
            raise RecordedError([f"stream {stream} tidak ada / no stream {stream}"]) from None
        by_seq: dict[int, Recorded] = {}
        skipped = 0
        for subject, start in reads:
            config = ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_TIME,
                opt_start_time=start,
                ack_policy=AckPolicy.NONE,
                inactive_threshold=60.0,  # the server drops it if this reader dies
            )
            sub = await js.pull_subscribe(subject, stream=stream, config=config)
            try:
                async for msg in _drain(sub, batch):
                    seq = msg.metadata.sequence.stream
                    try:
                        message = decode((msg.headers or {}).get(EVENT_HEADER, ""), msg.data)
                    except (UnknownEvent, DecodeError):
                        skipped += 1  # commands, or a newer producer's events
                        continue
                    by_seq[seq] = Recorded(
                        message, msg.subject, seq, (msg.headers or {}).get(TRACE_HEADER, "")
                    )
            finally:
                await sub.unsubscribe()
        return [by_seq[s] for s in sorted(by_seq)], skipped
    finally:
        await nc.close()


async def _drain(sub: JetStreamContext.PullSubscription, batch: int) -> AsyncIterator[Msg]:
    while True:
        try:
            msgs = await sub.fetch(batch, timeout=1.0)
        except (TimeoutError, NatsTimeout, FetchTimeoutError):
            return
        for msg in msgs:
            yield msg
        if msgs[-1].metadata.num_pending == 0:
            return


def messages(events: Iterable[Recorded]) -> Iterator[Message]:
    return (e.message for e in events)
