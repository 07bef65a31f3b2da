"""QR codes as inline SVG, so pages and printouts need no image requests."""

import qrcode
import qrcode.image.svg
from flask import current_app, request
from markupsafe import Markup


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of url; sized by CSS (it fills the width it is given)."""
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    # Width and height in mm fight the layout; the viewBox keeps the proportions.
    svg = svg.replace('width="', 'data-w="', 1).replace('height="', 'data-h="', 1)
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" class="qr" ', 1))


def public_url(path: str) -> str:
    """An absolute URL for a QR code: PUBLIC_URL when set, else the request's own host."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")
    return base + path
