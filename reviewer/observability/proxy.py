"""Who is asking: the client's address, read through the proxies the operator trusts.

X-Forwarded-For is anyone's to write, so it is read only when the request comes from an
address in TRUSTED_PROXIES (addresses or networks, e.g. ``10.0.0.0/8``). Then the header is
walked from the right, skipping every trusted proxy; the first address that is not one is the
client (a client cannot forge what the trusted proxies appended after it). With no trusted
proxy configured the address is REMOTE_ADDR, whatever the headers say.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [::1]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 1.2.3.4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: str) -> bool:
    """Whether `address` is one of the operator's proxies."""
    parsed = _address(address or "")
    if parsed is None:
        return False
    return any(parsed in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the request came straight from a trusted proxy (so its headers may be believed)."""
    return is_trusted(request.META.get("REMOTE_ADDR", ""))


def client_address(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or what the trusted proxies say was their client."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    if not is_trusted(remote):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage left of the trusted hops: the last good hop is the client
            break
        client = str(address)
        if not is_trusted(client):
            break
    return client
