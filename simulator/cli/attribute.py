"""``wom attribute``: score attribution rules against the truth and write the lab's folder.

Every check that can fail (the scenario, the strategy, ``--depth``, the size of the run,
``--out``) runs before any simulation. The folder holds ``attribution.csv`` (rules against
truth), ``verdict.csv``, ``wom.csv``, ``paths.parquet``, ``referrals.parquet``,
``attribution.html`` and ``manifest.json``; it is written into a hidden sibling and moved
into place in one step (see :mod:`simulator.outputs`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from simulator import outputs
from simulator.cli.run import inputs_of, scenario_of
from simulator.engine.sizing import check_size
from simulator.studies.attribution import (
    DEPTH,
    PERMUTATIONS,
    attribute,
    check_options,
    village_referrals,
)

KIND = "wom attribute"
"""The ``kind`` in the manifest of a ``wom attribute`` output folder."""

TREE_PEOPLE = 300
"""People of the village whose referral tree the page draws [assumption: readable]."""


def add_attribute_parser(commands: Any, add_set: Any) -> None:
    """The ``attribute`` subcommand's options."""
    lab = commands.add_parser(
        "attribute",
        help="score attribution rules (last touch, Markov, Shapley...) against the truth",
    )
    lab.add_argument("config", nargs="?", help="TOML scenario; omit for the built-in default")
    add_set(lab)
    lab.add_argument("--strategy", help="strategy to study (default: every channel at once)")
    lab.add_argument("--replicates", type=int, help="replicates per subset of channels")
    lab.add_argument("--seed", type=int, help="seed that fixes every output")
    lab.add_argument(
        "--depth", type=int, default=DEPTH, help=f"touches kept per person (default {DEPTH})"
    )
    lab.add_argument(
        "--permutations",
        type=int,
        default=PERMUTATIONS,
        help=f"channel orders for sampled Shapley values above 6 channels (default {PERMUTATIONS})",
    )
    lab.add_argument("--out", type=Path, help="folder to write the lab's files to")
    lab.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    lab.add_argument("--quiet", action="store_true", help="print nothing but errors")
    lab.add_argument(
        "--lang", choices=("en", "es"), default="en", help="language of attribution.html"
    )


def _print_verdict(lab: Any) -> None:
    print(
        f"attribution of '{lab.strategy}': {', '.join(lab.channels)}; "
        f"{lab.replicates} replicates, Shapley {lab.shapley} over {len(lab.coalitions)} subsets"
    )
    truth = lab.table[lab.table["rule"] == "last_touch"]
    print("channel            true incremental [95 %]     last touch")
    for _, row in truth.iterrows():
        print(
            f"{row['channel']:<18} {row['truth']:8.1f} [{row['truth_low']:7.1f}, {row['truth_high']:7.1f}]"
            f"   {row['credited']:8.1f}"
        )
    print("rule              misplaced  worst channel (error)")
    for _, row in lab.verdict.iterrows():
        print(
            f"{row['rule']:<17} {100 * row['misplaced_share']:7.1f} %  {row['worst_channel']} "
            f"({row['worst_error']:+.1f} [{row['worst_error_low']:+.1f}, {row['worst_error_high']:+.1f}])"
        )


def _write(
    out: Path,
    lab: Any,
    tree: Any,
    lang: str,
    overwrite: bool,
    started: float,
    inputs: list[Path],
) -> None:
    # plotly (through the page's figures) costs a tenth of a second: only when writing
    from simulator.views.attribution import render_attribution

    with outputs.results_folder(
        out, kind=KIND, overwrite=overwrite, inputs=inputs, what="the results"
    ) as partial:
        lab.table.to_csv(partial / "attribution.csv", index=False)
        lab.verdict.to_csv(partial / "verdict.csv", index=False)
        lab.wom.to_csv(partial / "wom.csv", index=False)
        lab.paths.to_parquet(partial / "paths.parquet", index=False)
        lab.referrals.to_parquet(partial / "referrals.parquet", index=False)
        page = render_attribution(lab, tree, lang=lang, tree_people=TREE_PEOPLE)
        (partial / "attribution.html").write_text(page, encoding="utf-8")
        files = outputs.written_files(partial)
        manifest = {
            "kind": KIND,
            "command": sys.argv,
            "seed": lab.scenario.simulation.seed,
            "strategy": lab.strategy,
            "replicates": lab.replicates,
            "wall_seconds": round(time.perf_counter() - started, 3),
            "files": [*files, "manifest.json"],
        }
        (partial / "manifest.json").write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )


def attribute_command(args: argparse.Namespace) -> int:
    """``wom attribute``; returns the exit status (errors are raised as SimulatorError)."""
    started = time.perf_counter()
    scenario = scenario_of(args)
    check_options(scenario, args.strategy, args.depth, args.permutations)
    check_size(scenario, outputs=args.out is not None, origin=args.config or "default scenario")
    inputs = inputs_of(args, scenario)
    outputs.check_out(args.out, kind=KIND, overwrite=args.overwrite, inputs=inputs)
    lab = attribute(scenario, args.strategy, depth=args.depth, permutations=args.permutations)
    if not args.quiet:
        _print_verdict(lab)
    if args.out is not None:
        tree = village_referrals(scenario, args.strategy, size=TREE_PEOPLE)
        _write(args.out, lab, tree, args.lang, args.overwrite, started, inputs)
        if not args.quiet:
            print(f"results written to {args.out}")
    return 0
