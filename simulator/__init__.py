"""Word-of-mouth diffusion simulator: consumers, channels, trust-weighted adoption and a cost ledger.

Examples
--------
>>> from simulator import default_scenario, simulate
>>> scenario = default_scenario()
>>> scenario.simulation.replicates
40
"""

from simulator.config import Scenario, default_scenario, load_scenario, validate_scenario
from simulator.engine.run import simulate
from simulator.errors import ConfigError, SimulatorError
from simulator.metrics import compare, summarize
from simulator.results import RunResult, StrategyResult
from simulator.studies.attribution import Attribution, attribute
from simulator.studies.plan import PlanResult, plan

__all__ = [
    "Attribution",
    "ConfigError",
    "PlanResult",
    "RunResult",
    "Scenario",
    "SimulatorError",
    "StrategyResult",
    "attribute",
    "compare",
    "default_scenario",
    "load_scenario",
    "plan",
    "simulate",
    "summarize",
    "validate_scenario",
]
