"""The app under gunicorn, as in production, in a process of its own that tests can kill."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def refuse_in_fast_run(what: str) -> None:
    """`make test-fast` leaves out the tests marked `process`: one that starts a server of its
    own without the mark would slow it down unseen, so it fails instead."""
    if os.environ.get("KAMPUNG_FAST_TESTS") == "1":
        raise RuntimeError(f"this test starts {what}: mark it @pytest.mark.process")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn --config gunicorn.conf.py app:app` on a free port of 127.0.0.1."""

    def __init__(self, database_url: str, workers: int = 2, app: str = "app:app", **env: str):
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            # Counts of a server's own, not in the instance/ folder of `make run`.
            "RATELIMIT_STORAGE_URI": f"sqlite:///{tempfile.mkdtemp()}/ratelimits.db",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(workers),
            "ACCESS_LOG": "/dev/null",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        refuse_in_fast_run("gunicorn")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", self.app],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited: {self.process.stderr.read().decode()[-2000:]}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once: no graceful anything."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page, as a browser would send it."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if match is None:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


class HttpSession:
    """One browser's worth of HTTP against a real server: cookies, CSRF tokens, no redirects."""

    def __init__(self, base: str, timeout: float = 5):
        self.base = base
        self.timeout = timeout
        self.csrf = ""
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        """(status, headers, body); a 3xx is an answer, not followed."""
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def get(self, path: str):
        status, headers, body = self.request(path)
        if 'name="csrf_token"' in body:
            self.csrf = csrf_from(body)
        elif match := re.search(r'"X-CSRFToken": "([^"]+)"', body):
            self.csrf = match.group(1)
        return status, headers, body

    def post_form(self, path: str, fields: dict):
        data = urllib.parse.urlencode({"csrf_token": self.csrf, **fields}).encode()
        return self.request(path, data)

    def post_files(self, path: str, files: dict[str, tuple[str, bytes]]):
        """A multipart form, as a browser sends a file input, with the CSRF token."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{self.csrf}\r\n".encode()
        ]
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request(path, b"".join(parts), headers)

    def post_json(self, path: str, payload):
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf}
        return self.request(path, json.dumps(payload).encode(), headers)

    def log_in(self, username: str, password: str) -> None:
        self.get("/login")
        status, _, _ = self.post_form("/login", {"username": username, "password": password})
        assert status == 302, status
        self.get("/manage/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
