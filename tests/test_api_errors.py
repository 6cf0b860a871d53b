"""Python API errors: compare's metrics, the graphs argument and unguarded worker scripts.

Each bad call raises one ArgumentError line (a ValueError) naming the argument, what is
allowed and what was received, before any simulation; ratio metrics are compared through
paired replicates.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import networkx as nx
import numpy as np
import pytest

from simulator import config as cfg
from simulator.config import SOURCE_TYPES
from simulator.engine import prepare as engine  # prepare builds the town
from simulator.engine.run import simulate
from simulator.errors import ArgumentError, ConfigError
from simulator.metrics import FITTED, RATIOS, comparable_metrics, compare, summarize
from simulator.results import RunResult, StrategyResult
from simulator.town.network import GraphWarning


@pytest.fixture(scope="module")
def run() -> RunResult:
    scenario = cfg.default_scenario().model_copy(
        update={
            "simulation": cfg.Simulation(steps=20, replicates=6, block_size=6),
            "lifecycle": cfg.Lifecycle(enabled=False),  # first adoptions: no profit
        }
    )
    return simulate(scenario)


ADDED = ("incremental_", "cost_per_added")
"""Summary columns that are already paired differences against the baseline strategy."""


def _summary_metrics(result: RunResult) -> list[str]:
    columns = summarize(result).columns
    return [
        c
        for c in columns
        if c not in ("strategy", "replicates")
        and not c.endswith(("_low", "_high"))
        and not c.startswith(ADDED)
    ]


def test_what_strategies_add_is_a_difference_already_and_not_compared_again(run):
    added = [c for c in summarize(run).columns if c.startswith(ADDED)]
    assert "incremental_adopters" in added  # the run has a no-campaign baseline
    for metric in added:
        with pytest.raises(ArgumentError, match=rf"metric: '{metric}' cannot be compared"):
            compare(run, metric)


def test_every_summary_metric_is_compared_or_refused_as_fitted(run):
    for metric in _summary_metrics(run):
        if metric in FITTED:
            with pytest.raises(
                ArgumentError, match=rf"metric: '{metric}' is fitted to each strategy"
            ):
                compare(run, metric)
            continue
        table = compare(run, metric, reference="newspaper").set_index("strategy")
        assert table.index.tolist() == [s.name for s in run.strategies]
        assert (table["metric"] == metric).all()
        itself = table.loc["newspaper"]
        if not math.isnan(itself.difference):  # NaN only where the ratio is undefined
            assert itself.difference == itself.difference_low == itself.difference_high == 0


def test_comparable_metrics_are_the_summary_metrics_that_have_replicates(run):
    assert set(comparable_metrics(run)) == set(_summary_metrics(run)) - set(FITTED)


@pytest.mark.parametrize("metric", sorted(RATIOS))
def test_ratio_difference_is_the_difference_of_summary_ratios(run, metric):
    summary = summarize(run).set_index("strategy")
    table = compare(run, metric, reference="word of mouth").set_index("strategy")
    for name, row in table.iterrows():
        expected = summary.loc[name, metric] - summary.loc["word of mouth", metric]
        if math.isnan(expected):
            assert math.isnan(row.difference)
            continue
        assert row.difference == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert row.difference_low <= row.difference <= row.difference_high


def test_channel_metric_of_a_strategy_without_the_channel_is_zero(run):
    table = compare(run, "newspaper.cost", reference="newspaper").set_index("strategy")
    spent = run.strategy("newspaper").cost[:, 0]
    assert table.loc["word of mouth", "difference"] == pytest.approx(-spent.mean())


@pytest.mark.parametrize(
    ("metric", "hint"),
    [
        ("adoptres", "did you mean 'adopters'?"),
        ("cost_per_adopton", "did you mean 'cost_per_adoption'?"),
        ("newspaper.cots", "did you mean 'newspaper.cost'?"),
        ("Adopters", "did you mean 'adopters'?"),
        ("profit", "cannot be compared"),  # only with a margin or the lifecycle
        (None, "None cannot be compared"),
        ("replicates", "cannot be compared"),
    ],
)
def test_misspelt_metric_lists_what_can_be_compared(run, metric, hint):
    with pytest.raises(ArgumentError) as excinfo:
        compare(run, metric)
    message = str(excinfo.value)
    assert message.startswith(f"metric: {metric!r} cannot be compared"), message
    assert hint in message and "\n" not in message
    for name in comparable_metrics(run):
        assert repr(name) in message


def test_unknown_reference_lists_the_strategies(run):
    with pytest.raises(
        ArgumentError, match=r"reference: no strategy 'tv'; allowed: 'word of mouth', 'newspaper'"
    ):
        compare(run, "adopters", reference="tv")


# --------------------------------------------------------------------------- ratio statistics


def _synthetic(name: str, cost: np.ndarray, adopters: np.ndarray) -> StrategyResult:
    """A strategy whose replicates have the given total cost and adopters (one channel)."""
    n = cost.size
    final = np.stack([np.zeros(n, np.int64), adopters.astype(np.int64)], axis=1)
    zeros = np.zeros((n, 1))
    return StrategyResult(
        name=name,
        channels=("ads",),
        series={
            key: final for key in ("aware", "adopters", "promoters", "detractors", "rejecters")
        },
        impressions=zeros,
        reach=zeros,
        cost=cost[:, None],
        by_source=np.zeros((n, len(SOURCE_TYPES)), np.int64),
        by_channel=np.zeros((n, 2), np.int64),
        direct=np.zeros(n, np.int64),
        messages=np.zeros(n, np.int64),
    )


def test_paired_cost_per_adoption_interval_covers_the_true_difference():
    """Coverage of compare's cost_per_adoption interval, against a closed-form truth.

    Each of 400 experiments has 30 paired replicates (n = 30). Replicate i of both
    strategies shares a town factor c_i ~ N(0, 1) (common random numbers): adopters are
    Poisson(lambda exp(0.3 c_i)) with lambda = 100 (reference) and 130, costs 1000 + N(0, 30).
    E[adopters] = lambda exp(0.045), so the true difference of ratios of means is
    1000 / (130 e^0.045) - 1000 / (100 e^0.045) = -2.206 EUR per adoption.

    The 95 % interval must cover it in 95 % of experiments: the binomial standard error
    of the coverage over 400 experiments is sqrt(0.95 x 0.05 / 400) = 0.011, and the test
    allows 3 sigma (0.917 .. 0.983). Intervals that ignore the pairing (the two summary
    intervals combined) cover about 100 % here and fail; so does a missing covariance term.
    The estimate is unbiased to first order: the mean of the 400 differences must lie
    within 3 standard errors of the truth.
    """
    rng = np.random.default_rng(20_240_611)
    experiments, replicates = 400, 30
    truth = 1000 / (130 * math.exp(0.045)) - 1000 / (100 * math.exp(0.045))
    scenario = cfg.default_scenario()
    covered, differences = 0, []
    for _ in range(experiments):
        town = rng.normal(size=replicates)
        reference = _synthetic(
            "reference",
            1000 + rng.normal(0, 30, replicates),
            rng.poisson(100 * np.exp(0.3 * town)),
        )
        bigger = _synthetic(
            "bigger",
            1000 + rng.normal(0, 30, replicates),
            rng.poisson(130 * np.exp(0.3 * town)),
        )
        result = RunResult(scenario, (reference, bigger), np.arange(2.0))
        row = compare(result, "cost_per_adoption").set_index("strategy").loc["bigger"]
        covered += row.difference_low <= truth <= row.difference_high
        differences.append(row.difference)
    sigma = math.sqrt(0.95 * 0.05 / experiments)
    assert abs(covered / experiments - 0.95) <= 3 * sigma, covered / experiments
    standard_error = np.std(differences, ddof=1) / math.sqrt(experiments)
    assert abs(np.mean(differences) - truth) <= 3 * standard_error


# --------------------------------------------------------------------------- graphs argument


def _graph_scenario(layers: dict[str, dict]) -> cfg.Scenario:
    return cfg.validate_scenario(
        {
            "simulation": {"steps": 3, "replicates": 2, "block_size": 2},
            "population": {"size": 34, "segments": [{"name": "all", "share": 1.0}]},
            "layers": layers,
            "channels": {"seeds": {"kind": "seeding", "seeds": 2}},
            "strategies": [{"name": "seed", "channels": ["seeds"]}],
        }
    )


@pytest.fixture
def nothing_built(monkeypatch):
    """Refusals of the graphs argument come before the town is built."""

    def refuse(*args, **kwargs):
        raise AssertionError("the population was built before the graphs were checked")

    monkeypatch.setattr(engine, "build_population", refuse)


KARATE = {"karate": {"kind": "graph"}}


@pytest.mark.parametrize(
    ("layers", "graphs", "message"),
    [
        (
            KARATE,
            {"karate": "not a graph"},
            "graphs['karate']: expected a networkx graph or CSR arrays (indptr, indices), got str 'not a graph'",
        ),
        (
            KARATE,
            {"karate": 42},
            "graphs['karate']: expected a networkx graph or CSR arrays (indptr, indices), got int 42",
        ),
        (
            KARATE,
            {"karate": nx.karate_club_graph(), "typo": nx.path_graph(3)},
            "graphs['typo']: the layers of kind 'graph' are 'karate'",
        ),
        (
            KARATE,
            None,
            "layers.karate: kind 'graph' needs a networkx graph or CSR arrays (indptr, indices) passed as simulate(..., graphs={'karate': G})",
        ),
        (KARATE, {}, "layers.karate: kind 'graph' needs a networkx graph"),
        (
            KARATE,
            [nx.karate_club_graph()],
            "graphs must be a mapping of layer name to a networkx graph or CSR arrays (indptr, indices), e.g. {'friends': G}; got list",
        ),
        (
            {"all": {"kind": "well_mixed"}},
            {"friends": nx.path_graph(3)},
            "graphs['friends']: the scenario has no layer of kind 'graph' (its layers: 'all'); graphs must be None",
        ),
    ],
    ids=["string", "number", "typo", "none", "empty", "not a mapping", "no graph layer"],
)
def test_bad_graphs_argument_is_refused_naming_it(nothing_built, layers, graphs, message):
    with pytest.raises(ArgumentError) as excinfo:
        simulate(_graph_scenario(layers), graphs=graphs)
    assert str(excinfo.value).startswith(message), str(excinfo.value)


def test_networkx_graph_larger_than_population_is_refused():
    with pytest.raises(
        ConfigError, match=r"graphs\['karate'\]: the graph has 40 nodes but population\.size is 34"
    ):
        simulate(_graph_scenario(KARATE), graphs={"karate": nx.path_graph(40)})


def test_networkx_graph_smaller_than_population_warns():
    with pytest.warns(
        GraphWarning,
        match=r"graphs\['karate'\]: the graph has 30 nodes but population\.size is 34: 4 people have no ties",
    ):
        simulate(_graph_scenario(KARATE), graphs={"karate": nx.path_graph(30)})


def test_networkx_and_csr_give_the_same_run():
    graph = nx.karate_club_graph()
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=sorted(graph), format="csr")
    by_graph = simulate(_graph_scenario(KARATE), graphs={"karate": graph})
    by_csr = simulate(
        _graph_scenario(KARATE), graphs={"karate": (adjacency.indptr, adjacency.indices)}
    )
    assert np.array_equal(
        by_graph.strategies[0].series["adopters"], by_csr.strategies[0].series["adopters"]
    )


# --------------------------------------------------------------------------- worker scripts

SCRIPT = """\
from simulator import config as cfg
from simulator.engine.run import simulate

print("script body runs", flush=True)
scenario = cfg.default_scenario().model_copy(
    update={{"simulation": cfg.Simulation(steps=2, replicates=2, block_size=1)}}
)
{call}
"""


def _script(tmp_path, call: str) -> subprocess.CompletedProcess:
    path = tmp_path / "study.py"
    path.write_text(SCRIPT.format(call=call), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )


def test_unguarded_script_with_workers_stops_the_helper_with_a_clear_error(tmp_path):
    """The helper re-imports the script and calls simulate again: it must stop there."""
    process = _script(tmp_path, "simulate(scenario, workers=2)")
    assert process.returncode != 0
    assert (
        "ArgumentError: workers=2: simulate() was called while a helper process was importing "
        "the main script; put the code that calls simulate() under "
        "'if __name__ == \"__main__\":'" in process.stderr
    ), process.stderr[-3000:]
    assert process.stdout.count("script body runs") == 2  # the script, then the helper's import


def test_guarded_script_with_workers_runs(tmp_path):
    call = textwrap.dedent(
        """\
        if __name__ == "__main__":
            result = simulate(scenario, workers=2)
            print("replicates", result.strategies[0].replicates)
        """
    )
    process = _script(tmp_path, call)
    assert process.returncode == 0, process.stderr[-3000:]
    assert "replicates 2" in process.stdout
