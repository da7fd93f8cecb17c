"""Whose bucket a booking request counts in: the TCP peer, or behind our own proxies the address
they were reached from; never an address the client wrote itself."""

from __future__ import annotations

import pytest

from antre.client_address import client_address, networks, parse_address

INGRESS = networks(["10.244.0.0/16"])  # the ingress controller's pods


def test_no_trusted_proxy_the_peer_is_the_client_whatever_the_header() -> None:
    assert client_address("10.244.1.7", ["203.0.113.9"], ()) == "10.244.1.7"


def test_a_header_from_an_untrusted_peer_is_ignored() -> None:
    """A citizen's browser (or a flood) reaching the pod directly writes what it likes there."""
    for forged in (["198.51.100.1"], ["198.51.100.1, 10.244.0.1"], ["", "1.1.1.1"]):
        assert client_address("203.0.113.9", forged, INGRESS) == "203.0.113.9"


def test_behind_the_ingress_the_client_is_the_address_it_was_reached_from() -> None:
    assert client_address("10.244.1.7", ["203.0.113.9"], INGRESS) == "203.0.113.9"
    # What the client wrote itself sits left of it and is never read.
    assert client_address("10.244.1.7", ["6.6.6.6, 7.7.7.7, 203.0.113.9"], INGRESS) == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    trusted = networks(["10.244.0.0/16", "192.0.2.10"])  # the ingress, and a load balancer before it
    header = ["6.6.6.6, 203.0.113.9, 192.0.2.10", "10.244.3.3"]  # two header lines count as one list
    assert client_address("10.244.1.7", header, trusted) == "203.0.113.9"


def test_when_every_hop_is_trusted_the_left_most_is_the_client() -> None:
    assert client_address("10.244.1.7", ["10.244.9.9, 10.244.2.2"], INGRESS) == "10.244.9.9"
    assert client_address("10.244.1.7", [], INGRESS) == "10.244.1.7"


@pytest.mark.parametrize(
    "garbage", ["unknown", "_hidden", "not an address", "999.1.1.1", "", "[::1", "1.2.3"]
)
def test_garbage_stops_the_walk_at_the_last_address_a_proxy_vouched_for(garbage: str) -> None:
    assert client_address("10.244.1.7", [f"{garbage}, 10.244.2.2"], INGRESS) == "10.244.2.2"
    assert client_address("10.244.1.7", [f"{garbage}"], INGRESS) == "10.244.1.7"
    assert client_address("10.244.1.7", [f"198.51.100.4, {garbage}, 203.0.113.9"], INGRESS) == "203.0.113.9"


def test_ipv6_ports_and_mapped_addresses() -> None:
    trusted = networks(["fd00:10:244::/56", "10.244.0.0/16"])
    assert client_address("fd00:10:244::7", ["2001:db8::1"], trusted) == "2001:db8::1"
    assert client_address("fd00:10:244::7", ["[2001:db8::1]:443"], trusted) == "2001:db8::1"
    assert client_address("10.244.1.7", ["203.0.113.9:51234"], trusted) == "203.0.113.9"
    # An IPv4 client seen through a dual-stack socket is the IPv4 address, in and out of the list.
    assert client_address("::ffff:10.244.1.7", ["::ffff:203.0.113.9"], trusted) == "203.0.113.9"
    assert client_address("2001:db8::5", ["203.0.113.9"], trusted) == "2001:db8::5"
    assert parse_address("2001:DB8::1") == parse_address("2001:db8::1")


def test_a_header_stuffed_with_trusted_addresses_is_read_only_so_far() -> None:
    stuffed = ", ".join(["203.0.113.9"] + ["10.244.0.1"] * 1000)
    assert client_address("10.244.1.7", [stuffed], INGRESS) == "10.244.0.1"


def test_a_peer_that_is_no_address_is_its_own_bucket() -> None:
    assert client_address(None, ["203.0.113.9"], INGRESS) == "unknown"
    assert client_address("testclient", ["203.0.113.9"], INGRESS) == "testclient"


def test_trusted_proxies_are_cidrs_or_addresses() -> None:
    assert [str(n) for n in networks(["10.0.0.0/8", " 192.0.2.7 ", "fd00::/8"])] == [
        "10.0.0.0/8",
        "192.0.2.7/32",
        "fd00::/8",
    ]
    with pytest.raises(ValueError, match="ANTRE_TRUSTED_PROXIES"):
        networks(["10.0.0.0/33"])


def test_the_setting_takes_commas_or_spaces_and_refuses_what_is_no_cidr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic import ValidationError

    from services.ticketing.settings import Settings

    assert Settings().trusted_proxies == []
    monkeypatch.setenv("ANTRE_TRUSTED_PROXIES", "10.244.0.0/16, fd00:10:244::/56 192.0.2.7")
    assert Settings().trusted_proxies == ["10.244.0.0/16", "fd00:10:244::/56", "192.0.2.7"]
    monkeypatch.setenv("ANTRE_TRUSTED_PROXIES", "10.244.0.0/16,ingress-nginx")
    with pytest.raises(ValidationError, match="ingress-nginx"):
        Settings()
