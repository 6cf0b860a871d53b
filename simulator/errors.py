"""Exceptions: one root for everything the simulator raises on purpose."""


class SimulatorError(Exception):
    """Root of every error the simulator raises deliberately."""


class ConfigError(SimulatorError, ValueError):
    """A scenario, an override or an input file is invalid.

    The message is one line naming the parameter (dotted path) or ``file:line``, what is
    allowed and what was received.
    """


class SimulatorWarning(UserWarning):
    """Legal input that is almost surely a mistake (a channel that starts after the run,
    people with no ties in a layer); the ``wom`` command prints it as one line."""


class ArgumentError(SimulatorError, ValueError):
    """A public function got an argument it cannot use.

    The message names the argument, what is allowed and what was received, e.g.
    ``workers must be at least 1, got 0``.
    """
