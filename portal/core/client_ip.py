"""The address of the person at the other end of a request, also behind the portal's proxies.

Behind a TLS proxy REMOTE_ADDR is the proxy's own address, the same for everyone: every limit
keyed on it would lump all people together. Rate limits (portal.core.ratelimits and allauth's,
through the account adapter), django-axes' lockouts and the staff audit log take the address from
client_ip() instead. The setting TRUSTED_PROXIES says which proxies stand in front of the app:

- empty or 0: none; REMOTE_ADDR is the client and X-Forwarded-For is ignored;
- a number N: the app is reachable only through a chain of N proxies, each appending the address
  it was reached from to X-Forwarded-For; the client is the N-th address from the right,
  REMOTE_ADDR being the nearest proxy (whatever a client wrote itself stays further left);
- addresses and networks, comma-separated ("10.0.0.5, 172.18.0.0/16"): X-Forwarded-For is read
  only on a request from one of them, from the right, skipping the trusted ones; the first other
  address is the client. A header sent by anyone else is ignored.

A request that does not fit (a chain shorter than N, a malformed address where the client should
be) falls back to REMOTE_ADDR, which nobody can forge.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
TrustedProxies = int | tuple[IPNetwork, ...]


def trusted_proxies_parse(value: int | str | list[str] | tuple[str, ...]) -> TrustedProxies:
    """TRUSTED_PROXIES as a count of proxies, or as the networks they are in."""
    if isinstance(value, int):
        entries = [str(value)]
    elif isinstance(value, str):
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    else:
        entries = [str(entry).strip() for entry in value if str(entry).strip()]
    if not entries:
        return 0
    if len(entries) == 1 and entries[0].isdigit():
        return int(entries[0])
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: expected a number of proxies or their addresses, got {value!r}"
        ) from exc


@lru_cache(maxsize=8)
def _trusted(value: int | str | tuple[str, ...]) -> TrustedProxies:
    return trusted_proxies_parse(value)


def trusted_proxies() -> TrustedProxies:
    value = settings.TRUSTED_PROXIES
    return _trusted(tuple(value) if isinstance(value, list) else value)


def _address(text: str) -> str | None:
    """An address as a proxy may write it ("203.0.113.7", "203.0.113.7:5120", "[2001:db8::1]:80"),
    in its canonical form; None for anything else."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # "::ffff:10.0.0.5" from a dual-stack socket
    return str(address)


def _forwarded_for(request: HttpRequest) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [entry.strip() for entry in header.split(",") if entry.strip()]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as TRUSTED_PROXIES lets it be known; None without any address."""
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    proxies = trusted_proxies()
    if isinstance(proxies, int):
        if not proxies:
            return remote
        chain = _forwarded_for(request)
        if len(chain) < proxies:
            return remote
        return _address(chain[-proxies]) or remote
    if remote is None or not _in(remote, proxies):
        return remote
    client = remote
    for entry in reversed(_forwarded_for(request)):
        address = _address(entry)
        if address is None:
            break
        client = address
        if not _in(address, proxies):
            break
    return client


def _in(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)
