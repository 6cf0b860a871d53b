"""Checks shared by the bad-input suites: a clean refusal loses nothing.

A refusal is exit status 2, exactly one line on stderr that starts with ``wom: error:``,
no traceback, no output folder created, and every file that was there before still there
with the same bytes (sentinels are planted around ``--out`` before the call).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TINY = [
    "--set",
    "simulation.steps=5",
    "--set",
    "population.size=300",
    "--set",
    "simulation.replicates=2",
]
"""Overrides that make the default scenario run in about a second."""


def wom(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the ``wom`` command in a fresh interpreter, as a user would."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes (folders as empty markers)."""
    found: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        found[key + ("/" if path.is_dir() else "")] = b"" if path.is_dir() else path.read_bytes()
    return found


def plant_sentinels(root: Path) -> None:
    """Files a careless ``--overwrite`` or cleanup would destroy."""
    (root / "keep.txt").write_text("keep\n", encoding="utf-8")
    (root / "notes").mkdir(exist_ok=True)
    (root / "notes" / "thesis.md").write_text("# chapter 1\n", encoding="utf-8")


def assert_refused(
    process: subprocess.CompletedProcess, *, mentions: str | tuple[str, ...] = ()
) -> str:
    """Exit 2, one ``wom: error:`` line, no traceback; returns the line."""
    stderr = process.stderr.strip()
    assert process.returncode == 2, (process.returncode, process.stdout[-2000:], stderr[-2000:])
    assert "Traceback" not in process.stderr, stderr
    lines = [line for line in stderr.splitlines() if not line.startswith("wom: warning:")]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("wom: error: "), lines[0]
    for word in (mentions,) if isinstance(mentions, str) else mentions:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def refuse_and_keep(
    args: list[str], root: Path, *, cwd: Path | None = None, mentions: str | tuple[str, ...] = ()
) -> str:
    """Run ``wom *args`` with sentinels in ``root``; assert a clean refusal that kept them."""
    plant_sentinels(root)
    before = snapshot(root)
    line = assert_refused(wom(*args, cwd=cwd or root), mentions=mentions)
    after = snapshot(root)
    assert after == before, sorted(set(after) ^ set(before))
    return line
