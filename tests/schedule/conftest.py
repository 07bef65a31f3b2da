"""The schedule's messages are for people: the rules run inside a request, in Indonesian."""

import pytest


@pytest.fixture
def in_request(app):
    """A request context (the app's own stays): messages come out in Indonesian."""
    with app.test_request_context():
        yield
