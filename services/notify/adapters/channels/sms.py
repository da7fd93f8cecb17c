"""SMS through an HTTP gateway: ``POST {url}`` with ``to`` (E.164), ``text``, ``api_key`` and
``ref`` (the delivery id, which gateways that de-duplicate can use; also sent as
``Idempotency-Key``), as JSON or as a form, whichever the gateway takes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import httpx

from antre.telemetry import span_under
from services.notify.adapters.channels.base import CitizenMessage, Result, describe, http_result, since
from services.notify.domain.deliveries import Delivery

USER_AGENT = "antre-notify/1"


@dataclass(frozen=True)
class SmsConfig:
    url: str
    api_key: str
    format: Literal["json", "form"] = "json"
    timeout: float = 10.0


class SmsChannel:
    name = "sms"

    def __init__(self, config: SmsConfig) -> None:
        self.config = config
        self._http = httpx.Client(timeout=config.timeout, follow_redirects=False)

    def fields(self, delivery: Delivery, address: str) -> dict[str, str]:
        text = CitizenMessage.decode(delivery.payload).text
        return {"to": address, "text": text, "api_key": self.config.api_key, "ref": delivery.id}

    def send(self, delivery: Delivery, address: str) -> Result:
        started = time.perf_counter()
        fields = self.fields(delivery, address)
        headers = {"Idempotency-Key": delivery.id, "User-Agent": USER_AGENT}
        with span_under("notify.sms", delivery.traceparent, "antre.notify", event=delivery.event):
            try:
                if self.config.format == "form":
                    response = self._http.post(self.config.url, data=fields, headers=headers)
                else:
                    response = self._http.post(self.config.url, json=fields, headers=headers)
            except Exception as exc:
                return Result(None, describe(exc), since(started))
        return http_result(response.status_code, started)

    def close(self) -> None:
        self._http.close()
