"""wom plan: closed-form and brute-force allocations, common random numbers, bounds, budget,
hours, bad input, reproducibility, resuming, the command's files, and seed choice."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulator import config as cfg
from simulator.cli import main
from simulator.errors import ArgumentError, SimulatorError
from simulator.studies.plan import Schedule, plan
from simulator.studies.plan_eval import Outcome, SimulationEvaluator
from simulator.studies.plan_space import check_plan
from simulator.town.influence import celf, degree_discount, spread

# ----------------------------------------------------------------- closed-form responses


def analytic(response, *, common=0.0, own=0.0):
    """An Evaluate of ``response(euros)`` plus noise: ``common`` shared by every allocation
    in a replicate (what common random numbers cancel), ``own`` drawn per allocation and
    replicate (what they cannot)."""

    def evaluate(allocations, blocks):
        out = {}
        for allocation in allocations:
            euros = np.asarray(allocation) / 100
            values = []
            for block in blocks:
                shared = np.random.default_rng([block, 0]).normal(size=10)
                key = [block, 1, *allocation]
                mine = np.random.default_rng(key).normal(size=10)
                values.append(response(euros) + common * shared + own * mine)
            objective = np.concatenate(values)
            spend = np.full(objective.size, euros.sum())
            out[allocation] = Outcome(objective, spend, objective + spend, objective, objective)
        return out

    return evaluate


A1, S1, A2, S2, BUDGET = 300.0, 400.0, 200.0, 300.0, 1000.0


def two_exponentials(euros):
    return A1 * (1 - math.exp(-euros[0] / S1)) + A2 * (1 - math.exp(-euros[1] / S2))


def test_two_concave_channels_get_the_equal_marginal_return_split():
    # a_c / s_c exp(-x_c / s_c) equal for both channels, x_1 + x_2 = B:
    optimum = (math.log(A1 * S2 / (A2 * S1)) + BUDGET / S2) / (1 / S1 + 1 / S2)  # 591.6 EUR
    # Noise: own 2 per replicate. At 5 % of the budget (50 EUR) from the optimum the mean
    # loses 0.5 x 0.001 x 50^2 = 1.25 (curvature 0.001 per EUR^2), four times the standard
    # error of a paired difference over the refinement's 40 replicates (2 sqrt(2/40) = 0.45).
    evaluate = analytic(two_exponentials, common=30.0, own=2.0)
    scenario = cfg.default_scenario()
    result = plan(scenario, budget=BUDGET, channels=["radio", "newspaper"], evaluate=evaluate)
    assert abs(result.allocation["radio"] - optimum) <= 0.05 * BUDGET
    assert sum(result.recommended.allocation) == 100_000


def test_on_a_small_grid_the_search_finds_the_brute_force_best():
    # Separable concave and noiseless: the pairwise-exchange optimum is the lattice optimum,
    # on the grid of the finest step searched (by default 2 units, 1/32 of the budget) and
    # on the full lattice when the steps go down to 1 unit.
    weights = np.array([3.0, 2.0, 1.0])

    def response(euros):
        return float((weights * np.sqrt(euros)).sum())

    scenario = cfg.default_scenario()
    channels = ["radio", "newspaper", "facebook_ads"]
    for schedule in (Schedule(), Schedule(steps=(16, 8, 4, 2, 1))):
        unit = schedule.steps[-1]
        result = plan(
            scenario, budget=640, channels=channels, evaluate=analytic(response), schedule=schedule
        )
        best = max(
            ((a, b, 64 - a - b) for a in range(0, 65, unit) for b in range(0, 65 - a, unit)),
            key=lambda units: response(np.array(units) * 10.0),
        )
        assert result.search.units == best, schedule.steps


def test_bounds_and_budget_are_kept_to_the_cent():
    evaluate = analytic(two_exponentials, common=30.0, own=2.0)
    scenario = cfg.default_scenario()
    result = plan(
        scenario,
        budget=999.99,
        channels=["radio", "newspaper", "free_samples"],
        lower={"free_samples": 123.45},
        upper={"radio": 333.33},
        evaluate=evaluate,
    )
    cents = result.recommended.allocation
    assert sum(cents) == 99_999
    assert cents[0] <= 33_333 and cents[2] >= 12_345
    for stage in result.search.stages:
        assert sum(stage.allocation) == 99_999
        assert stage.allocation[0] <= 33_333 and stage.allocation[2] >= 12_345
    frame = result.to_frame()
    assert {"recommended", "comparison", "response_curve", "frontier"} <= set(frame.section)


def test_an_hours_budget_that_pays_one_setup_keeps_one_channel():
    # Linear, equal returns: without setup hours any split is as good. With 10 setup hours a
    # channel and 15 hours in all, only one channel can be used.
    def linear(euros):
        return float(euros.sum()) * 0.5

    scenario = cfg.default_scenario()
    result = plan(
        scenario,
        budget=1000,
        channels=["radio", "newspaper", "facebook_ads"],
        setup_hours={"radio": 10, "newspaper": 10, "facebook_ads": 10},
        hours_budget=15,
        evaluate=analytic(linear),
    )
    used = [c for c, eur in result.allocation.items() if eur > 0]
    assert len(used) == 1
    for stage in result.search.stages:
        assert sum(1 for cents in stage.allocation if cents > 0) == 1


# ----------------------------------------------------------------- the engine


def ads_town(size=4000) -> cfg.Scenario:
    """Two social-ads channels on disjoint audiences, no word of mouth, one step of ads."""
    segments = [
        {"name": "a", "share": 0.5, "interest": 1.0, "media": {"facebook": 1.0, "instagram": 0.0}},
        {"name": "b", "share": 0.5, "interest": 1.0, "media": {"facebook": 0.0, "instagram": 1.0}},
    ]
    data = {
        "simulation": {"steps": 2, "replicates": 10, "block_size": 10, "seed": 11},
        "response": {"enabled": False},  # the closed form has no wear-out, cap or walk-ins
        "population": {"size": size, "segments": segments},
        "layers": {
            "market": {"kind": "market", "contact_probability": 0.0},
            "facebook": {"kind": "platform", "contact_probability": 0.0, "follows": 5},
            "instagram": {"kind": "platform", "contact_probability": 0.0, "follows": 5},
        },
        "channels": {
            "ads_a": {
                "kind": "social_ads",
                "platform": "facebook",
                "target_segments": ["a"],
                "persuasion": 0.2,
                "cpm": 2.5,
                "days": 1.0,
            },
            "ads_b": {
                "kind": "social_ads",
                "platform": "instagram",
                "target_segments": ["b"],
                "persuasion": 0.1,
                "cpm": 2.5,
                "days": 1.0,
            },
        },
    }
    return cfg.validate_scenario(data)


def closed_form_adopters(scenario: cfg.Scenario, name: str, euros: np.ndarray) -> np.ndarray:
    """Expected adopters of an audience A hit by I impressions drawn with replacement,
    each converting with q: A (1 - (1 - q / A)^I)."""
    channel = scenario.channels[name]
    audience = scenario.population.size * 0.5
    q = scenario.trust.social_ad * channel.persuasion
    impressions = np.floor(euros / channel.cpm * 1000 + 1e-9)
    return audience * (1 - (1 - q / audience) ** impressions)


def test_the_engine_plan_matches_the_closed_form_split_within_5_percent():
    scenario = ads_town()
    budget = 100.0
    grid = np.arange(0, 10_001) / 100  # every cent
    total = closed_form_adopters(scenario, "ads_a", grid) + closed_form_adopters(
        scenario, "ads_b", budget - grid
    )
    optimum = grid[np.argmax(total)]  # about 58 EUR on ads_a
    # The closed form itself, at the optimum: 80 replicates within 3 standard errors.
    evaluator = SimulationEvaluator(
        scenario, check_plan(scenario, budget=budget, objective="adopters")
    )
    cents = (int(round(optimum * 100)), 10_000 - int(round(optimum * 100)))
    simulated = evaluator([cents], range(8))[cents].objective
    error = simulated.std(ddof=1) / math.sqrt(simulated.size)
    assert abs(simulated.mean() - total.max()) < 3 * error
    # At 5 EUR off the optimum the mean loses ~4 adopters; refinement pairs 80 replicates.
    schedule = Schedule(refine_blocks=8, holdout_blocks=2, curve_points=3, frontier=())
    result = plan(scenario, budget=budget, objective="adopters", schedule=schedule)
    assert abs(result.allocation["ads_a"] - optimum) <= 0.05 * budget


def test_pairing_on_common_blocks_is_what_resolves_the_optimum():
    # Common noise of sd 30 per replicate swamps the 1.25 loss at 5 % of the budget unless
    # allocations are compared on the same replicates: unpaired, a difference over 40
    # replicates has a standard error of 30 sqrt(2 / 40) = 6.7; paired, 0.45.
    optimum = (math.log(A1 * S2 / (A2 * S1)) + BUDGET / S2) / (1 / S1 + 1 / S2)
    scenario = cfg.default_scenario()
    paired = analytic(two_exponentials, common=30.0, own=2.0)

    def unpaired(allocations, blocks):  # each allocation on blocks of its own
        return {
            a: paired([a], [b + 1000 * (hash(a) % 997) for b in blocks])[a] for a in allocations
        }

    channels = ["radio", "newspaper"]
    errors = []
    for evaluate in (paired, unpaired):
        result = plan(scenario, budget=BUDGET, channels=channels, evaluate=evaluate)
        errors.append(abs(result.allocation["radio"] - optimum))
        outcomes = evaluate([(50_000, 50_000), (55_000, 45_000)], range(4))
        difference = outcomes[(55_000, 45_000)].objective - outcomes[(50_000, 50_000)].objective
        errors.append(difference.std(ddof=1))
    assert errors[0] <= 0.05 * BUDGET
    # Paired differences: sd 2 sqrt(2) = 2.8; unpaired 30 sqrt(2) = 42 (40 replicates each:
    # a ratio of variances below F(39, 39)'s 0.1 % quantile is not chance).
    assert (errors[1] / errors[3]) ** 2 < stats.f.ppf(0.001, 39, 39)


def small_bakery() -> cfg.Scenario:
    return cfg.load_scenario(
        None,
        ["population.size=800", "simulation.steps=30", "lifecycle.enabled=true"],
    )


QUICK = Schedule(refine_blocks=2, steps=(16,), holdout_blocks=2, curve_points=3, frontier=(0.5,))


def test_the_same_seed_gives_the_same_plan_whatever_the_workers(tmp_path):
    scenario = small_bakery()
    channels = ["free_samples", "facebook_ads", "radio"]
    first = plan(scenario, budget=500, channels=channels, schedule=QUICK)
    again = plan(scenario, budget=500, channels=channels, schedule=QUICK, workers=2)
    assert first.to_frame().equals(again.to_frame())
    assert first.settings.objective == "profit"


def test_a_cache_resumes_without_simulating_again(tmp_path):
    scenario = small_bakery()
    settings = check_plan(scenario, budget=500, channels=["free_samples", "radio"])
    cache = tmp_path / "plan.jsonl"
    first = SimulationEvaluator(scenario, settings, cache=cache)
    done = first([(25_000, 25_000), (50_000, 0)], range(2))
    resumed = SimulationEvaluator(scenario, settings, cache=cache)
    again = resumed([(25_000, 25_000), (50_000, 0)], range(2))
    assert resumed.replicates_run == 0
    for key in done:
        np.testing.assert_array_equal(done[key].objective, again[key].objective)
    other = check_plan(scenario, budget=500, channels=["free_samples", "newspaper"])
    with pytest.raises(SimulatorError, match="made for another scenario"):
        SimulationEvaluator(scenario, other, cache=cache)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--budget", "-5"], "'budget' parameter of plan must be a number of EUR"),
        (["--budget", "100", "--channels", "tv"], "unknown channel 'tv'"),
        (["--budget", "100", "--objective", "fame"], "must be one of profit, clv"),
        (
            ["--set", "lifecycle.enabled=false", "--budget", "100", "--objective", "profit"],
            "needs a value per customer",
        ),
        (["--budget", "100", "--lower", "radio=80,newspaper=80"], "bounds cannot be met"),
        (["--budget", "100", "--upper", "radio=x"], "expected CHANNEL=NUMBER"),
        (["--budget", "100", "--lower", "radio=90", "--upper", "radio=50"], "cannot be met"),
        (["--budget", "100", "--setup-hours", "radio=-1"], "'setup_hours.radio' parameter"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, options, message):
    assert main(["plan", "--set", "population.size=300", *options]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wom: error:"), captured.err
    assert message in lines[0]
    assert captured.out == ""


def test_bad_input_from_python_raises_before_any_simulation():
    with pytest.raises(SimulatorError, match="workers must be at least 1"):
        plan(small_bakery(), budget=100, workers=0)
    with pytest.raises(ArgumentError, match="block_size"):
        plan(small_bakery(), budget=100, block_size=1)


# ----------------------------------------------------------------- the command


def test_wom_plan_writes_plan_csv_and_a_bilingual_html(tmp_path):
    out = tmp_path / "plan"
    argv = [
        "plan", "--budget", "400", "--quick", "--quiet", "--lang", "es", "--out", str(out),
        "--channels", "free_samples,facebook_ads",
        "--set", "population.size=600", "--set", "simulation.steps=20",
        "--set", "lifecycle.enabled=true",
    ]  # fmt: skip
    assert main(argv) == 0
    import pandas as pd  # heavy: only this test reads the table

    frame = pd.read_csv(out / "plan.csv")
    recommended = frame[frame.section == "recommended"].iloc[0]
    assert recommended["free_samples.eur"] + recommended["facebook_ads.eur"] == pytest.approx(400)
    page = (out / "plan.html").read_text(encoding="utf-8")
    assert "¿Cómo repartir 400 €?" in page and '<script src="http' not in page
    assert page.count('class="plotly-graph-div"') == 4
    assert main([*argv, "--lang", "en"]) == 2  # the folder is there: --overwrite needed
    assert main([*argv, "--lang", "en", "--overwrite"]) == 0
    assert "How should you split €400?" in (out / "plan.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------- seeds


def random_graph(n=300, degree=4, p=0.15, seed=3):
    rng = np.random.default_rng(seed)
    out_degree = rng.poisson(degree, n) * rng.choice([1, 6], n, p=[0.9, 0.1])
    indptr = np.concatenate([[0], np.cumsum(out_degree)])
    indices = rng.integers(0, n, indptr[-1])
    return indptr, indices, np.full(indices.size, p)


def test_celf_spreads_at_least_as_far_as_degree_and_random_seeds():
    indptr, indices, probability = random_graph()
    k = 10
    chosen = {
        "celf": celf(indptr, indices, probability, k, samples=300, rng=1),
        "degree discount": degree_discount(indptr, indices, probability, k),
        "degree": np.argsort(-np.diff(indptr), kind="stable")[:k],
        "random": np.random.default_rng(5).choice(indptr.size - 1, k, replace=False),
    }
    # Evaluated on 4,000 fresh samples: CELF within 2 SE of, or above, each heuristic.
    reach = {name: spread(indptr, indices, probability, seeds, samples=4000, rng=9)
             for name, seeds in chosen.items()}  # fmt: skip
    best, error = reach["celf"]
    for name in ("degree discount", "degree", "random"):
        mean, other = reach[name]
        assert best >= mean - 2 * math.hypot(error, other), (name, reach)
    assert best > reach["random"][0] + 3 * math.hypot(error, reach["random"][1])


def test_celf_is_the_plain_greedy_on_its_samples():
    indptr, indices, probability = random_graph(n=60, degree=3, p=0.3)
    lazy = celf(indptr, indices, probability, 4, samples=50, rng=2)
    # The plain greedy: every candidate's gain recomputed each round, same samples.
    chosen: list[int] = []
    for _ in range(4):
        gains = [
            spread(indptr, indices, probability, np.array([*chosen, v]), samples=50, rng=2)[0]
            if v not in chosen
            else -1.0
            for v in range(60)
        ]
        chosen.append(int(np.argmax(gains)))
    assert lazy.tolist() == chosen


def test_imm_is_a_seed_rule_of_the_plan_and_reaches_as_far_as_celf():
    from simulator.engine.prepare import prepare
    from simulator.studies.plan_seeds import (
        SEED_RULES,
        choose_seeds,
        compare_seeds,
        edge_probabilities,
    )

    assert "imm" in SEED_RULES
    scenario = small_bakery()
    base = prepare(scenario)[0]  # "word of mouth": free samples only
    k = 15
    chosen = {rule: choose_seeds(base, rule, k) for rule in ("imm", "celf")}
    assert choose_seeds(base, "imm", k) == chosen["imm"]  # one seed, one set
    assert len(set(chosen["imm"])) == k
    indptr, indices, probability = edge_probabilities(base)
    chosen["random"] = tuple(np.random.default_rng(4).choice(indptr.size - 1, k, replace=False))
    # 4,000 fresh live-edge worlds: IMM within 2 SE of CELF or above, and above random by 3 SE.
    reach = {
        rule: spread(indptr, indices, probability, np.array(seeds), samples=4000, rng=11)
        for rule, seeds in chosen.items()
    }
    (imm_mean, imm_error), (celf_mean, celf_error) = reach["imm"], reach["celf"]
    assert imm_mean >= celf_mean - 2 * math.hypot(imm_error, celf_error), reach
    assert imm_mean > reach["random"][0] + 3 * math.hypot(imm_error, reach["random"][1]), reach
    # In the plan's comparison, IMM's seeds run through the whole simulator (10 replicates).
    result = plan(
        scenario,
        budget=200,
        channels=["free_samples", "radio"],
        evaluate=analytic(lambda euros: float(euros[0])),
        schedule=Schedule(steps=(), holdout_blocks=1, curve_points=2, frontier=()),
    )
    table = compare_seeds(scenario, result, rules=("random", "imm"), blocks=1, block_size=10)
    assert table.rule.tolist() == ["random", "imm"]
    assert table.replicates.tolist() == [10, 10]
    assert np.isfinite(table.objective).all()
