"""What every channel is: a name and ``send(delivery, address) -> Result``.

A channel sends one delivery and reports what happened; it never raises for a receiver's fault,
so one bad address cannot keep the outcomes of the rest of a batch from being recorded. It decides
whether a failure is ``permanent`` (trying again cannot help: no such number, a refused mailbox)
or worth a retry (down, slow, throttled, misconfigured: an operator can fix that in time).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Protocol

from services.notify.domain.deliveries import Delivery


@dataclass(frozen=True)
class Result:
    status: int | None  # the receiver's answer (HTTP status, SMTP reply code); None: no answer
    error: str  # "" when the receiver accepted the delivery
    seconds: float
    permanent: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and not self.error


class Channel(Protocol):
    name: str

    def send(self, delivery: Delivery, address: str) -> Result: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class CitizenMessage:
    """A citizen's message as stored in a delivery's payload, fixed when it was made so that every
    retry sends the very same words."""

    text: str
    subject: str = ""  # email only
    language: str = "id"
    stop: str = ""  # the opt-out page, for an email's List-Unsubscribe

    def encode(self) -> str:
        return json.dumps(
            {"text": self.text, "subject": self.subject, "language": self.language, "stop": self.stop},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, payload: str) -> CitizenMessage:
        data = json.loads(payload)
        return cls(data["text"], data.get("subject", ""), data.get("language", "id"), data.get("stop", ""))


def describe(exc: BaseException) -> str:
    detail = str(exc)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def since(started: float) -> float:
    return time.perf_counter() - started


def http_result(status: int, started: float) -> Result:
    """A provider's HTTP answer. 400 and 422 say the message itself was refused (a bad number, a
    text too long): permanent. Anything else that is not 2xx (401 and 403 too: a token an operator
    can renew) is retried."""
    if 200 <= status < 300:
        return Result(status, "", since(started))
    return Result(status, f"HTTP {status}", since(started), permanent=status in (400, 422))
