"""``wom check-model``: the table, the exit status and bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from simulator import validation
from simulator.cli import main


def _row(passed: bool | None) -> validation.CheckResult:
    return validation.CheckResult(
        "exact", "IC star", 2.0, 0.0, 2.3, 0.05, 4000, passed, "|z| = 6.0 > 3"
    )


@pytest.mark.parametrize(("verdicts", "status"), [([True, None], 0), ([True, False], 1)])
def test_exit_status_is_1_when_any_check_fails(monkeypatch, capsys, verdicts, status):
    rows = [_row(verdict) for verdict in verdicts]
    monkeypatch.setattr(validation, "run_checks", lambda **options: rows)
    assert main(["check-model", "--quick"]) == status
    out = capsys.readouterr().out
    assert "check" in out and "simulated ± SE" in out and "verdict" in out
    assert ("FAIL" in out) == (status == 1)
    skipped = verdicts.count(None)
    assert (
        f"{verdicts.count(True)} passed, {verdicts.count(False)} failed, {skipped} skipped" in out
    )


def test_a_real_quick_group_prints_the_table_and_passes(capsys):
    # The discrete Bass checks at quick size: N = 10,000, 30 replicates, 15 one-year steps.
    assert main(["check-model", "--quick", "--only", "bass-discrete"]) == 0
    out = capsys.readouterr().out
    assert "discrete hazard map" in out
    assert "2 passed, 0 failed, 0 skipped" in out


@pytest.mark.parametrize("arguments", [["--only", "nonsense"], ["--seed", "-1"], ["--seed", "x"]])
def test_bad_options_exit_2_without_a_traceback(arguments):
    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "check-model", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(("wom: error", "usage", "wom check-model: error"))
    )
