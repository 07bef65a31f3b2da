"""Entry point: `flask --app app …` and `gunicorn app:app`."""

from kampung import create_app

app = create_app()
