"""A PostgreSQL server of the test's own, in a temporary folder, that a test may stop and start
(the machine's shared server is never touched)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time

from tests.server import free_port, refuse_in_fast_run


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> bool:
    return _bin("initdb") is not None and _bin("pg_ctl") is not None


def _as_postgres(args: list[str]) -> list[str]:
    # initdb and the server refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kampung-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run(_as_postgres(list(args)), check=True, capture_output=True, timeout=60)

    def init(self) -> Cluster:
        refuse_in_fast_run("a PostgreSQL cluster")
        self._run(_bin("initdb"), "-D", self.data, "--auth=trust", "-U", "postgres", "--no-sync")
        return self.start()

    def start(self) -> Cluster:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run(
            _bin("pg_ctl"), "-D", self.data, "-o", options, "-w", "-l", f"{self.dir}/log", "start"
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(_bin("pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def wait_until_down(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and os.path.exists(f"{self.data}/postmaster.pid"):
            time.sleep(0.05)
