"""Page or fragment, by one rule: an htmx request aimed at an element whose id names a block of
the page's template (`search-results` -> `{% block search_results %}`) gets that block alone;
everything else, history restores included, gets the whole page. Every answer says
`Vary: HX-Request`, so that no cache hands a fragment to a browser that asked for the page."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, make_response, render_template
from flask.wrappers import Response
from htmx_flask import request
from jinja2_fragments.flask import render_blocks


def requested_block(template: str) -> str | None:
    """The block of `template` that this request asks for, or None for the whole page."""
    htmx = request.htmx
    if not htmx or htmx.history_restore_request or not htmx.target:
        return None
    block = htmx.target.replace("-", "_")
    blocks = current_app.jinja_env.get_template(template).blocks
    return block if block in blocks else None


def render_page(
    template: str,
    status: int = 200,
    *,
    block: str | None = None,
    also: Iterable[str] = (),
    **context,
) -> Response:
    """`template` whole, or the block the htmx request aims at, with the `also` blocks after it
    (out-of-band swaps that go with it). `block` is for the few endpoints that only ever answer
    htmx (a field's inline check): that block, whatever the request says."""
    block = block or requested_block(template)
    if block is None:
        body = render_template(template, **context)
    else:
        body = render_blocks(template, [block, *also], **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
