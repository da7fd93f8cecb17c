"""Email over SMTP (smtplib, one connection per message, run in the sender's worker threads).

Volumes are a few hundred messages a day per hall, so a connection per message costs nothing
worth a pool, and a server that drops idle connections cannot break one.

The ``Message-ID`` is derived from the delivery id, so a message sent again after a crash between
the server's acceptance and our record of it carries the same id and mail systems can fold the two.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Literal

from antre.telemetry import span_under
from services.notify.adapters.channels.base import CitizenMessage, Result, describe, since
from services.notify.domain.deliveries import Delivery


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str  # the From header, e.g. "MPP Kendari <antrean@kendarikota.go.id>"
    user: str = ""
    password: str = ""
    security: Literal["starttls", "ssl", "none"] = "starttls"
    timeout: float = 10.0


class SmtpChannel:
    name = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def message(self, delivery: Delivery, address: str) -> EmailMessage:
        content = CitizenMessage.decode(delivery.payload)
        domain = parseaddr(self.config.sender)[1].rpartition("@")[2] or "antre.invalid"
        msg = EmailMessage()
        msg["From"] = self.config.sender
        msg["To"] = address
        msg["Subject"] = content.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = f"<{delivery.id}@{domain}>"
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
        if content.stop:
            msg["List-Unsubscribe"] = f"<{content.stop}>"
        msg.set_content(content.text)  # first: it replaces every Content-* header
        msg["Content-Language"] = content.language
        return msg

    def send(self, delivery: Delivery, address: str) -> Result:
        started = time.perf_counter()
        with span_under("notify.email", delivery.traceparent, "antre.notify", event=delivery.event):
            try:
                msg = self.message(delivery, address)
                with self._connect() as smtp:
                    smtp.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                permanent = bool(codes) and min(codes) >= 500  # 450 is greylisting: try again later
                return Result(codes[0] if codes else None, describe(exc), since(started), permanent=permanent)
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                # 5xx on the sender or the content: this message will not pass; 4xx: try later.
                return Result(exc.smtp_code, describe(exc), since(started), permanent=exc.smtp_code >= 500)
            except Exception as exc:  # refused, timed out, TLS, authentication: retried
                return Result(None, describe(exc), since(started))
        return Result(250, "", since(started))

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        if c.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
        else:
            smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        try:
            if c.security == "starttls":
                smtp.starttls(context=context)
            if c.user:
                smtp.login(c.user, c.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        pass
