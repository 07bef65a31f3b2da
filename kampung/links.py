"""Absolute links that leave the app: in QR codes, WhatsApp messages and exports."""

from urllib.parse import urlsplit

from flask import current_app, request


def public_url(path: str) -> str:
    """PUBLIC_URL + path when set, else this request's host: links that travel are absolute."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")
    return base + path


def site_hosts() -> list[str]:
    """The hosts a QR code of ours may name: the one this request came to, and PUBLIC_URL's."""
    hosts = [request.host]
    if public := current_app.config.get("PUBLIC_URL"):
        hosts.append(urlsplit(public).netloc)
    return hosts
