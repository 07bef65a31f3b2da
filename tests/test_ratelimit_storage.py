"""The rate limits' embedded storage: a SQLite file that every worker and process shares, each hit
counted exactly once however many processes hit at the same moment."""

from __future__ import annotations

import multiprocessing
import stat

import pytest
from limits.errors import ConfigurationError
from limits.storage import storage_from_string

from kampung import ratelimit
from kampung.config import from_environment
from kampung.ratelimit import SQLiteStorage

PROCESSES = 4
HITS = 250


def test_the_embedded_default_counts_in_a_private_file_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    uri = from_environment(tmp_path)["RATELIMIT_STORAGE_URI"]
    assert uri == f"sqlite:///{tmp_path / 'ratelimits.db'}"
    storage = storage_from_string(uri)
    assert isinstance(storage, SQLiteStorage)
    assert storage.incr("kunci", 60) == 1
    for name in ("ratelimits.db", "ratelimits.db-wal"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def _hit(path: str, hits: int, ready, counts) -> None:
    storage = SQLiteStorage(f"sqlite:///{path}")
    storage.check()  # connected, so that the processes start hitting together
    ready.wait()
    counts.put([storage.incr("login/address", 60) for _ in range(hits)])


def test_hits_from_four_processes_at_once_are_each_counted_once(tmp_path):
    path = str(tmp_path / "ratelimits.db")
    context = multiprocessing.get_context("spawn")
    ready, counts = context.Barrier(PROCESSES + 1), context.Queue()
    processes = [
        context.Process(target=_hit, args=(path, HITS, ready, counts)) for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    ready.wait(timeout=30)
    seen = sorted(count for _ in processes for count in counts.get(timeout=30))
    for process in processes:
        process.join(10)
    # Every hit saw a count of its own: no two processes took the same place in the window.
    assert seen == list(range(1, PROCESSES * HITS + 1))
    assert SQLiteStorage(f"sqlite:///{path}").get("login/address") == PROCESSES * HITS


def _first_hits(path: str, ready, answers) -> None:
    storage = SQLiteStorage(f"sqlite:///{path}")
    ready.wait()  # no connection yet: every process opens the new file at the same moment
    try:
        answers.put(storage.incr("login/address", 60))
    except Exception as error:  # what the request would have turned into a 500
        answers.put(repr(error))


def test_a_new_file_opened_by_several_workers_at_once_counts_every_first_hit(tmp_path):
    """Gunicorn's workers meet the new counts file together, on their first requests. Switching
    a file to WAL takes a lock SQLite does not wait for: here up to one start in ten answered
    "database is locked" (a 500 on the login page) before kampung.database.use_wal waited."""
    context = multiprocessing.get_context("fork")
    for trial in range(60):
        path = str(tmp_path / f"ratelimits-{trial}.db")
        ready, answers = context.Barrier(6), context.Queue()
        processes = [
            context.Process(target=_first_hits, args=(path, ready, answers)) for _ in range(6)
        ]
        for process in processes:
            process.start()
        seen = sorted(str(answers.get(timeout=30)) for _ in processes)
        for process in processes:
            process.join(10)
        assert seen == [str(n) for n in range(1, 7)], (trial, seen)


class Clock:
    """time.time() that the test moves on by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


def test_a_window_that_ended_starts_again_from_the_next_hit(monkeypatch, tmp_path):
    clock = Clock()
    monkeypatch.setattr(ratelimit, "time", clock)
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'ratelimits.db'}")
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get_expiry("k") == clock.now + 60
    clock.now += 59
    assert storage.get("k") == 3
    clock.now += 1
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1
    assert storage.get_expiry("k") == clock.now + 60
    storage.clear("k")
    assert storage.get("k") == 0


def test_a_uri_without_a_path_is_refused():
    with pytest.raises(ConfigurationError):
        SQLiteStorage("sqlite://")
