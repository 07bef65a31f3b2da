"""Rules of the code base that no linter checks: a module small enough to read at once, the
checks `make test` runs, and what the README promises an operator."""

from __future__ import annotations

import re
import tomllib
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


def _make_target(name: str) -> list[str]:
    """The commands of a Makefile target, as written."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    body = re.search(rf"^{name}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert body, name
    return [line.strip() for line in body.group(1).splitlines()]


def test_make_test_runs_ruff_with_the_agreed_rules_and_mypy():
    for target in ("test", "test-fast", "lint"):
        commands = _make_target(target)
        assert "$(BIN)/ruff check ." in commands, target
        assert "$(BIN)/mypy" in commands, target
    assert "$(BIN)/ruff format --check ." in _make_target("test")
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = settings["tool"]["ruff"]["lint"]
    assert {"DTZ", "ERA", "C90", "TID251"} <= set(lint["select"])
    assert lint["mccabe"]["max-complexity"] == 15
    banned = lint["flake8-tidy-imports"]["banned-api"]
    assert {"flask.request", "flask.g", "flask.current_app"} <= banned.keys()
    assert settings["tool"]["mypy"]["files"] == ["kampung"]


def test_the_readmes_caddyfile_compresses():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```\w*\n(.*?)^```", readme, re.DOTALL | re.MULTILINE)
    (caddyfile,) = [block for block in blocks if "reverse_proxy" in block]
    assert re.search(r"^\s*encode\b.*\bgzip\b", caddyfile, re.MULTILINE)
