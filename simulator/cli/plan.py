"""``wom plan``: split a budget across a scenario's channels; print the answer, write plan.csv/html.

Every option is checked (by :func:`simulator.studies.plan_space.check_plan`) before any
simulation; bad input is one ``wom: error:`` line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from simulator import outputs
from simulator.cli.run import inputs_of, scenario_of
from simulator.errors import ConfigError
from simulator.studies.plan import PlanResult, Schedule, plan
from simulator.studies.plan_seeds import SEED_RULES, compare_seeds

PLAN_KIND = "wom plan"
"""The ``kind`` in the manifest of a ``wom plan`` output folder."""


def add_plan_parser(commands: Any, add_set: Any) -> None:
    """The ``plan`` subcommand's options."""
    parser = commands.add_parser(
        "plan",
        help="split a budget across the channels (and choose whom to give samples to)",
        description="Search allocations of --budget across the scenario's channels by "
        "simulation with common random numbers; compare the best with the best single "
        "channel, an even split and the current plan.",
    )
    parser.add_argument("config", nargs="?", help="TOML scenario; omit for the built-in default")
    add_set(parser)
    parser.add_argument("--budget", type=float, required=True, help="EUR to allocate")
    parser.add_argument("--channels", help="comma-separated channels to plan (default: all)")
    parser.add_argument(
        "--objective",
        help="profit, clv, customers or adopters (default: profit when customers have a "
        "margin, else customers)",
    )
    for name, what in (
        ("lower", "least EUR for a channel"),
        ("upper", "most EUR for a channel"),
        ("current", "your current plan, EUR per channel (default: the config's budgets)"),
        ("setup-hours", "hours a channel costs just to be used (account upkeep)"),
    ):
        parser.add_argument(
            f"--{name}",
            action="append",
            default=[],
            metavar="CHANNEL=VALUE",
            help=f"{what}, e.g. --{name} facebook_page=10 (repeatable, or comma-separated)",
        )
    parser.add_argument("--hourly-cost", type=float, help="EUR per setup hour (default 20)")
    parser.add_argument("--hours-budget", type=float, help="most hours in total")
    parser.add_argument(
        "--target-roi",
        type=float,
        help="recommend the largest spend (up to --budget) keeping ROI >= this (0.5 = 50 %%)",
    )
    parser.add_argument("--seed", type=int, help="seed that fixes every output")
    parser.add_argument(
        "--seeds",
        action="store_true",
        help="also compare whom to give the samples to (random, degree, PageRank, degree "
        "discount, CELF, IMM) at the recommended number of samples",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer replicates per stage (for a first look)"
    )
    parser.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--cache", type=Path, help="JSON-lines file of finished blocks (resume)")
    parser.add_argument("--out", type=Path, help="folder for plan.csv, plan.html, manifest.json")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier --out")
    parser.add_argument("--lang", choices=("en", "es"), default="en", help="plan.html language")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _pairs(option: str, values: list[str]) -> dict[str, float] | None:
    """``["a=1,b=2", "c=3"]`` as ``{"a": 1.0, "b": 2.0, "c": 3.0}``; None when empty."""
    found: dict[str, float] = {}
    for value in values:
        for item in value.split(","):
            name, sep, number = item.partition("=")
            try:
                found[name.strip()] = float(number)
            except ValueError:
                sep = ""
            if not sep or not name.strip():
                raise ConfigError(
                    f"--{option} {item!r}: expected CHANNEL=NUMBER, e.g. --{option} radio=100"
                )
    return found or None


QUICK = Schedule(refine_blocks=2, steps=(16, 4), holdout_blocks=1, curve_points=3, frontier=(0.5,))
"""``--quick``: fewer blocks, two refinement steps, one holdout block (40 replicates), a
shorter frontier [assumption]."""


def _summary(result: PlanResult) -> str:
    rec = result.recommended
    objective = result.settings.objective
    lines = [
        f"recommended ({objective}, {rec.replicates} fresh replicates, 95 % intervals):",
        *(f"  {c:<20} {eur:>10,.2f} EUR" for c, eur in result.allocation.items()),
        f"  {objective}: {rec.objective[0]:,.1f} [{rec.objective[1]:,.1f}, {rec.objective[2]:,.1f}]"
        + (f"; ROI {100 * rec.roi:,.0f} %" if rec.roi == rec.roi else ""),
    ]
    for other in result.comparisons:
        d = other.difference
        lines.append(
            f"  vs {other.label}: {d[0]:+,.1f} [{d[1]:+,.1f}, {d[2]:+,.1f}], "
            f"P(better) {100 * other.probability_better:.0f} %"
        )
    return "\n".join(lines)


def plan_command(args: argparse.Namespace) -> int:
    """``wom plan``; returns the exit status (errors are raised as SimulatorError)."""
    scenario = scenario_of(args)
    channels = None if args.channels is None else [c.strip() for c in args.channels.split(",")]
    options = {
        "budget": args.budget,
        "channels": channels,
        "objective": args.objective,
        "lower": _pairs("lower", args.lower),
        "upper": _pairs("upper", args.upper),
        "current": _pairs("current", args.current),
        "setup_hours": _pairs("setup-hours", args.setup_hours),
        "hourly_cost": args.hourly_cost,
        "hours_budget": args.hours_budget,
        "target_roi": args.target_roi,
    }
    inputs = inputs_of(args, scenario)
    if args.cache is not None:  # the plan's resumable cache is read too
        inputs.append(Path(args.cache))
    outputs.check_out(args.out, kind=PLAN_KIND, overwrite=args.overwrite, inputs=inputs)
    result = plan(
        scenario,
        **options,
        schedule=QUICK if args.quick else None,
        workers=args.workers,
        cache=args.cache,
    )
    seeds = None
    if args.seeds:
        seeds = compare_seeds(scenario, result, rules=SEED_RULES)
    if not args.quiet:
        print(scenario.title)
        print(_summary(result))
        if seeds is not None:
            print(seeds.to_string(index=False))
    if args.out is not None:
        _write(args.out, result, seeds, args, inputs)
        if not args.quiet:
            print(f"plan written to {args.out}")
    return 0


def _write(
    out: Path, result: PlanResult, seeds: Any, args: argparse.Namespace, inputs: list[Path]
) -> None:
    # plotly (through the report) costs a tenth of a second: only when writing
    from simulator.views.plan_report import plan_report_html
    from simulator.views.style import channel_color

    with outputs.results_folder(
        out, kind=PLAN_KIND, overwrite=args.overwrite, inputs=inputs, what="the plan"
    ) as partial:
        frame = result.to_frame()
        frame.to_csv(partial / "plan.csv", index=False)
        files = ["plan.csv", "plan.html", "manifest.json"]
        if seeds is not None:
            seeds.to_csv(partial / "seeds.csv", index=False)
            files.insert(1, "seeds.csv")
        provenance = {**result.provenance, "command": sys.argv}
        page = plan_report_html(
            frame,
            title=result.scenario.title,
            lang=args.lang,
            provenance=provenance,
            seeds=seeds,
            colors={name: channel_color(c) for name, c in result.scenario.channels.items()},
        )
        (partial / "plan.html").write_text(page, encoding="utf-8")
        manifest = {"kind": PLAN_KIND, "files": files, **provenance}
        (partial / "manifest.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
