"""Send the agency's commands to its counters: pause, resume, close.

The hall answers an accepted command with the counter's own event (``counter.paused``, ...) and a
refused one with ``counter.command_refused`` on the agency's subjects; :func:`send` can wait for
that answer on a plain subscription to the agency's own counter subjects.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from google.protobuf.message import Message
from nats.aio.client import Client
from nats.aio.msg import Msg

from antre.events import EVENT_HEADER, MSG_ID_HEADER, decode, event_name, new_meta, subject_for
from antre.v1 import commands_pb2 as cmd
from antre.v1 import events_pb2 as pb

VERBS: dict[str, type[Message]] = {
    "pause": cmd.PauseCounter,
    "resume": cmd.ResumeCounter,
    "close": cmd.CloseCounter,
}
# The event that says a command took effect.
DONE: dict[str, type[Message]] = {
    "pause": pb.CounterPaused,
    "resume": pb.CounterResumed,
    "close": pb.CounterClosed,
}


@dataclass(frozen=True)
class Answer:
    command_id: str
    accepted: bool | None  # None: no answer within the wait (the counter may already be so)
    code: str = ""
    reason: str = ""
    reason_en: str = ""


def command(hall: str, agency: str, verb: str, counter: int, reason: str = "") -> Message:
    fields: dict[str, object] = {"counter": counter}
    if verb == "pause":
        fields["reason"] = reason
    return VERBS[verb](meta=new_meta(hall, agency, dt.datetime.now(dt.UTC)), **fields)


async def send(
    nc: Client, hall: str, agency: str, verb: str, counter: int, reason: str = "", wait: float = 10.0
) -> Answer:
    message = command(hall, agency, verb, counter, reason)
    command_id = message.meta.event_id  # type: ignore[attr-defined]
    answers: asyncio.Queue[Answer] = asyncio.Queue()

    async def on_counter_event(msg: Msg) -> None:
        event = decode((msg.headers or {}).get(EVENT_HEADER, ""), msg.data)
        if isinstance(event, cmd.CommandRefused) and event.command_id == command_id:
            await answers.put(Answer(command_id, False, event.code, event.reason, event.reason_en))
        elif isinstance(event, DONE[verb]) and event.counter.number == counter:  # type: ignore[attr-defined]
            await answers.put(Answer(command_id, True))

    sub = await nc.subscribe(f"antre.{hall}.{agency}.counter.*", cb=on_counter_event)
    try:
        headers = {EVENT_HEADER: event_name(message), MSG_ID_HEADER: command_id}
        await nc.jetstream().publish(subject_for(message), message.SerializeToString(), headers=headers)
        try:
            return await asyncio.wait_for(answers.get(), wait)
        except TimeoutError:
            return Answer(command_id, None)
    finally:
        await sub.unsubscribe()
