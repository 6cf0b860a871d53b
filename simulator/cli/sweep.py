"""The ``wom sweep`` command: its options, a progress bar and what it prints.

The library (:mod:`simulator.studies`) never prints; it reports each cell through the
``progress`` callback of :func:`simulator.studies.run_sweep`, which this module turns into
a tqdm bar on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulator.config.study import Study
from simulator.errors import ConfigError
from simulator.studies import (
    SweepProgress,
    check_options,
    load_study,
    run_sweep,
    study_cells,
    study_hash,
)


def add_sweep_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``sweep`` subcommand to the ``wom`` command's subparsers."""
    parser = commands.add_parser(
        "sweep",
        help="run a parameter sweep (grid, Latin hypercube) on local processes or Dask",
        description="Run every cell of a study: the config's [sweep] table plus --grid / "
        "--range axes. Rerunning the same command resumes an interrupted sweep.",
    )
    parser.add_argument("config", help="TOML scenario with a [sweep] table")
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="a grid axis, e.g. --grid trust.word_of_mouth=0.5,0.7,0.9 (repeatable)",
    )
    parser.add_argument(
        "--range",
        action="append",
        default=[],
        dest="ranges",
        metavar="PATH=LO:HI:N",
        help="a grid axis of N evenly spaced values from LO to HI (repeatable)",
    )
    parser.add_argument(
        "--zip",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="paths that vary together, as one axis (repeatable; equal lengths)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter of the base scenario (repeatable)",
    )
    parser.add_argument("--executor", choices=("local", "dask"), default="local")
    parser.add_argument("--workers", type=int, metavar="N", help="processes (default: CPU count)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, tcp://HOST:8786")
    parser.add_argument("--out", type=Path, help="output folder (default: CONFIG-sweep beside it)")
    parser.add_argument("--csv", action="store_true", help="write the table as CSV, not Parquet")
    parser.add_argument(
        "--intervals",
        action="store_true",
        help="one row per cell and strategy with mean and 95 %% interval",
    )
    parser.add_argument(
        "--target-ci",
        type=float,
        metavar="WIDTH",
        help="add replicate blocks until the 95 %% interval of --metric is narrower than WIDTH",
    )
    parser.add_argument(
        "--metric", metavar="NAME", help="metric of --target-ci and the report (adopters)"
    )
    parser.add_argument(
        "--max-replicates", type=int, metavar="N", help="cap of --target-ci (default 1000)"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="compute every cell again: empty --out first (only a folder holding nothing but "
        "a sweep's files)",
    )
    parser.add_argument("--dry-run", action="store_true", help="list the cells, run nothing")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def default_out(config: str | Path) -> Path:
    """``experiments/x.toml`` to ``experiments/x-sweep`` (same folder whatever the cwd).

    Examples
    --------
    >>> default_out("studies/budget.toml").as_posix()
    'studies/budget-sweep'
    """
    config = Path(config)
    return config.with_name(f"{config.stem}-sweep")


def sweep_command(args: argparse.Namespace) -> int:
    """Run ``wom sweep``: exit 0, 1 when a cell failed, 2 on bad input (raised)."""
    if args.max_replicates is not None and args.target_ci is None:
        raise ConfigError("--max-replicates needs --target-ci")
    study = load_study(
        args.config,
        overrides=args.set,
        grid=args.grid,
        ranges=args.ranges,
        zips=args.zip,
        target_ci=args.target_ci,
        metric=args.metric,
        max_replicates=args.max_replicates,
    )
    out = args.out if args.out is not None else default_out(args.config)
    if args.dry_run:
        check_options(args.executor, args.workers, args.scheduler)
        cells = study_cells(study)
        for cell in cells:
            print(cell.error if cell.error else f"{cell.describe()}: ok")
        bad = sum(cell.error is not None for cell in cells)
        print(f"{len(cells)} cells, {bad} invalid; study hash {study_hash(study, cells)}")
        return 1 if bad else 0
    return _sweep_and_print(args, study, out)


def _sweep_and_print(args: argparse.Namespace, study: Study, out: Path) -> int:
    """Run the sweep with a progress bar and print what it did (exit 0, or 1 on failures)."""
    from tqdm import tqdm  # third-party, and only a running sweep draws a bar

    bars: list[tqdm] = []  # made at the first report, once the study is known to be valid

    def progress(event: SweepProgress) -> None:
        if event.cell is None:
            # Cells already on disk start the bar; its rate and time left count new ones.
            bars.append(
                tqdm(
                    total=event.total,
                    initial=event.done,
                    desc="cells",
                    unit="cell",
                    file=sys.stderr,
                    disable=args.quiet,
                )
            )
        else:
            bars[0].update(1)
        if event.error is not None:
            bars[0].write(f"wom: failed: {event.error}", file=sys.stderr)
        bars[0].set_postfix(failed=event.failed, refresh=False)

    try:
        result = run_sweep(
            study,
            out,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            fresh=args.fresh,
            csv=args.csv,
            intervals=args.intervals,
            progress=progress,
            command=sys.argv,
        )
    except KeyboardInterrupt:
        for bar in bars:
            bar.close()
        on_disk = sum(
            not p.name.endswith(".summary.parquet") for p in (out / "cells").glob("*.parquet")
        )
        print(
            f"wom: sweep interrupted with {on_disk} cells on disk in {out}; rerun the same "
            "command to compute the rest",
            file=sys.stderr,
        )
        raise
    finally:
        for bar in bars:
            bar.close()
    if not args.quiet:
        table = "summary" if args.intervals else "replicates"
        print(
            f"{len(result.cells)} cells: {result.computed} computed, {result.reused} already "
            f"in {out}, {len(result.failed)} failed; study hash {result.study_hash}"
        )
        print(f"results written to {out / (table + ('.csv' if args.csv else '.parquet'))}")
    if result.failed:
        print(
            f"wom: {len(result.failed)} cells failed (see above and manifest.json)", file=sys.stderr
        )
        return 1
    return 0
