"""Which hosts and addresses a webhook may reach: the public internet only.

A webhook URL is the organisation's, so a POST to it must not become a way into the
gateway's own network (its loopback, a private range, a cloud's metadata service at
169.254.169.254). Two guards: the URL's host when it is registered (`refused_host`),
and every address its name resolves to when it is posted (`forbidden`); the worker
connects to the address it checked, never to a second resolution of the name.
"""

from __future__ import annotations

import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# A part inet_aton reads as a number: decimal, octal (leading 0) or hex (0x…).
_NUMERIC_PART = re.compile(r"(0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
# A dotted quad spelt inside a name, as wildcard DNS services answer it
# (`169.254.169.254.nip.io`, `10-0-0-1.sslip.io`).
_QUAD_IN_NAME = re.compile(
    r"(?<![0-9])([0-9]{1,3})[.-]([0-9]{1,3})[.-]([0-9]{1,3})[.-]([0-9]{1,3})(?![0-9])"
)
_INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")


def normal_host(host: str) -> str:
    """The host as it is resolved: lower case, without the root's trailing dot."""
    return host.lower().removesuffix(".")


def numeric_host(host: str) -> bool:
    """A host that is a number to inet_aton (`2130706433`, `0x7f000001`, `127.1`,
    `017700000001`, `0`) and not the canonical dotted quad: its address is hidden."""
    parts = host.split(".")
    if not all(_NUMERIC_PART.fullmatch(part) for part in parts):
        return False
    try:
        return str(ipaddress.IPv4Address(host)) != host
    except ValueError:
        return True


def internal_name(host: str) -> bool:
    """A name only a local resolver answers: localhost, a single label, or one under
    a suffix kept for private networks (`metadata.google.internal`, `printer.local`)."""
    return host == "localhost" or "." not in host or host.endswith(_INTERNAL_SUFFIXES)


def names_internal_address(host: str) -> bool:
    """A name that spells an internal address in its labels; what it resolves to is
    checked when posting, this refuses the obvious ones already at registration."""
    for match in _QUAD_IN_NAME.finditer(host):
        try:
            quad = ipaddress.IPv4Address(".".join(str(int(part)) for part in match.groups()))
        except ValueError:
            continue
        if forbidden(quad):
            return True
    return False


def literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def forbidden(address: IPAddress, *, loopback: bool = False) -> bool:
    """Not an address on the public internet, also when it carries an IPv4 address
    inside an IPv6 one (mapped, NAT64, 6to4, Teredo). `loopback` lets loopback itself
    pass (development, where a receiver listens on 127.0.0.1), nothing embedding it."""
    if loopback and address.is_loopback:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None or address in _NAT64_LOCAL:
            return True
        if address in _NAT64:  # an IPv4 address reached through the network's NAT64
            return forbidden(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(forbidden(inner) for inner in _embedded(address)) or address.is_site_local:
            return True
    return (
        not address.is_global
        or address.is_private
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
    )


def _embedded(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    return []
