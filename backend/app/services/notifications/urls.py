"""Safe channel URLs: a channel must not become a way into the server's own network.

Outside development a URL whose host is, or resolves to, a loopback, link-local (169.254/16,
fe80::/10), unspecified or cloud metadata address is refused unless NOTIFICATION_ALLOWED_NETWORKS
lists it; development allows loopback (a sink on the laptop). Checked when a channel is saved
AND at every send against the address actually connected to (`resolve_safe`), so a name that
resolves elsewhere later (DNS rebinding) is caught: the request goes to the checked address.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from app.config import Settings
from app.errors import Unprocessable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
METADATA = {ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254",
                                               "100.100.100.200", "192.0.0.192")}
RESOLVE_TIMEOUT = 3.0


class UnsafeUrl(Exception):
    """The URL is malformed or reaches a refused address."""


@dataclass(frozen=True)
class Target:
    """Where a send goes: the URL's host, port, and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    address: Address | None  # None: could not be resolved now (checked again at send time)


def display_host(url: str) -> str:
    """`scheme://host` of a URL, what may be shown of a credential URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def parse(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"url is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("url must be an http:// or https:// URL with a host")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def allowed_networks(settings: Settings) -> tuple[Network, ...]:
    return _networks(settings.notification_allowed_networks)


@lru_cache(maxsize=8)
def _networks(setting: str) -> tuple[Network, ...]:
    """NOTIFICATION_ALLOWED_NETWORKS parsed once (it was parsed for every delivery)."""
    return tuple(ipaddress.ip_network(n, strict=False) for n in setting.split(",") if n)


def refusal(address: Address, settings: Settings) -> str | None:
    """Why a channel may not reach `address`, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed_networks(settings)):
        return None
    if address in METADATA:
        return "a cloud metadata address"
    if address.is_loopback:
        return None if settings.is_development else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified or address.is_multicast:
        return "an unspecified or multicast address"
    return None


async def _addresses(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await asyncio.wait_for(
        loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def resolve_safe(url: str, settings: Settings) -> Target:
    """The URL's target with a checked address to connect to; UnsafeUrl if any address the
    name resolves to is refused (or it does not resolve)."""
    scheme, host, port = parse(url)
    try:
        addresses = await _addresses(host, port)
    except (OSError, TimeoutError) as exc:
        raise UnsafeUrl(f"cannot resolve {host}: {exc}") from None
    for address in addresses:
        why = refusal(address, settings)
        if why is not None:
            raise UnsafeUrl(f"url resolves to {why} ({address}), which channels may not reach")
    return Target(scheme, host, port, addresses[0] if addresses else None)


async def check_channel_url(url: str, settings: Settings) -> None:
    """At create and update: 422 naming `url` if it is malformed or reaches a refused
    address. A name that does not resolve now is accepted: it is checked at every send."""
    try:
        parse(url)
        await resolve_safe(url, settings)
    except UnsafeUrl as exc:
        if str(exc).startswith("cannot resolve"):
            return
        raise Unprocessable(str(exc), field="url") from None
