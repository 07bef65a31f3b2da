# htmx-flask casts flask's request to its own class at run time, which mypy cannot see through
# (it keeps the imported name's type): this says what the package's `request` is.
from htmx_flask.extension import Htmx as Htmx
from htmx_flask.requests import HtmxAwareRequest
from htmx_flask.response import make_response as make_response

request: HtmxAwareRequest
