"""Rules of the code base that no linter checks: a module stays small enough to read at once."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: COMMON.md: no module over 400 lines
MAX_LINES = 400
#: our own Python and JavaScript; vendored files and migrations excluded
OURS = ("kampung/**/*.py", "bench/**/*.py", "tests/**/*.py", "static/js/**/*.js")


def test_no_module_is_over_400_lines():
    files = {path for pattern in OURS for path in ROOT.glob(pattern) if "vendor" not in path.parts}
    assert len(files) > 100
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(files)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, "split these by what they do"
