"""The QR code on the personal page: an inline SVG drawn on the server, no script, no style."""

import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(data: str, label: str) -> Markup:
    """`data` as a QR code: black squares on a 4-module quiet zone, sized by the CSS."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(data)
    svg = code.make_image().to_string(encoding="unicode")
    # No fixed size in millimetres: the page's CSS makes the code as wide as the screen allows.
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    return Markup(svg).replace(
        Markup("<svg "),
        Markup('<svg class="qr" role="img" shape-rendering="crispEdges" aria-label="{}" ').format(
            label
        ),
        1,
    )
