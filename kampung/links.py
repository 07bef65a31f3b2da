"""Absolute links that leave the app: in QR codes, WhatsApp messages and exports."""

from urllib.parse import quote

from flask import current_app, request

from kampung import phones
from kampung.text import readable


def public_url(path: str) -> str:
    """PUBLIC_URL + path when set, else this request's host: links that travel are absolute."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")
    return base + path


def whatsapp_url(phone: str | None, text: str | None = None) -> str:
    """A wa.me link to the number (E.164) carrying a ready message; with no number, WhatsApp
    asks whom to send it to (for sharing a sign-up link in a group). The message carries
    stored names: without a bidi override that would turn it around in the chat."""
    link = f"https://wa.me/{phones.wa_number(phone)}"
    return f"{link}?text={quote(readable(text), safe='')}" if text else link
