"""Follow the agency's events: pull from the consumer the hall made for the agency, post each
wanted event as JSON to the agency's own URL, and ack it only once that URL answered 2xx.

A failed post is retried in place (with the message kept in progress), so the agency's system
gets the events in the order the hall published them; an event may come twice (after a crash
before the ack), so the receiver de-duplicates on ``Antre-Event-Id``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from typing import Any

import httpx
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout

from antre.events import EVENT_HEADER, TRACE_HEADER, UnknownEvent, decode, stream_name
from antre.nats_accounts import agency_consumer

log = logging.getLogger("plugin.feed")
EVENT_ID_HEADER = "Antre-Event-Id"


def suffix_of(subject: str) -> str:
    """``antre.<hall>.<agency>.ticket.called`` -> ``ticket.called``."""
    return ".".join(subject.split(".")[3:])


def body(subject: str, message: Message) -> dict[str, Any]:
    meta = message.meta  # type: ignore[attr-defined]
    data = json_format.MessageToDict(message, preserving_proto_field_name=True)
    data.pop("meta", None)
    return {
        "event": suffix_of(subject),
        "event_id": meta.event_id,
        "hall": meta.hall,
        "agency": meta.agency,
        "occurred_at": meta.occurred_at.ToJsonString(),
        "data": data,
    }


class Feed:
    def __init__(
        self,
        nc: Client,
        hall: str,
        agency: str,
        post_to: str,
        events: Collection[str],
        http: httpx.AsyncClient,
    ) -> None:
        self._nc = nc
        self._hall = hall
        self._agency = agency
        self._post_to = post_to
        self._events = set(events)
        self._http = http
        self._stopping = asyncio.Event()
        self.posted = 0

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        js = self._nc.jetstream()
        sub = await js.pull_subscribe_bind(agency_consumer(self._agency), stream=stream_name(self._hall))
        log.info("following %s of %s, posting to %s", self._agency, self._hall, self._post_to)
        while not self._stopping.is_set():
            try:
                msgs = await sub.fetch(20, timeout=1.0)
            except (TimeoutError, NatsTimeout):
                continue
            except Exception as exc:  # connection lost: nats-py reconnects; ask again shortly
                log.warning("fetch: %s", exc)
                await asyncio.sleep(1.0)
                continue
            for msg in msgs:
                await self._deliver(msg)

    async def _deliver(self, msg: Msg) -> None:
        headers = msg.headers or {}
        event = suffix_of(msg.subject)
        if event not in self._events:
            await msg.ack()
            return
        try:
            message = decode(headers.get(EVENT_HEADER, ""), msg.data)
        except (UnknownEvent, DecodeError) as exc:
            log.warning("skipping %s: this version cannot read it (%s)", msg.subject, exc)
            await msg.ack()
            return
        shaped = body(msg.subject, message)
        sent = {EVENT_ID_HEADER: shaped["event_id"], "Antre-Event": event}
        if headers.get(TRACE_HEADER):
            sent[TRACE_HEADER] = headers[TRACE_HEADER]
        delay = 0.5
        while not self._stopping.is_set():
            try:
                response = await self._http.post(self._post_to, json=shaped, headers=sent)
                if response.is_success:
                    await msg.ack()
                    self.posted += 1
                    return
                log.warning("%s answered %s to %s", self._post_to, response.status_code, event)
            except httpx.HTTPError as exc:
                log.warning("cannot post %s to %s: %s", event, self._post_to, exc)
            await msg.in_progress()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
