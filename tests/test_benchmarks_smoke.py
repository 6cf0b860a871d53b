"""Smoke test of the benchmarks: --quick runs print complete, sane rows, and tools agree.

Runs ``experiments/benchmarks/cascade_benchmark.py`` in subprocesses (about 20 s in all,
the two runs side by side on two cores), with wom and every installed peer, and a tiny
``scenario_benchmark.py`` run. A peer that is not installed is skipped; CI installs them
all.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "experiments" / "benchmarks"
SCRIPT = BENCHMARKS / "cascade_benchmark.py"
SCENARIO_SCRIPT = BENCHMARKS / "scenario_benchmark.py"
ROW_KEYS = {
    "tool",
    "model",
    "graph",
    "p",
    "replicates",
    "s_per_replicate",
    "edge_trials_per_s",
    "peak_mb",
    "mean_size",
    "se_size",
}
QUICK_NODES = 10_000
QUICK_PS = (0.01, 0.05, 0.1)
QUICK_REPLICATES = 200  # --quick default for the fixed-count tools (wom, cynetdiff)
SEED_COUNT = 50
EON_AGREEMENT_REPLICATES = 20
PEER_MODULES = {"cynetdiff": "cynetdiff", "ndlib": "ndlib", "eon": "EoN"}
PEER_MODELS = {"cynetdiff": ("ic", "lt"), "ndlib": ("ic", "lt"), "eon": ("ic",)}


def _installed(tool: str) -> bool:
    # find_spec rather than pytest.importorskip: importing NDlib and EoN here would cost
    # about 7 s for nothing, since the runs happen in subprocesses; a peer that is
    # installed but broken then fails the harness run loudly instead of being skipped.
    return importlib.util.find_spec(PEER_MODULES[tool]) is not None


def _require(*tools: str) -> None:
    for tool in tools:
        if not _installed(tool):
            pytest.skip(f"{PEER_MODULES[tool]} is not installed")


def _start(arguments: list[str], cache: Path) -> subprocess.Popen[str]:
    environment = {**os.environ, "WOM_BENCH_CACHE": str(cache)}
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def _finish(run: subprocess.Popen[str]) -> dict[str, Any]:
    try:
        stdout, stderr = run.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        run.kill()
        run.communicate()
        raise
    rows = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return {"returncode": run.returncode, "stdout": stdout, "stderr": stderr, "rows": rows}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The --quick run over every installed peer and a fixed-count EoN IC run, in parallel."""
    tools = ["wom", *(tool for tool in PEER_MODULES if _installed(tool))]
    cache = tmp_path_factory.mktemp("wom-bench-cache")
    # Build the 10k graph once, so the two runs below do not both build and write it.
    subprocess.run(
        [sys.executable, "-c", "import graphs; graphs.load_graph(10_000)"],
        cwd=SCRIPT.parent,
        env={**os.environ, "WOM_BENCH_CACHE": str(cache)},
        check=True,
    )
    started = {"quick": _start(["--quick", "--tools", ",".join(tools)], cache)}
    if "eon" in tools:
        # A fixed count (the budget is never reached) keeps the agreement check
        # deterministic whatever the machine's speed.
        started["eon_fixed"] = _start(
            [
                "--quick",
                "--tools=eon",
                "--models=ic",
                "--ps=0.01,0.1",
                f"--replicates={EON_AGREEMENT_REPLICATES}",
                "--budget=600",
            ],
            cache,
        )
    return {name: _finish(run) for name, run in started.items()}


def test_quick_run_succeeds_and_prints_a_table(runs: dict[str, dict[str, Any]]) -> None:
    for run in runs.values():
        assert run["returncode"] == 0, run["stderr"]
        assert "edge trials/s" in run["stdout"]
        assert run["rows"], run["stdout"]


def test_every_json_line_has_exactly_the_row_keys(runs: dict[str, dict[str, Any]]) -> None:
    for run in runs.values():
        for row in run["rows"]:
            assert set(row) == ROW_KEYS, row


@pytest.mark.parametrize("tool", ["wom", *sorted(PEER_MODULES)])
def test_rows_of_each_tool_are_sane(runs: dict[str, dict[str, Any]], tool: str) -> None:
    if tool != "wom":
        _require(tool)
    rows = [row for row in runs["quick"]["rows"] if row["tool"] == tool]
    expected_cells = [("ic", p) for p in QUICK_PS]
    if tool == "wom" or "lt" in PEER_MODELS[tool]:
        expected_cells.append(("lt", None))
    assert [(row["model"], row["p"]) for row in rows] == expected_cells
    for row in rows:
        assert row["graph"] == f"ba_n{QUICK_NODES}_m5"
        assert isinstance(row["replicates"], int) and row["replicates"] >= 1
        if tool in ("wom", "cynetdiff"):
            assert row["replicates"] == QUICK_REPLICATES
        assert math.isfinite(row["s_per_replicate"]) and row["s_per_replicate"] > 0
        assert math.isfinite(row["edge_trials_per_s"]) and row["edge_trials_per_s"] > 0
        assert math.isfinite(row["peak_mb"]) and row["peak_mb"] >= 0
        # Final sizes count the seeds, so no replicate can end below the seed count.
        assert SEED_COUNT <= row["mean_size"] <= QUICK_NODES
        if row["replicates"] == 1:
            assert row["se_size"] is None
        else:
            assert math.isfinite(row["se_size"]) and row["se_size"] >= 0


@pytest.mark.parametrize("p", [0.01, 0.1])
def test_cynetdiff_and_eon_ic_mean_sizes_agree(runs: dict[str, dict[str, Any]], p: float) -> None:
    """Same model, same graph, same seeds: mean IC sizes agree within 4 combined SEs.

    200 cynetdiff replicates against 20 EoN replicates, both from fixed seeds. If both
    tools run the same model, a 4-sigma gap has probability about 6e-5. At p=0.01 the
    50 seeds are about 90 % of the final size (combined SE below 1), so a tool that left
    the seeds out of its count fails; at p=0.1 (sizes near 3,350, combined SE about 20)
    so does a wrong reading of ``p`` or a graph with one direction per edge.
    """
    _require("cynetdiff", "eon")
    (cynetdiff,) = [
        row for row in runs["quick"]["rows"] if row["tool"] == "cynetdiff" and row["p"] == p
    ]
    (eon,) = [row for row in runs["eon_fixed"]["rows"] if row["p"] == p]
    assert cynetdiff["replicates"] == QUICK_REPLICATES
    assert eon["replicates"] == EON_AGREEMENT_REPLICATES
    combined_se = math.hypot(cynetdiff["se_size"], eon["se_size"])
    assert abs(cynetdiff["mean_size"] - eon["mean_size"]) <= 4 * combined_se, (cynetdiff, eon)


@pytest.mark.parametrize(("model", "p"), [("ic", 0.01), ("ic", 0.05), ("ic", 0.1), ("lt", None)])
def test_wom_and_cynetdiff_mean_sizes_agree(
    runs: dict[str, dict[str, Any]], model: str, p: float | None
) -> None:
    """wom's kernels and cynetdiff run the same models: mean sizes within 4 combined SEs.

    200 replicates each, fixed seeds (false alarm probability about 6e-5 per check). At
    p = 0.05, near the epidemic threshold, a wrong reading of p moves the mean by many SEs.
    """
    _require("cynetdiff")
    rows = runs["quick"]["rows"]
    (wom,) = [r for r in rows if r["tool"] == "wom" and r["model"] == model and r["p"] == p]
    (peer,) = [r for r in rows if r["tool"] == "cynetdiff" and r["model"] == model and r["p"] == p]
    combined_se = math.hypot(wom["se_size"], peer["se_size"])
    assert abs(wom["mean_size"] - peer["mean_size"]) <= 4 * combined_se, (wom, peer)


def test_scenario_benchmark_prints_rows_and_a_table() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(SCENARIO_SCRIPT),
            "--sizes=2000",
            "--replicates=2",
            "--steps=5",
            "--workers=1,2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert [row["workers"] for row in rows] == [1, 2]
    for row in rows:
        assert row["agents"] == 2000 and row["strategies"] == 6 and row["replicates"] == 2
        assert 0 < row["simulate_s"] <= row["wall_s"] and row["peak_mb"] > 0
        assert row["edges"] > 2000
    assert rows[0]["adopters"] == rows[1]["adopters"]  # same results with a helper process
    assert "simulate s" in run.stdout


def test_scenario_benchmark_zero_activity_and_cache_rows(tmp_path: Path) -> None:
    def run_once() -> list[dict[str, Any]]:
        run = subprocess.run(
            [
                sys.executable,
                str(SCENARIO_SCRIPT),
                "--sizes=2000",
                "--replicates=2",
                "--steps=20",
                "--zero-activity",
                f"--cache-dir={tmp_path}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]

    busy, idle = run_once()
    assert busy["scenario"].endswith("per capita budgets")  # the default now
    assert busy["lifecycle"] and busy["cached"] and busy["steps"] == 20
    assert max(busy["aware"].values()) > 0
    assert "zero activity" in idle["scenario"] and set(idle["aware"].values()) == {0.0}
    assert idle["step_us"] > 0
    assert len(list(tmp_path.glob("town-*.npz"))) == 1  # both rows share the town
    again, _ = run_once()
    assert again["adopters"] == busy["adopters"]  # the cached town gives the same results
