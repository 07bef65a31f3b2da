"""What the staff pages' tests share."""


def client_as(app, user):
    """A fresh browser session logged in as `user`.

    The tests share one app context, so its cached user and CSRF token are forgotten first.
    """
    from flask import g

    from tests.conftest import log_in

    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    client = app.test_client()
    log_in(client, user)
    return client
