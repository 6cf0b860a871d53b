"""The ``wom`` command: run scenarios, print and save results, validate configs."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import NoReturn

from simulator import outputs
from simulator.errors import SimulatorError, SimulatorWarning

EXIT_BAD_INPUT = 2
RUN_KIND = "wom run"
"""The ``kind`` in the manifest of a ``wom run`` output folder."""


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("wom-simulator")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown (not installed)"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"wom: error: {self.prog}: {message} (see {self.prog} --help)\n")


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"wom: warning: {message}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="wom",
        description="Word-of-mouth diffusion simulator: compare friends' recommendations, "
        "advertising, newspaper ads and social media at equal budget.",
    )
    parser.add_argument("--version", action="version", version=f"wom {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a scenario (the built-in one by default)")
    run.add_argument("config", nargs="?", help="TOML scenario; omit for the built-in default")
    _add_set(run)
    run.add_argument("--replicates", type=int, help="replicates per strategy")
    run.add_argument("--seed", type=int, help="seed that fixes every output")
    run.add_argument("--out", type=Path, help="folder to write results to")
    run.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    run.add_argument("--quiet", action="store_true", help="no table, no progress bar")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes that share the replicate blocks (default 1); results do not change",
    )
    run.add_argument(
        "--lang", choices=("en", "es"), default="en", help="language of report.html (default en)"
    )

    show = commands.add_parser("show-default", help="print the built-in scenario as commented TOML")
    show.add_argument("--plain", action="store_true", help="without comments")

    validate = commands.add_parser("validate", help="check a TOML scenario without running it")
    validate.add_argument("config", help="TOML scenario")
    _add_set(validate)

    from simulator.studies import add_sweep_parser

    add_sweep_parser(commands)

    from simulator.validation import add_check_model_parser

    add_check_model_parser(commands)
    return parser


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter, e.g. --set channels.newspaper.budget=500 (repeatable)",
    )


def _scenario(args: argparse.Namespace):
    from simulator.config import load_scenario

    overrides = list(args.set)
    if getattr(args, "replicates", None) is not None:
        overrides.append(f"simulation.replicates={args.replicates}")
    if getattr(args, "seed", None) is not None:
        overrides.append(f"simulation.seed={args.seed}")
    # None is the built-in scenario; either way every strategy is resolved (check_runnable).
    return load_scenario(args.config or None, overrides)


def _inputs(args: argparse.Namespace, scenario) -> list[Path]:
    """Files this run reads: an output folder may never hold them."""
    paths = [Path(args.config)] if args.config else []
    paths += [Path(layer.path) for layer in scenario.layers.values() if layer.kind == "edge_list"]
    return paths


def _check_out(out: Path | None, overwrite: bool, inputs: list[Path]) -> None:
    """Refuse an unusable or irreplaceable ``--out`` before any simulation."""
    if out is None:
        return
    outputs.check_writable(out)
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise SimulatorError(
                f"--out {out}: folder already holds files; choose a new folder or pass --overwrite"
            )
        outputs.check_replaceable(out, kind=RUN_KIND, inputs=inputs)


def _format_table(frame) -> str:
    def cell(row, name: str, digits: int) -> str:
        mean, low, high = row[name], row[f"{name}_low"], row[f"{name}_high"]
        if mean != mean:  # NaN
            return "n/a"
        if low != low:
            return f"{mean:,.{digits}f}"
        return f"{mean:,.{digits}f} [{low:,.{digits}f}, {high:,.{digits}f}]"

    columns = [
        ("strategy", None, 0),
        ("adopters", "adopters", 1),
        ("reach (people)", "reach", 0),
        ("cost (EUR)", "cost", 0),
        ("EUR per adoption", "cost_per_adoption", 2),
        ("WOM multiplier", "wom_multiplier", 2),
    ]
    rows = [
        [row["strategy"] if key is None else cell(row, key, d) for _, key, d in columns]
        for _, row in frame.iterrows()
    ]
    header = [title for title, _, _ in columns]
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header))]
    line = lambda cells: "  ".join(  # noqa: E731
        c.ljust(w) if i == 0 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


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
    from simulator.config.toml import scenario_to_toml
    from simulator.results import write_manifest
    from simulator.views.report import write_report

    outputs.remove_stale_partials(out)
    partial = outputs.partial_folder(out)
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    try:
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
                "files": [*sorted(p.name for p in partial.iterdir()), "manifest.json"],
            },
        )
        if out.exists():
            if not overwrite and any(out.iterdir()):
                raise SimulatorError(
                    f"--out {out}: folder filled up while running; results kept in {partial}"
                )
            try:  # checked again: the folder may have changed while we simulated
                outputs.check_replaceable(out, kind=RUN_KIND, inputs=inputs)
            except SimulatorError as exc:
                raise SimulatorError(f"{exc}; results kept in {partial}") from None
            shutil.rmtree(out)
        partial.rename(out)
    except SimulatorError:
        raise
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from simulator import lifeline

    lifeline.check_workers(args.workers)
    scenario = _scenario(args)
    from simulator.engine.sizing import check_size

    needs = check_size(
        scenario,
        workers=args.workers,
        outputs=args.out is not None,
        origin=args.config or "default scenario",
    )
    if needs.long:  # said even with --quiet: an hour-long run should not look hung
        print(f"wom: note: this run needs {needs.describe()} (estimated)", file=sys.stderr)
    inputs = _inputs(args, scenario)
    _check_out(args.out, args.overwrite, inputs)
    from simulator.engine.run import simulate

    bar = None
    if not args.quiet:
        from tqdm import tqdm

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
            result = simulate(scenario, progress=progress, workers=args.workers)
    finally:
        if bar is not None:
            bar.close()
    summary = result.to_frame("summary")  # computed once: printed, written and reported
    if not args.quiet:
        print(scenario.title)
        print(
            f"{scenario.simulation.replicates} replicates, {scenario.simulation.steps} steps "
            f"of {scenario.simulation.dt:g} {scenario.simulation.time_unit}, "
            f"seed {scenario.simulation.seed}; intervals are 95 %"
        )
        print(_format_table(summary))
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
            print(f"results written to {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``wom`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("always", SimulatorWarning)
        warnings.showwarning = _show_warning
        return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "sweep":
            from simulator.studies import sweep_command

            return sweep_command(args)
        if args.command == "check-model":
            from simulator.validation import check_model_command

            return check_model_command(args)
        if args.command == "show-default":
            from simulator.config import default_scenario
            from simulator.config.toml import scenario_to_toml

            sys.stdout.write(scenario_to_toml(default_scenario(), comments=not args.plain))
            return 0
        scenario = _scenario(args)
        from simulator.town.network import check_edge_lists

        check_edge_lists(scenario)  # a run reads them before simulating; validate does too
        from simulator.engine.sizing import check_size

        needs = check_size(scenario, outputs=False, origin=args.config)
        print(
            f"{args.config}: valid ({len(scenario.resolved_strategies())} strategies, "
            f"{len(scenario.channels)} channels, {len(scenario.layers)} layers; "
            f"needs {needs.describe()})"
        )
        return 0
    except SimulatorError as exc:
        print(f"wom: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("wom: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
