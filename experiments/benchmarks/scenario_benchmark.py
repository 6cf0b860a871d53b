"""Command line: build and simulate times and peak memory of the default scenario at scale.

The scenario is ``wom run``'s built-in one (a market layer, two platforms, five
strategies, customers who buy again over 365 days) with ``population.size`` set to N and,
by default, budgets, seeds and page followers scaled with N / 5,000 (``--per-capita``), so
that the campaigns grow with the town and the run measures the engine, not only the town.
``--no-per-capita`` keeps the bakery's budgets (a bigger town, the same campaigns);
``--no-lifecycle`` counts first adoptions only. ``--zero-activity`` adds, per size, a run
with no budget in which every step runs: its ``step_us`` is the engine's cost of a step
in which nothing happens. ``--cache-dir`` reuses built towns (run twice to see it).

Each run is a fresh worker process. Prints one JSON line per row as the rows finish,
then a table. Progress goes to stderr.

Examples
--------
Smoke run::

    python experiments/benchmarks/scenario_benchmark.py --sizes 10000 --replicates 4

The issue's configuration (1M people, 20 replicates, 365 days)::

    python experiments/benchmarks/scenario_benchmark.py --sizes 1000000 --zero-activity
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
ROW_KEYS = (
    "scenario",
    "lifecycle",
    "date",
    "agents",
    "strategies",
    "replicates",
    "steps",
    "workers",
    "edges",
    "wall_s",
    "build_s",
    "simulate_s",
    "step_us",
    "cached",
    "peak_mb",
    "helper_peak_mb",
    "adopters",
    "aware",
)
BASE_SIZE = 5_000  # the default scenario's town


def scenario(
    agents: int,
    replicates: int,
    steps: int,
    *,
    per_capita: bool,
    block_size: int,
    lifecycle: bool = True,
    quiet: bool = False,
):
    """The default scenario with ``agents`` people (and, ``per_capita``, scaled budgets;
    ``lifecycle``, customers who buy again; ``quiet``, no budget at all and every step run,
    so that the run measures the engine's cost of a step in which nothing happens).

    Examples
    --------
    >>> s = scenario(10_000, 4, 30, per_capita=True, block_size=50)
    >>> s.population.size, s.channels["newspaper"].budget
    (10000, 2000.0)
    """
    from simulator.config import default_scenario, validate_scenario

    data = default_scenario().model_dump()
    data["population"]["size"] = agents
    data["simulation"].update(replicates=replicates, steps=steps, block_size=block_size)
    data["lifecycle"]["enabled"] = lifecycle
    if quiet:
        data["simulation"]["stop_when_quiet"] = False
        data["response"]["advertising"]["walk_ins_per_year"] = 0.0  # nobody buys unasked
        for channel in data["channels"].values():
            channel["budget"] = 0.0
    if per_capita:
        factor = agents / BASE_SIZE
        for channel in data["channels"].values():
            channel["budget"] *= factor
            if channel["kind"] == "social_page":
                channel["followers"] = int(round(channel["followers"] * factor))
    return validate_scenario(data, origin="benchmark scenario")


def _peak_mb(who: int) -> float:
    import resource

    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def run_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Build and run one scenario in this process; return its row."""
    import resource

    import numpy as np

    from simulator.engine.run import simulate

    started = time.perf_counter()
    s = scenario(
        spec["agents"],
        spec["replicates"],
        spec["steps"],
        per_capita=spec["per_capita"],
        block_size=spec["block_size"],
        lifecycle=spec.get("lifecycle", True),
        quiet=spec.get("quiet", False),
    )
    result = simulate(s, workers=spec["workers"], cache_dir=spec.get("cache_dir"))
    wall = time.perf_counter() - started
    timings = result.provenance["timings"]
    steps_run = (
        len(result.strategies) * -(-spec["replicates"] // spec["block_size"]) * spec["steps"]
    )
    name = "default, per capita budgets" if spec["per_capita"] else "default"
    if spec.get("quiet"):
        name = "default, no budget (zero activity)"
    return {
        "scenario": name,
        "lifecycle": spec.get("lifecycle", True),
        "date": time.strftime("%Y-%m-%d"),
        "agents": spec["agents"],
        "strategies": len(result.strategies),
        "replicates": spec["replicates"],
        "steps": spec["steps"],
        "workers": spec["workers"],
        "edges": int(sum(layer["edges"] for layer in result.provenance["network"].values())),
        "wall_s": round(wall, 3),
        "build_s": round(timings["build_seconds"], 3),
        "simulate_s": round(timings["simulate_seconds"], 3),
        "step_us": round(1e6 * timings["simulate_seconds"] / max(steps_run, 1), 1),
        "cached": spec.get("cache_dir") is not None,
        "peak_mb": round(_peak_mb(resource.RUSAGE_SELF), 1),
        "helper_peak_mb": (
            round(_peak_mb(resource.RUSAGE_CHILDREN), 1) if spec["workers"] > 1 else 0.0
        ),
        "adopters": {
            r.name: round(float(np.mean(r.series["adopters"][:, -1])), 1) for r in result.strategies
        },
        "aware": {
            r.name: round(float(np.mean(r.series["aware"][:, -1])), 1) for r in result.strategies
        },
    }


def _spawn(spec: dict[str, Any]) -> dict[str, Any]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH")])
    )
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    finished = subprocess.run(
        command, stdout=subprocess.PIPE, text=True, env=environment, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"the worker for {spec['agents']} agents failed")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def format_table(rows: list[dict[str, Any]]) -> str:
    """Fixed-width table of result rows.

    Examples
    --------
    >>> row = {"agents": 10_000, "strategies": 5, "replicates": 20, "steps": 90,
    ...        "workers": 1, "edges": 1_000, "wall_s": 1.5, "build_s": 0.2,
    ...        "simulate_s": 1.1, "peak_mb": 120.0, "helper_peak_mb": 0.0}
    >>> format_table([row]).splitlines()[1].split()[:4]
    ['10,000', '5', '20', '90']
    """
    header = (
        f"{'agents':>10} {'strategies':>10} {'replicates':>10} {'steps':>5} {'workers':>7} "
        f"{'edges':>12} {'wall s':>8} {'build s':>8} {'simulate s':>10} {'step us':>9} "
        f"{'peak MB':>8} {'helper MB':>9}"
    )
    lines = [header]
    for row in rows:
        lines.append(
            f"{row['agents']:>10,} {row['strategies']:>10} {row['replicates']:>10} "
            f"{row['steps']:>5} {row['workers']:>7} {row['edges']:>12,} {row['wall_s']:>8.2f} "
            f"{row['build_s']:>8.2f} {row['simulate_s']:>10.2f} {row.get('step_us', 0.0):>9.1f} "
            f"{row['peak_mb']:>8.0f} "
            f"{row['helper_peak_mb']:>9.0f}"
        )
    return "\n".join(lines)


def _positive_ints(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(item) for item in text.split(",") if item.strip())
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"must be a comma-separated list of positive integers. Got {text!r} instead."
        )
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Wall time and peak memory of the default scenario at several town sizes."
    )
    parser.add_argument(
        "--sizes", type=_positive_ints, default=DEFAULT_SIZES, help="agents (10000,100000,1000000)"
    )
    parser.add_argument("--replicates", type=int, default=20, help="replicates per strategy (20)")
    parser.add_argument("--steps", type=int, default=365, help="steps (365, the default)")
    parser.add_argument(
        "--block-size", type=int, default=50, help="simulation.block_size (50, the default)"
    )
    parser.add_argument(
        "--workers", type=_positive_ints, default=(1,), help="process counts to try (1)"
    )
    parser.add_argument(
        "--per-capita",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="scale channel budgets, seeds and page followers with agents / 5000 (on)",
    )
    parser.add_argument(
        "--lifecycle",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="customers who buy again (lifecycle.enabled, on as in the default scenario)",
    )
    parser.add_argument(
        "--zero-activity",
        action="store_true",
        help="also a row per size with no budget and every step run: the cost of an idle step",
    )
    parser.add_argument(
        "--cache-dir", help="folder of built towns (simulate(cache_dir=...)); run twice to reuse"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 0, 1 if a worker failed, 2 for bad options."""
    args = build_parser().parse_args(argv)
    if args.worker is not None:
        print(json.dumps(run_worker(json.loads(args.worker))), flush=True)
        return 0
    rows = []
    for agents in args.sizes:
        for workers in args.workers:
            print(f"running {agents:,} agents, {workers} worker(s)", file=sys.stderr, flush=True)
            spec = {
                "agents": agents,
                "replicates": args.replicates,
                "steps": args.steps,
                "block_size": args.block_size,
                "workers": workers,
                "per_capita": args.per_capita,
                "lifecycle": args.lifecycle,
                "cache_dir": args.cache_dir,
            }
            for quiet in (False, True) if args.zero_activity else (False,):
                try:
                    row = _spawn({**spec, "quiet": quiet})
                except RuntimeError as error:
                    print(error, file=sys.stderr)
                    return 1
                print(json.dumps(row), flush=True)
                rows.append(row)
    print()
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
