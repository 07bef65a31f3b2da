"""Run every benchmark in this folder: each module with a `main()` function, in name order,
then print one table of every figure they recorded.

`make bench BENCH_ARGS="checkin_load"` runs only the named ones.
"""

import importlib
import pkgutil
import sys
from pathlib import Path

from bench._common import print_table


def main(argv: list[str]) -> None:
    wanted = set(argv)
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]))
    for name in names:
        if name.startswith("_") or (wanted and name not in wanted):
            continue
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "main"):
            print(f"\n== {name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
            module.main()
    print_table()


if __name__ == "__main__":
    main(sys.argv[1:])
