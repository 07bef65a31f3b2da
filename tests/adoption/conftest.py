import pytest


@pytest.fixture
def app(app):
    """The app, inside a request: the services' messages are translated (Flask-Babel asks it
    for the language)."""
    with app.test_request_context():
        yield app
