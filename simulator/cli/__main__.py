"""``python -m simulator.cli``: the same as the ``wom`` command."""

from simulator.cli import main

raise SystemExit(main())
