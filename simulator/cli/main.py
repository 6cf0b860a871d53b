"""The ``wom`` command: the parser, dispatch to each subcommand, and exit codes.

This folder is the only place that prints. Exit status 0 on success, 2 on bad input (one
``wom: error:`` line, never a traceback), 1 when ``wom check-model`` finds a failing
check, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import NoReturn

from simulator.cli.attribute import add_attribute_parser, attribute_command
from simulator.cli.check_model import add_check_model_parser, check_model_command
from simulator.cli.lab import add_lab_parser, lab_command
from simulator.cli.plan import add_plan_parser, plan_command
from simulator.cli.run import add_run_parser, run_command, scenario_of
from simulator.cli.sweep import add_sweep_parser, sweep_command
from simulator.config import default_scenario
from simulator.config.toml import scenario_to_toml
from simulator.engine.prepare import check_towns
from simulator.engine.sizing import check_size
from simulator.errors import SimulatorError, SimulatorWarning
from simulator.town.network import check_edge_lists

EXIT_BAD_INPUT = 2


def _version() -> str:
    # only for --version
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

    add_run_parser(commands, _add_set)

    show = commands.add_parser("show-default", help="print the built-in scenario as commented TOML")
    show.add_argument("--plain", action="store_true", help="without comments")

    validate = commands.add_parser("validate", help="check a TOML scenario without running it")
    validate.add_argument("config", help="TOML scenario")
    _add_set(validate)

    add_sweep_parser(commands)
    add_plan_parser(commands, _add_set)
    add_check_model_parser(commands)
    add_attribute_parser(commands, _add_set)
    add_lab_parser(commands)
    return parser


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter, e.g. --set channels.newspaper.budget=500 (repeatable)",
    )


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
            return run_command(args)
        if args.command == "sweep":
            return sweep_command(args)
        if args.command == "plan":
            return plan_command(args)
        if args.command == "check-model":
            return check_model_command(args)
        if args.command == "attribute":
            return attribute_command(args)
        if args.command == "lab":
            return lab_command(args)
        if args.command == "show-default":
            sys.stdout.write(scenario_to_toml(default_scenario(), comments=not args.plain))
            return 0
        scenario = scenario_of(args)
        check_edge_lists(scenario)  # a run reads them before simulating; validate does too
        needs = check_size(scenario, outputs=False, origin=args.config)
        check_towns(scenario)  # what only a built town can refuse (friend shares, interest)
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
