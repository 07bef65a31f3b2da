"""Rate-limit hits: µs per hit on the embedded SQLite storage, alone and 4 processes at once.

A sign-up counts two limits (per browser, per address), a login two (per address, per
account): what a hit costs is what each limit adds to a request. The in-memory storage (per
process, so no limit across workers) is the floor to compare with.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from pathlib import Path

from limits.storage import MemoryStorage

from bench._common import record
from kampung.ratelimit import SQLiteStorage

HITS = 20_000
PROCESSES = 4
#: distinct keys, as many addresses and browsers at once
KEYS = 200


def _per_hit_us(storage, hits: int) -> float:
    keys = [f"LIMITER/kampung/address:{i:016x}/signup.sign_up/150/1/minute" for i in range(KEYS)]
    for key in keys:
        storage.incr(key, 60)  # warm: connection open, rows there
    start = time.perf_counter()
    for i in range(hits):
        storage.incr(keys[i % KEYS], 60)
    return (time.perf_counter() - start) / hits * 1e6


def _process(path: str, hits: int, ready, results) -> None:
    storage = SQLiteStorage(f"sqlite:///{path}")
    storage.check()
    ready.wait()
    results.put(_per_hit_us(storage, hits))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "ratelimits.db")
        alone = _per_hit_us(SQLiteStorage(f"sqlite:///{path}"), HITS)
        memory = _per_hit_us(MemoryStorage(), HITS)
        context = multiprocessing.get_context("spawn")
        ready, results = context.Barrier(PROCESSES + 1), context.Queue()
        processes = [
            context.Process(target=_process, args=(path, HITS, ready, results))
            for _ in range(PROCESSES)
        ]
        for process in processes:
            process.start()
        ready.wait(timeout=60)
        start = time.perf_counter()
        each = [results.get(timeout=120) for _ in processes]
        wall = time.perf_counter() - start
        for process in processes:
            process.join(10)
    together = PROCESSES * HITS / wall
    print(f"sqlite, one process:    {alone:6.1f} µs per hit")
    print(f"sqlite, {PROCESSES} processes:    {max(each):6.1f} µs per hit in the slowest,")
    print(f"                        {together:8.0f} hits/s in all")
    print(f"memory (per process):   {memory:6.1f} µs per hit")
    record(
        "rate-limit hit, SQLite, one process", f"{alone:.0f} µs", note=f"memory: {memory:.1f} µs"
    )
    record(
        f"rate-limit hits, SQLite, {PROCESSES} processes at once",
        f"{together:,.0f}/s",
        note=f"{max(each):.0f} µs per hit in the slowest",
    )


if __name__ == "__main__":
    main()
