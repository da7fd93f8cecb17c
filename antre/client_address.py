"""Which address a request came from, for the limits keyed on it (booking, signing in): the TCP
peer, or, when that peer is one of our own proxies (``ANTRE_TRUSTED_PROXIES``), the address
those proxies saw.

Behind the ingress every request's TCP peer is the ingress controller: keyed on it, all citizens
share one bucket and one flood closes online booking for everyone. Believing X-Forwarded-For
from anyone is worse: a client writes whatever it likes there and gets a fresh bucket per request.
So the header is read only when the peer is trusted, and from the right: each trusted proxy
appends the address it was reached from, so the right-most address that is not one of ours is
the one our outermost proxy was reached from: the client. Everything to its left the client wrote.

Pure functions: uvicorn must not rewrite the peer itself (``--no-proxy-headers``, see
deploy/docker/Dockerfile), or the peer seen here is already a header's word.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_HOPS = 16  # more proxies than this in a row is not a deployment, it is a header stuffed to cost


def networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.0/8``, ``fd00::/8`` or one address (``192.0.2.7``); raises ValueError naming the
    first entry that is none of these."""
    out = []
    for cidr in cidrs:
        try:
            out.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"ANTRE_TRUSTED_PROXIES: {cidr!r} bukan alamat/CIDR / is not an address or CIDR"
            ) from None
    return tuple(out)


def parse_address(text: str) -> Address | None:
    """An address as proxies write it: ``192.0.2.7``, ``192.0.2.7:5412``, ``2001:db8::1``,
    ``[2001:db8::1]:443``; an IPv4 address mapped into IPv6 is the IPv4 address. None for
    anything else (``unknown``, an obfuscated ``_hidden``, garbage)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address: the TCP ``peer`` itself unless it is trusted; then, walking the
    X-Forwarded-For values (every header line, in order) from the right, the first address not
    in ``trusted``. If every address is trusted, or one is not an address (a client wrote it),
    the left-most trusted address read is the client: an address a proxy of ours vouched for."""
    address = parse_address(peer or "")
    if address is None:
        return peer or "unknown"
    if not _within(address, trusted):
        return str(address)
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops[-MAX_HOPS:]):
        written = parse_address(hop)
        if written is None:
            break
        address = written
        if not _within(address, trusted):
            break
    return str(address)


def _within(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def request_client(request: Request) -> str:
    """The client of a request, by the proxies its app trusts (``app.state.trusted_proxies``, set
    by bootstrap from ``ANTRE_TRUSTED_PROXIES``; none: the TCP peer is the client)."""
    trusted = getattr(request.app.state, "trusted_proxies", ())
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), trusted)
