"""QR codes as inline SVG, drawn on the server: no image request, no script, no style."""

import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(data: str, label: str | None = None) -> Markup:
    """`data` as a QR code with a 4-module quiet zone, sized by the page's CSS.

    With a label the code is an image for screen readers; without one it is decoration
    beside a visible name (QR cards).
    """
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(data)
    svg = code.make_image().to_string(encoding="unicode")
    # No fixed size in millimetres: the CSS makes the code as wide as the screen allows.
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    if label:
        attributes = Markup(
            '<svg class="qr" role="img" shape-rendering="crispEdges" aria-label="{}" '
        )
        attributes = attributes.format(label)
    else:
        attributes = Markup('<svg class="qr" aria-hidden="true" shape-rendering="crispEdges" ')
    return Markup(svg).replace(Markup("<svg "), attributes, 1)
