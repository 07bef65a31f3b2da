"""The yardstick for bench/checkin_load.py: a bare Flask route that writes one row.

Same server (gunicorn.conf.py), same SQLite settings (WAL, synchronous=FULL, through
kampung.database's connect hook), nothing else: no session, no login, no CSRF, no ORM.
"""

import os

from flask import Flask
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func

import kampung.database  # noqa: F401  (the same SQLite PRAGMAs as the app)

# Set by bench/_common.serve(); the default only lets the benchmark import the table.
engine = create_engine(os.environ.get("BARE_DATABASE_URL", "sqlite://"))
metadata = MetaData()
hit = Table(
    "hit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("note", String(40)),
    Column("at", DateTime, server_default=func.current_timestamp()),
)

app = Flask(__name__)


@app.post("/write")
def write():
    with engine.begin() as conn:
        conn.execute(hit.insert().values(note="bench"))
    return {"ok": True}


@app.get("/healthz")
def healthz():
    """What tests/server.py's Gunicorn waits for before it hands the server over."""
    return {"ok": True}
