"""``wom run``: simulate a scenario, print its table, write its folder of results.

Every check that can fail (the scenario, the size of the run, ``--out``, ``--workers``)
runs before any simulation; results are written into a hidden sibling folder and moved
into place in one step (see :mod:`simulator.outputs`).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from simulator import lifeline, outputs
from simulator.config import Scenario, load_scenario
from simulator.config.toml import scenario_to_toml
from simulator.engine.run import simulate
from simulator.engine.sizing import auto_workers, check_size
from simulator.results import write_manifest
from simulator.views.terminal import run_text

RUN_KIND = "wom run"
"""The ``kind`` in the manifest of a ``wom run`` output folder."""


def add_run_parser(commands: Any, add_set: Any) -> None:
    """The ``run`` subcommand's options."""
    run = commands.add_parser("run", help="run a scenario (the built-in one by default)")
    run.add_argument("config", nargs="?", help="TOML scenario; omit for the built-in default")
    add_set(run)
    run.add_argument("--replicates", type=int, help="replicates per strategy")
    run.add_argument("--seed", type=int, help="seed that fixes every output")
    run.add_argument("--out", type=Path, help="folder to write results to")
    run.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    run.add_argument("--quiet", action="store_true", help="no table, no progress bar")
    run.add_argument(
        "--workers",
        type=_workers,
        default="auto",
        help="processes that share the replicate blocks, or auto (default: one per CPU for "
        "runs estimated above a couple of seconds, else 1); results do not change",
    )
    run.add_argument(
        "--lang",
        choices=("en", "es"),
        default="en",
        help="language of the table and of report.html (default en)",
    )
    run.add_argument(
        "--cache-dir",
        type=Path,
        help="folder of built towns, reused by later runs (default $WOM_CACHE_DIR, else none)",
    )


def _workers(text: str) -> int | str:
    """``--workers``: a whole number, checked later with the others, or ``auto``."""
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of processes or auto, got {text!r}"
        ) from None


def scenario_of(args: argparse.Namespace) -> Scenario:
    """The scenario a command names, with its ``--set``, ``--replicates`` and ``--seed``."""
    overrides = list(args.set)
    if getattr(args, "replicates", None) is not None:
        overrides.append(f"simulation.replicates={args.replicates}")
    if getattr(args, "seed", None) is not None:
        overrides.append(f"simulation.seed={args.seed}")
    # None is the built-in scenario; either way every strategy is resolved (check_runnable).
    return load_scenario(args.config or None, overrides)


def inputs_of(args: argparse.Namespace, scenario) -> list[Path]:
    """Files this run reads: an output folder may never hold them."""
    paths = [Path(args.config)] if args.config else []
    paths += [Path(layer.path) for layer in scenario.layers.values() if layer.kind == "edge_list"]
    return paths


def _write_outputs(
    out: Path,
    result,
    scenario,
    summary,
    overwrite: bool,
    started: float,
    lang: str = "en",
    workers: int = 1,
    inputs: tuple[Path, ...] = (),
) -> None:
    """Write every file into a sibling folder, then move it into place in one step."""
    # plotly (through the report's figures) costs a tenth of a second: only when writing
    from simulator.views.report import write_report

    with outputs.results_folder(out, kind=RUN_KIND, overwrite=overwrite, inputs=inputs) as partial:
        (partial / "scenario.toml").write_text(scenario_to_toml(scenario), encoding="utf-8")
        summary.to_csv(partial / "summary.csv", index=False)
        result.to_frame("replicates").to_csv(partial / "replicates.csv", index=False)
        series = result.to_frame("series")
        series.to_csv(partial / "series.csv", index=False)
        series.to_parquet(partial / "series.parquet", index=False)
        write_report(
            partial / "report.html",
            result,
            lang=lang,
            summary=summary,
            extra_provenance={"command": sys.argv},
        )
        write_manifest(
            partial / "manifest.json",
            result,
            {
                "kind": RUN_KIND,
                "command": sys.argv,
                "workers": workers,
                "wall_seconds": round(time.perf_counter() - started, 3),
                "files": [*outputs.written_files(partial), "manifest.json"],
            },
        )


def run_command(args: argparse.Namespace) -> int:
    """``wom run``; returns the exit status (errors are raised as SimulatorError)."""
    started = time.perf_counter()
    if args.workers != "auto":
        lifeline.check_workers(args.workers)
    scenario = scenario_of(args)
    if args.workers == "auto":
        args.workers = auto_workers(scenario, lifeline.available_cpus())
    needs = check_size(
        scenario,
        workers=args.workers,
        outputs=args.out is not None,
        origin=args.config or "default scenario",
    )
    if needs.long:  # said even with --quiet: an hour-long run should not look hung
        print(f"wom: note: this run needs {needs.describe()} (estimated)", file=sys.stderr)
    inputs = inputs_of(args, scenario)
    outputs.check_out(args.out, kind=RUN_KIND, overwrite=args.overwrite, inputs=inputs)
    bar = None
    if not args.quiet:
        from tqdm import tqdm  # third-party, and only a run that shows progress draws a bar

        # Shown only for runs longer than a couple of seconds.
        bar = tqdm(
            total=1, desc="simulating", unit="block", delay=2.0, file=sys.stderr, leave=False
        )

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    try:
        with warnings.catch_warnings():  # already said, naming --workers
            warnings.simplefilter("ignore", lifeline.WorkerCountWarning)
            result = simulate(
                scenario, progress=progress, workers=args.workers, cache_dir=args.cache_dir
            )
    finally:
        if bar is not None:
            bar.close()
    summary = result.to_frame("summary")  # computed once: printed, written and reported
    if not args.quiet:
        print(run_text(result, summary, args.lang))
    if args.out is not None:
        _write_outputs(
            args.out,
            result,
            scenario,
            summary,
            args.overwrite,
            started,
            args.lang,
            args.workers,
            tuple(inputs),
        )
        if not args.quiet:
            print(
                f"results written to {args.out}"
                if args.lang == "en"
                else f"resultados en {args.out}"
            )
    return 0
