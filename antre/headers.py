"""The security headers on every response of every service, refusals and 500s included.

The pages load only their own files (no inline script, no CDN: the hall is offline-first), so the
policy is ``'self'`` throughout. ``Referrer-Policy: no-referrer`` matters most: the status page's
address carries the ticket id, the citizen's key to it, and must never leave in a Referer."""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from antre.client_address import parse_address

# The opt-out page of notify is one plain HTML string with its <style> inline (no script, for
# cheap phones). Allowed by its hash only; tests/security/test_headers.py fails if it changes.
INLINE_STYLES = ("'sha256-NJ6QN0RZb/T6WvgqZ/ZoyXU3K76hz1ldjQzcMOnavUg='",)

# The API's documentation page (Swagger UI, served by the service itself) starts with an inline
# script and styles; the citizens' and officers' pages never get this policy. Everything else about
# it stays strict (frames, referrer, no other origin).
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


# A kiosk with a browser printer prints the ticket page from a hidden frame of its own page: that
# page alone may be framed, and only by its own origin. Every other page may not be framed at all.
FRAMED_BY_SELF = re.compile(r"/tickets/[^/]+/print")


def page_policy(connect_src: Iterable[str] = (), framed_by_self: bool = False) -> str:
    """``connect_src``: further origins the pages fetch from (none today: every page calls its own
    service). ``data:`` images are the QR codes the pages inline and the empty favicon."""
    connect = " ".join(("'self'", *connect_src))
    ancestors = "'self'" if framed_by_self else "'none'"
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self' {' '.join(INLINE_STYLES)}; "
        f"img-src 'self' data:; media-src 'self'; font-src 'self'; connect-src {connect}; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )


FIXED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
# HSTS only over TLS: when uvicorn itself serves TLS, or when one of our own proxies
# (ANTRE_TRUSTED_PROXIES, as for the per-client limits; uvicorn runs with --no-proxy-headers) says
# X-Forwarded-Proto: https. Sent over plain HTTP in the hall's LAN it
# would be ignored at best, and pin a name to TLS that the hall's devices cannot reach at worst.
HSTS = "max-age=31536000"


class SecurityHeaders:
    """Adds the headers to each response start. A header the route set itself is kept: a page
    with needs of its own states its own policy."""

    def __init__(self, app: ASGIApp, docs_paths: Iterable[str] = (), connect_src: Iterable[str] = ()) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        self.policy = page_policy(connect_src)
        self.framed_policy = page_policy(connect_src, framed_by_self=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        framed = FRAMED_BY_SELF.fullmatch(path) is not None
        policy = DOCS_POLICY if path in self.docs_paths else self.framed_policy if framed else self.policy
        tls = scope.get("scheme") == "https" or _forwarded_tls(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                for name, value in FIXED.items():
                    headers.setdefault(name, value)
                headers.setdefault("X-Frame-Options", "SAMEORIGIN" if framed else "DENY")
                if tls:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _forwarded_tls(scope: Scope) -> bool:
    """Whether a proxy of ours (the app's ``trusted_proxies``) says the client came over TLS."""
    forwarded = dict(scope.get("headers") or []).get(b"x-forwarded-proto", b"")
    if forwarded.split(b",")[0].strip().lower() != b"https":
        return False
    app = scope.get("app")
    trusted = getattr(getattr(app, "state", None), "trusted_proxies", ())
    peer = parse_address((scope.get("client") or ("",))[0])
    return peer is not None and any(peer.version == net.version and peer in net for net in trusted)
