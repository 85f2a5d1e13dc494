"""The address a request comes from, as rate limits and sign-in guards count it."""

import ipaddress


def client_address(request) -> str:
    """The address the limits count by: the client's IPv4 address, or its IPv6 network (/64).

    One IPv6 subscriber gets a whole /64; counting single addresses would let them change address at will.
    Behind a reverse proxy, the server must be told the client's address (`improvenet serve --trusted-proxy`).
    """
    text = request.META.get("REMOTE_ADDR") or ""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text[:64] or "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
