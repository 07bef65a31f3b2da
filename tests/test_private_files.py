"""Personal data on disk is the app user's alone: the database and its WAL, the write lock, the
import rows, the backups. The first admin password appears on the terminal and nowhere else."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import stat
import subprocess
import sys
import termios
import uuid
from pathlib import Path

import pytest

from kampung import create_app
from kampung.auth.models import User
from kampung.auth.passwords import authenticate
from kampung.extensions import db
from tests.server import ROOT, Gunicorn, HttpSession

#: every test here runs the command line or gunicorn in processes of their own
pytestmark = pytest.mark.process

FLASK = [sys.executable, "-m", "flask", "--app", "app"]
ADMIN_PASSWORD = "kata-sandi-admin-123"


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An instance folder of the test's own, named to every process the test starts."""
    folder = tmp_path / "instance"
    for name in ("PUBLIC_URL", "TRUSTED_HOSTS", "DATABASE_URL", "HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(folder))
    monkeypatch.setenv("RATELIMIT_ENABLED", "0")
    return folder


@pytest.fixture
def careless_umask():
    """The umask of a fresh shell (group and others may read): the app must not rely on being
    started by a careful one. The tests' own processes inherit it."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def flask(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """A `flask --app app …` command with no controlling terminal, as under a service manager."""
    return subprocess.run(
        [*FLASK, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
        check=True,
        **kwargs,
    )


def _open_to_others(paths) -> dict[str, str]:
    return {
        str(path): oct(stat.S_IMODE(path.stat().st_mode))
        for path in paths
        if stat.S_IMODE(path.stat().st_mode) & 0o077
    }


def _upload_import(admin: HttpSession, slug: str) -> int:
    """The import form as a browser sends it: multipart, with the file and the CSRF token."""
    admin.get(f"/manage/{slug}/import")
    boundary = uuid.uuid4().hex
    rows = "full_name,phone,kecamatan,kelurahan,rt,rw\n"
    rows += "Peserta Impor,081298765432,Jelutung,Payo Lebar,4,2\n"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{admin.csrf}\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="peserta.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{rows}\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return admin.request(f"/manage/{slug}/import", body, headers)[0]


def test_database_imports_and_backups_are_readable_by_their_owner_only(
    instance, careless_umask, tmp_path
):
    database = instance / "kampung.db"
    flask("setup")
    flask("user", "create", "staf", "--role", "admin", "--password", ADMIN_PASSWORD)
    with Gunicorn(f"sqlite:///{database}", workers=2, RATELIMIT_ENABLED="0") as server:
        admin = HttpSession(server.url)
        admin.log_in("staf", ADMIN_PASSWORD)
        assert _upload_import(admin, "studi-banding-bengkulu") == 302
        assert admin.get("/manage/studi-banding-bengkulu/participants")[0] == 200
        # While the app runs: the WAL and its index are there beside the database.
        running = sorted(instance.rglob("*"))
        names = {path.name for path in running}
        assert {"kampung.db", "kampung.db-wal", "kampung.db-shm", "kampung.db.writelock"} <= names
        assert _open_to_others([instance, *running]) == {}
        backup = tmp_path / "backups" / "kampung.db"
        backup.parent.mkdir()
        flask("backup", str(backup))
    assert _open_to_others([instance, *instance.rglob("*"), backup]) == {}


def test_first_admin_password_without_a_terminal_is_never_printed(instance):
    result = flask("setup")
    assert "with the password" not in result.stdout + result.stderr
    assert "user create admin --role admin" in result.stdout
    app = create_app()
    with app.app_context():
        assert authenticate("admin", "") is None
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_first_admin_password_goes_to_the_terminal_and_not_to_standard_output(instance):
    terminal, terminal_end = pty.openpty()

    def in_the_terminal():
        os.setsid()
        fcntl.ioctl(terminal_end, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [*FLASK, "setup"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        pass_fds=(terminal_end,),
        preexec_fn=in_the_terminal,
    )
    os.close(terminal_end)
    shown = _read_until_exit(terminal, process)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "with the password " in shown, (shown, stdout)
    password = shown.split("with the password ", 1)[1].split()[0]
    assert password not in stdout and password not in stderr
    assert "shown on the terminal only" in stdout
    app = create_app()
    with app.app_context():
        assert authenticate("admin", password) is not None


def _read_until_exit(terminal: int, process: subprocess.Popen) -> str:
    """What the process wrote on its terminal, up to its end."""
    shown = b""
    while True:
        ready, _, _ = select.select([terminal], [], [], 0.2)
        try:
            chunk = os.read(terminal, 4096) if ready else b""
        except OSError:  # EIO: the process ended and its terminal closed
            break
        shown += chunk
        if not chunk and process.poll() is not None:
            break
    os.close(terminal)
    return shown.decode()


def test_instance_folder_made_open_is_closed_again(instance, careless_umask):
    Path(instance).mkdir(mode=0o755)
    create_app()
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
