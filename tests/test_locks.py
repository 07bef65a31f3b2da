"""The locks `make` installs from agree with the direct pins people edit: a pin changed in
requirements*.txt without `make lock` fails here, not on a fresh machine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;#]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line.strip()):
            found[_name(match.group(1))] = match.group(2)
    return found


@pytest.mark.parametrize("name", ["requirements", "requirements-dev"])
def test_the_lock_holds_every_direct_pin_at_its_version(name):
    wanted = pins(ROOT / f"{name}.txt")
    locked = pins(ROOT / f"{name}.lock")
    assert wanted, name
    assert {n: locked.get(n) for n in wanted} == wanted


@pytest.mark.parametrize("name", ["requirements", "requirements-dev"])
def test_every_locked_package_carries_its_hashes(name):
    text = (ROOT / f"{name}.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert entries
    for entry in entries:
        assert PIN.match(entry) and "--hash=sha256:" in entry, entry[:80]
