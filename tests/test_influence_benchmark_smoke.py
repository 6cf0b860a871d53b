"""Smoke test of experiments/benchmarks/influence_benchmark.py on a small graph.

Every rule gives a row with a spread between k and n; IMM (ours and pynetim's) and both
CELFs land within 4 SE of one another and above k. Skipped when a peer is not installed
(CI installs the ``peers`` extra).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = (
    Path(__file__).resolve().parents[1] / "experiments" / "benchmarks" / "influence_benchmark.py"
)


@pytest.mark.skipif(
    importlib.util.find_spec("pynetim") is None or importlib.util.find_spec("cynetdiff") is None,
    reason="peer tools pynetim and cynetdiff are in the peers extra",
)
def test_influence_benchmark_runs_and_rules_agree(tmp_path):
    out = tmp_path / "rows.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--nodes",
            "2000",
            "--k",
            "10",
            "--epsilon",
            "0.3",
            "--runs",
            "1000",
            "--trials",
            "50",
            "--timing-nodes",
            "2000",
            "--timing-runs",
            "200",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "WOM_BENCH_CACHE": str(tmp_path)},
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    spread = {r["rule"]: r for r in rows if r["part"] == "spread"}
    assert set(spread) == {
        "wom IMM",
        "wom CELF",
        "pynetim IMM",
        "cynetdiff CELF",
        "degree",
        "PageRank",
    }
    for row in rows:
        assert 10 <= row["spread"] <= 2000 and row["se"] > 0 and row["select_s"] >= 0
    best = max(r["spread"] for r in spread.values())
    for rule in ("wom IMM", "wom CELF", "pynetim IMM", "cynetdiff CELF"):
        assert spread[rule]["spread"] >= best - 4 * 2**0.5 * spread[rule]["se"], rule
    assert {r["rule"] for r in rows if r["part"] == "speed"} == {"wom IMM", "pynetim IMM"}
