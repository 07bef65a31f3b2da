"""Files that hold personal data are the app's user's alone: the database and its WAL, the import
rows waiting for their save, backups, the rate-limit counts, the logs."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

#: files the process creates are 0600 and folders 0700, whoever creates them (SQLite, the
#: importer, openpyxl, gunicorn's log files); the app serves its own static copies, so they too
#: need no one else's eyes
UMASK = 0o077


def keep_private(instance_path: Path | None = None) -> None:
    """Set the process's umask and make the instance folder 0700, so that even a file made
    before (or copied in) with looser bits cannot be read through it."""
    os.umask(UMASK)
    if instance_path is None:
        return
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(instance_path.stat().st_mode) & ~0o700:
        # A folder that is not ours keeps the mode its owner chose.
        with contextlib.suppress(PermissionError):
            instance_path.chmod(0o700)
