"""WhatsApp through a Business Cloud API style provider: ``POST {base}/{phone_number_id}/messages``
with a bearer token and the Cloud API's text message body::

    {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "6281234567890",
     "type": "text", "text": {"preview_url": false, "body": "..."}}

The number goes without its ``+``, as the Cloud API writes it. ``Idempotency-Key`` carries the
delivery id for providers that de-duplicate on it; the Cloud API itself has no such key, so a
crash between its acceptance and our record of it can send a message twice (at least once).

Note: outside the 24-hour window after a citizen last wrote, the Cloud API delivers only
pre-approved template messages; a provider that wraps it may map text to a template.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from antre.telemetry import span_under
from services.notify.adapters.channels.base import CitizenMessage, Result, describe, http_result, since
from services.notify.domain.deliveries import Delivery

USER_AGENT = "antre-notify/1"


@dataclass(frozen=True)
class WhatsAppConfig:
    base_url: str
    token: str
    phone_number_id: str
    timeout: float = 10.0


class WhatsAppChannel:
    name = "whatsapp"

    def __init__(self, config: WhatsAppConfig) -> None:
        self.config = config
        self.url = f"{config.base_url.rstrip('/')}/{config.phone_number_id}/messages"
        self._http = httpx.Client(timeout=config.timeout, follow_redirects=False)

    @staticmethod
    def body(delivery: Delivery, address: str) -> dict[str, object]:
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": address.removeprefix("+"),
            "type": "text",
            "text": {"preview_url": False, "body": CitizenMessage.decode(delivery.payload).text},
        }

    def send(self, delivery: Delivery, address: str) -> Result:
        started = time.perf_counter()
        headers = {
            "Authorization": f"Bearer {self.config.token}",
            "Idempotency-Key": delivery.id,
            "User-Agent": USER_AGENT,
        }
        with span_under("notify.whatsapp", delivery.traceparent, "antre.notify", event=delivery.event):
            try:
                response = self._http.post(self.url, json=self.body(delivery, address), headers=headers)
            except Exception as exc:
                return Result(None, describe(exc), since(started))
        return http_result(response.status_code, started)

    def close(self) -> None:
        self._http.close()
