"""The ``wom`` command: :func:`main` is its entry point (``simulator.cli:main``).

Subcommands live in their own modules: ``run``, ``sweep``, ``check_model``; ``main``
holds the parser and the exit codes.
"""

from simulator.cli.main import EXIT_BAD_INPUT, main

__all__ = ["EXIT_BAD_INPUT", "main"]
