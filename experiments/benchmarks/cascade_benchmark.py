"""Command line: IC and LT speed of wom and its peers on shared graphs and seed sets.

Tools: ``wom`` (the compiled kernels), ``wom-engine`` (the ordinary engine on the
scenario reduced to a pure independent cascade; its rows report the step loop's time and,
apart, ``setup_s``), cynetdiff, NDlib and EoN. Models: ``ic`` (one probability p), ``lt``,
and IC with a probability per edge, ``wc`` (weighted cascade, 1 / in-degree) and ``tri``
(trivalency). Graph families (``--graphs``): ``ba``, ``ws``, ``dsf``, ``plc``, ``snap``
(see ``graphs.py``); NDlib and EoN run on ``ba`` only.

Prints one JSON line per result row as the rows finish, then a table of all rows.
Each (tool, graph) pair runs in a fresh worker process, so the tools' memory and
global state (NDlib seeds numpy's global generator) never mix.

Examples
--------
Smoke run, a few seconds per tool::

    python experiments/benchmarks/cascade_benchmark.py --quick

The engine next to the kernel and cynetdiff on four families, per-edge models too::

    python experiments/benchmarks/cascade_benchmark.py --tools wom,wom-engine,cynetdiff \
        --graphs ws,dsf,plc,snap --sizes 10000,100000 --models ic,wc,tri

Peers only, two graph sizes, IC only, 60 s per budgeted cell::

    python experiments/benchmarks/cascade_benchmark.py --tools cynetdiff,eon \
        --sizes 10000,100000 --models ic --budget 60
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_PS = (0.01, 0.05, 0.1)
QUICK = {"sizes": (10_000,), "budget": 0.25, "replicates": 200, "repeats": 1}
DEFAULTS = {"budget": 30.0, "replicates": 100, "repeats": 3}
PEER_IMPORTS = {"cynetdiff": "cynetdiff", "ndlib": "ndlib", "eon": "EoN"}


# --- argument parsing -------------------------------------------------------------------


def _comma_list(convert, name: str, expected: str, allowed: tuple | None = None):
    """argparse type: a comma-separated list converted by ``convert`` and checked."""

    def parse(text: str) -> tuple:
        try:
            values = tuple(convert(item.strip()) for item in text.split(",") if item.strip())
        except ValueError:
            values = ()
        unknown = [value for value in values if allowed is not None and value not in allowed]
        if not values or unknown:
            raise argparse.ArgumentTypeError(
                f"The '{name}' option must be a comma-separated list of {expected}. "
                f"Got {text!r} instead."
            )
        return tuple(dict.fromkeys(values))  # drop repeats, keep order

    return parse


def _size(text: str) -> int:
    value = int(text)
    if value <= 50:
        raise ValueError(text)
    return value


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise ValueError(text)
    return value


def _positive(convert):
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not value > 0 or (isinstance(value, float) and math.isinf(value)):
            kind = "integer" if convert is int else "number"
            raise argparse.ArgumentTypeError(f"must be a positive {kind}. Got {text!r} instead.")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (``--worker`` is internal)."""
    from graphs import FAMILIES
    from peers import MODELS, TOOLS

    parser = argparse.ArgumentParser(
        description=(
            "Edge trials per second of independent cascade (IC) and linear threshold (LT) "
            "runs, for wom and its peers, on Barabasi-Albert graphs (m=5, seed 42) with 50 "
            "seed nodes. Final sizes include the seeds."
        )
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: n=10000 only, 0.25 s budgets, 200 replicates (flags given override)",
    )
    parser.add_argument(
        "--sizes",
        type=_comma_list(_size, "sizes", "integers above 50"),
        help="graph sizes, integers above 50 (default 10000,100000,1000000)",
    )
    parser.add_argument(
        "--ps",
        type=_comma_list(_probability, "ps", "probabilities in (0, 1]"),
        default=DEFAULT_PS,
        help="IC edge probabilities in (0, 1] (default 0.01,0.05,0.1)",
    )
    parser.add_argument(
        "--models",
        type=_comma_list(str, "models", ", ".join(MODELS), MODELS),
        default=("ic", "lt"),
        help="ic,lt,wc,tri (default ic,lt; wc and tri: a probability per edge)",
    )
    parser.add_argument(
        "--tools",
        type=_comma_list(str, "tools", ", ".join(TOOLS), TOOLS),
        default=("wom", "cynetdiff", "ndlib", "eon"),
        help="wom,cynetdiff,ndlib,eon,wom-engine (default all but wom-engine)",
    )
    parser.add_argument(
        "--graphs",
        type=_comma_list(str, "graphs", ", ".join(FAMILIES), FAMILIES),
        default=("ba",),
        help="graph families ba,ws,dsf,plc,snap (default ba; snap has a fixed size)",
    )
    parser.add_argument(
        "--budget",
        type=_positive(float),
        help="seconds of replicates per row for the slow peers ndlib and eon (default 30)",
    )
    parser.add_argument(
        "--replicates",
        type=_positive(int),
        help="replicates per row for wom and cynetdiff; cap for the budgeted peers (default 100)",
    )
    parser.add_argument(
        "--repeats",
        type=_positive(int),
        help="times wom and cynetdiff time each row, keeping the fastest (default 3)",
    )
    parser.add_argument(
        "--rng-seed", type=int, default=20240601, help="entropy of every row's SeedSequence"
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        default=3600.0,
        help="seconds after which a (tool, graph) worker is stopped (default 3600)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser


def _resolve(args: argparse.Namespace) -> argparse.Namespace:
    """Fill options not given: from QUICK under ``--quick``, else from the defaults."""
    fallback = QUICK if args.quick else {"sizes": DEFAULT_SIZES, **DEFAULTS}
    for name in ("sizes", "budget", "replicates", "repeats"):
        if getattr(args, name) is None:
            setattr(args, name, fallback.get(name, DEFAULTS.get(name)))
    return args


# --- tool availability ------------------------------------------------------------------


def _wom_available() -> bool:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    try:
        cascades = importlib.import_module("simulator.validation.cascades")
    except ImportError:
        print("wom rows skipped: simulator.validation.cascades not available", flush=True)
        return False
    except Exception as error:  # the engine is work in progress; report, don't crash
        print(
            f"wom rows skipped: simulator.validation.cascades failed to import ({error!r})",
            flush=True,
        )
        return False
    missing = [
        name for name in ("independent_cascade", "linear_threshold") if not hasattr(cascades, name)
    ]
    if missing:
        print(
            f"wom rows skipped: simulator.validation.cascades lacks {', '.join(missing)}",
            flush=True,
        )
        return False
    return True


def available_tools(tools: tuple[str, ...]) -> list[str]:
    """Tools that can run here; prints a one-line notice for each one that cannot."""
    available = []
    for tool in tools:
        if tool in ("wom", "wom-engine"):
            if _wom_available():
                available.append(tool)
        elif importlib.util.find_spec(PEER_IMPORTS[tool]) is None:
            print(f"{tool} rows skipped: {PEER_IMPORTS[tool]} not installed", flush=True)
        else:
            available.append(tool)
    return available


# --- worker -----------------------------------------------------------------------------


def run_worker(spec: dict[str, Any]) -> int:
    """Run every row of one tool on one graph and print each row as a JSON line."""
    import graphs
    import peers

    tool = spec["tool"]
    peers.import_tool(tool)
    graph = graphs.load_graph(spec["node_count"], family=spec.get("family", "ba"))
    baseline_mb = peers.current_rss_mb()
    prepared = peers.PREPARE[tool](graph)
    budget_s = None if tool in peers.FIXED_COUNT_TOOLS else spec["budget"]
    plan = peers.RunPlan(
        spec["replicates"], budget_s, spec["rng_seed"], baseline_mb, spec.get("repeats", 1)
    )
    for model, p in spec["cells"]:
        row = peers.run_row(tool, model, graph, prepared, p, plan)
        print(json.dumps(row), flush=True)
        print(
            f"  {tool} {model} {graph.name} p={p}: {row['replicates']} replicates, "
            f"{row['s_per_replicate']:.3g} s each",
            file=sys.stderr,
            flush=True,
        )
    return 0


def _spawn(spec: dict[str, Any], timeout: float) -> tuple[list[dict[str, Any]], str | None]:
    """Run one worker, echo its JSON lines as they come; return rows and a failure message."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH")])
    )
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    rows = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment) as worker:
        watchdog = threading.Timer(timeout, worker.kill)
        watchdog.start()
        try:
            assert worker.stdout is not None
            for line in worker.stdout:
                print(line, end="", flush=True)
                if line.startswith("{"):
                    rows.append(json.loads(line))
            status = worker.wait()
        finally:
            timed_out = watchdog.finished.is_set()  # set only by firing until cancel()
            watchdog.cancel()
    label = f"{spec['tool']} on {spec.get('family', 'ba')} n={spec['node_count']}"
    if timed_out and status != 0:
        return rows, f"{label} stopped after the {timeout:g} s timeout; its other rows are missing"
    if status != 0:
        return rows, f"{label} failed with exit status {status}; see its traceback above"
    return rows, None


# --- table ------------------------------------------------------------------------------

COLUMNS = (
    ("tool", "{:<10}"),
    ("model", "{:<5}"),
    ("graph", "{:<22}"),
    ("p", "{:>5}"),
    ("replicates", "{:>10}"),
    ("s/replicate", "{:>11}"),
    ("edge trials/s", "{:>13}"),
    ("setup s", "{:>8}"),
    ("peak MB", "{:>8}"),
    ("mean size ± SE", "{:>22}"),
)


def format_table(rows: list[dict[str, Any]]) -> str:
    """Fixed-width table of result rows.

    Examples
    --------
    >>> row = {"tool": "eon", "model": "ic", "graph": "ba_n10000_m5", "p": 0.1,
    ...        "replicates": 3, "s_per_replicate": 0.11, "edge_trials_per_s": 4.2e5,
    ...        "peak_mb": 14.3, "mean_size": 3352.25, "se_size": 30.7}
    >>> format_table([row]).splitlines()[-1].split()
    ['eon', 'ic', 'ba_n10000_m5', '0.1', '3', '0.11', '4.2e+05', '-', '14.3', '3352.2', '±', '30.7']
    """
    lines = ["  ".join(fmt.format(name) for name, fmt in COLUMNS).rstrip()]
    for row in rows:
        se = "n/a" if row["se_size"] is None else f"{row['se_size']:.1f}"
        cells = (
            row["tool"],
            row["model"],
            row["graph"],
            "-" if row["p"] is None else f"{row['p']:g}",
            str(row["replicates"]),
            f"{row['s_per_replicate']:.3g}",
            f"{row['edge_trials_per_s']:.3g}",
            "-" if row.get("setup_s") is None else f"{row['setup_s']:.3g}",
            f"{row['peak_mb']:.1f}",
            f"{row['mean_size']:.1f} ± {se}",
        )
        lines.append(
            "  ".join(fmt.format(cell) for (_, fmt), cell in zip(COLUMNS, cells, strict=True))
        )
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 0, 1 if any worker failed, 2 for bad options."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    args = build_parser().parse_args(argv)
    if args.worker is not None:
        return run_worker(json.loads(args.worker))
    args = _resolve(args)

    import graphs

    tools = available_tools(args.tools)
    if "eon" in tools and "lt" in args.models:
        print("eon lt rows skipped: EoN has no linear threshold model", flush=True)
    graphs_to_run = [
        (family, node_count)
        for family in args.graphs
        for node_count in (args.sizes if family != "snap" else (graphs.SNAP_NODES,))
    ]
    if "snap" in args.graphs and not graphs.snap_path().exists():
        print(f"snap rows skipped: {graphs.snap_path()} not found", flush=True)
        graphs_to_run = [(f, n) for f, n in graphs_to_run if f != "snap"]
    for family, node_count in graphs_to_run:  # build missing caches once, before the workers
        graphs.load_graph(node_count, family=family)

    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    for family, node_count in graphs_to_run:
        for tool in tools:
            if family != "ba" and tool in ("ndlib", "eon"):
                continue  # they take undirected networkx graphs: BA only
            cells = [("ic", p) for p in args.ps] if "ic" in args.models else []
            if "lt" in args.models and tool not in ("eon", "wom-engine"):
                cells.append(("lt", None))
            if tool in ("wom", "cynetdiff"):
                cells.extend((model, None) for model in ("wc", "tri") if model in args.models)
            if not cells:
                continue
            print(f"running {tool} on {family} n={node_count}", file=sys.stderr, flush=True)
            spec = {
                "tool": tool,
                "family": family,
                "node_count": node_count,
                "cells": cells,
                "replicates": args.replicates,
                "repeats": args.repeats,
                "budget": args.budget,
                "rng_seed": args.rng_seed,
            }
            worker_rows, failure = _spawn(spec, args.timeout)
            rows.extend(worker_rows)
            if failure:
                print(failure, flush=True)
                failures.append(failure)
    print()
    print(format_table(rows))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
