"""Absolute links that leave the app: in QR codes, WhatsApp messages and exports."""

from urllib.parse import urlsplit

from flask import current_app, request


def public_url(path: str) -> str:
    """PUBLIC_URL + path when set, else this request's host: links that travel are absolute.
    The host is one the operator configured: any other was refused (TRUSTED_HOSTS, a 400)."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")
    return base + path


def site_hosts() -> list[str]:
    """The host names a QR code of ours may name: PUBLIC_URL's and every trusted host, so that
    a code printed under any address the app answers to scans, online or offline."""
    hosts = list(current_app.config.get("TRUSTED_HOSTS") or [])
    if public := current_app.config.get("PUBLIC_URL"):
        hosts.insert(0, urlsplit(public).hostname or "")
    if not hosts:
        hosts.append(request.host.split(":")[0])
    return [host for host in dict.fromkeys(hosts) if host]
