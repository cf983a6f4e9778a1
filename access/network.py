"""Where a server listens and where a request comes from: loopback or not (no Streamlit here)."""

from __future__ import annotations

import ipaddress


def is_loopback(address: str | None) -> bool:
    """127.0.0.0/8, ::1 (also as ::ffff:127.x) or the name localhost; not a hostname or garbage.
    An empty address, like 0.0.0.0, means every interface: not loopback."""
    if not address:
        return False
    text = address.strip().strip("[]")
    if text.lower() == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback
