"""The ``wom check-model`` command: run the model checks and print their table."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from simulator import validation
from simulator.errors import ConfigError

__all__ = ["add_check_model_parser", "check_model_command"]


def add_check_model_parser(commands: Any) -> None:
    """Add the ``check-model`` subcommand to the ``wom`` parser's subparsers."""
    parser = commands.add_parser(
        "check-model",
        help="check the model against closed forms and peer tools; exit 1 if a check fails",
        description="Run the simulator where theory or an established tool says what the "
        "answer must be (Bass curve, percolation, exact cascades, NDlib and cynetdiff) and "
        "print a table: check, expected, simulated ± standard error, replicates, verdict. "
        "Exit status 0 when every check passes, 1 when one fails.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes, same checks (about a minute)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=validation.DEFAULT_SEED,
        help=f"seed of the checks (default {validation.DEFAULT_SEED})",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print the table as Markdown (for reports)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=validation.CHECK_GROUPS,
        metavar="GROUP",
        help=f"run only this check group (repeatable): {', '.join(validation.CHECK_GROUPS)}",
    )


def check_model_command(args: argparse.Namespace) -> int:
    """Run ``wom check-model``: print the table; 0 if every check passes, 1 otherwise."""
    if args.seed < 0:
        raise ConfigError(f"--seed must be a non-negative integer, got {args.seed}")
    started = time.perf_counter()

    def progress(group: str, done: int, total: int) -> None:
        if group:
            print(
                f"[{done + 1}/{total}] {group} ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    # Looked up on the package at call time, so tests can replace it.
    rows = validation.run_checks(
        quick=args.quick, seed=args.seed, only=args.only, progress=progress
    )
    sizes = "quick sizes" if args.quick else "full sizes"
    print(f"Model checks ({sizes}, seed {args.seed}, {time.perf_counter() - started:.0f} s)")
    print(validation.format_table(rows, markdown=args.markdown))
    failed = [row for row in rows if row.passed is False]
    skipped = [row for row in rows if row.passed is None]
    passed = len(rows) - len(failed) - len(skipped)
    print(f"{passed} passed, {len(failed)} failed, {len(skipped)} skipped")
    if skipped:
        print("skipped checks need the peer tools: pip install cynetdiff ndlib six")
    return 1 if failed else 0
