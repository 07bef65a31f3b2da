"""A consistent copy of the SQLite database while the app keeps running."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupNotSupported(Exception):
    pass


def sqlite_path(database_uri: str) -> Path:
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupNotSupported(url.get_backend_name())
    return Path(url.database)


def backup_sqlite(database_uri: str, target: Path) -> Path:
    """SQLite's online backup API: a snapshot taken while writers go on, written atomically."""
    source_path = sqlite_path(database_uri)
    target = target.resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # The copy holds everyone's personal data: the app user's alone, wherever it is written.
    partial.touch(mode=0o600, exist_ok=False)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        with copy:
            source.backup(copy, pages=1024)
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.close()
    finally:
        source.close()
    if ok != "ok":
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"integrity check of the copy failed: {ok}")
    os.replace(partial, target)
    return target
