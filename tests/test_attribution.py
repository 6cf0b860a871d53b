"""The attribution lab (issue 17): ground truth, rules against it, the referral tree."""

from __future__ import annotations

import importlib.util
import io
from contextlib import redirect_stdout

import numpy as np
import pandas as pd
import pytest

from simulator.config import default_scenario, validate_scenario
from simulator.engine import run as engine
from simulator.errors import ArgumentError
from simulator.metrics import attribution as rules
from simulator.studies.attribution import attribute


def _town(size=1000, steps=40, replicates=4, **simulation):
    """The bakery's town, small and short; no strategies (callers pick channels)."""
    data = default_scenario().model_dump()
    data["population"]["size"] = size
    data["simulation"].update(
        steps=steps, replicates=replicates, block_size=replicates, seed=11, **simulation
    )
    data["lifecycle"]["enabled"] = False
    data["response"] = {"enabled": False}  # no walk-ins: every customer has a touch
    data["strategies"] = []
    return data


def _silent(data):
    """No word of mouth: nobody talks."""
    for layer in data["layers"].values():
        layer["contact_probability"] = 0.0
    return data


# --------------------------------------------------------------------------- rules by hand


def test_markov_removal_effect_matches_a_hand_computed_chain():
    # Paths: A>B converts, B converts, A fails, A>A>B converts.
    # From start: A 3/4, B 1/4. From A: A 1/4, B 2/4, null 1/4. From B: conversion 1.
    # P(A) = 1/4 P(A) + 1/2 -> 2/3; P(start) = 3/4 * 2/3 + 1/4 = 3/4.
    # Without A: 1/4 -> removal effect 2/3. Without B: 0 -> removal effect 1.
    paths = rules.Paths.from_lists(
        [[0, 1], [1], [0], [0, 0, 1]], converted=[True, True, False, True], players=2
    )
    counts = rules.transition_counts(paths)
    assert rules.conversion_probability(counts) == pytest.approx(0.75)
    np.testing.assert_allclose(rules.removal_effects(paths), [2 / 3, 1.0])
    # 3 conversions split 2/3 : 1
    np.testing.assert_allclose(rules.markov_credit(paths), [3 * 0.4, 3 * 0.6])


def test_heuristic_rules_split_each_conversion_once():
    paths = rules.Paths.from_lists(
        [[0, 1, 2, 1], [2, 0], [1]], converted=[True, True, True], players=3
    )
    position = rules.credit(paths, "position_based")
    # 4 touches: 0.4 first (0), 0.1 + 0.1 middle (1, 2), 0.4 last (1); 2 touches: 0.5 each.
    np.testing.assert_allclose(position[0], [0.4 + 0.5, 0.1 + 0.4 + 1.0, 0.1 + 0.5, 0.0])
    for rule in rules.RULES:
        assert rules.credit(paths, rule).sum() == pytest.approx(3.0), rule


def test_time_decay_halves_a_touch_seven_days_older():
    paths = rules.Paths.from_lists([[0, 1]], converted=[True], players=2)  # steps 0 and 1
    credited = rules.credit(paths, "time_decay", step_days=7.0)[0]
    np.testing.assert_allclose(credited[:2], [1 / 3, 2 / 3])


def test_exact_and_sampled_shapley_agree_on_a_game_with_synergy():
    rng = np.random.default_rng(3)
    values = rng.random(1 << 4) * 10
    values[0] = 0.0
    exact = rules.exact_shapley(values)
    assert exact.sum() == pytest.approx(values[-1] - values[0])
    sampled = rules.sampled_shapley(lambda m: values[m], 4, 4000, rng=rng)
    # 4,000 orders: the standard error of each estimate is below 0.1 here.
    np.testing.assert_allclose(sampled, exact, atol=0.3)


def test_unknown_rule_is_one_line_naming_the_allowed_ones():
    paths = rules.Paths.from_lists([[0]], converted=[True], players=1)
    with pytest.raises(ArgumentError, match=r"rule must be one of last_touch, .*got 'last'"):
        rules.credit(paths, "last")


@pytest.mark.skipif(
    importlib.util.find_spec("ChannelAttribution") is None,
    reason="the optional peer ChannelAttribution is not installed",
)
def test_markov_agrees_with_the_channelattribution_package():
    with redirect_stdout(io.StringIO()):  # it prints a banner when imported
        import ChannelAttribution as peer  # optional peer, only for this test

    data = _silent(_town(size=800, steps=30, replicates=1))
    data["layers"]["market"]["contact_probability"] = 0.05  # word of mouth is a player too
    data["channels"] = {k: data["channels"][k] for k in ("newspaper", "radio", "facebook_ads")}
    lab = attribute(validate_scenario(data), depth=8)
    journeys = lab.paths.groupby("person", sort=True)
    table = pd.DataFrame(
        {
            "path": journeys["channel"].agg(lambda c: ">".join(map(str, c))),
            "converted": journeys["converted"].first().astype(int),
        }
    )
    grouped = table.groupby("path")["converted"].agg(["sum", "count"]).reset_index()
    grouped["null"] = grouped["count"] - grouped["sum"]
    with redirect_stdout(io.StringIO()):
        theirs = peer.markov_model(
            grouped,
            "path",
            "sum",
            var_null="null",
            out_more=True,
            verbose=False,
            flg_pro=False,
            nsim_start=1e6,
            conv_par=0.01,
        )
    effects = theirs["removal_effects"].set_index("channel_name")["removal_effect"]
    names = [*lab.channels, "word of mouth"]
    player = {name: i for i, name in enumerate(names)}
    paths = rules.Paths(
        journey=lab.paths.groupby("person", sort=True).ngroup().to_numpy(),
        player=lab.paths["channel"].map(player).to_numpy().astype(np.int64),
        step=lab.paths["step"].to_numpy(),
        replicate=np.zeros(len(table), np.int64),
        converted=table["converted"].to_numpy().astype(bool),
        conversion_step=np.zeros(len(table), np.int64),
        players=len(names),
        replicates=1,
    )
    ours = rules.removal_effects(paths)
    for name, value in zip(names, ours, strict=True):
        if name in effects.index:  # the package simulates: agree to its 1 % convergence
            assert value == pytest.approx(effects[name], rel=0.05, abs=0.01), name


# --------------------------------------------------------------------------- engine truth


def test_recording_changes_no_other_output_and_touches_precede_conversion():
    data = _town(size=800, steps=40, replicates=3)
    data["strategies"] = [{"name": "mix", "channels": list(data["channels"]), "set": {}}]
    (prepared,) = engine.prepare(validate_scenario(data))
    plain = engine.run_block(prepared, 0, 3)
    recorded = engine.run_block(prepared, 0, 3, record=6)
    for key, values in plain.items():
        np.testing.assert_array_equal(values, recorded[key], err_msg=key)
    converted = recorded["journey_converted_at"] >= 0
    by_replicate = np.bincount(recorded["journey_replicate"][converted], minlength=3)
    np.testing.assert_array_equal(by_replicate, plain["adopters"][:, -1])
    # the ring keeps at most 6, oldest first, none after the conversion
    touches = pd.DataFrame({k[5:]: v for k, v in recorded.items() if k.startswith("path_")})
    assert touches.groupby(["replicate", "person"]).size().max() <= 6
    assert (touches.groupby(["replicate", "person"])["step"].diff().dropna() >= 0).all()
    journeys = pd.DataFrame({k[8:]: v for k, v in recorded.items() if k.startswith("journey_")})
    last = (
        touches.groupby(["replicate", "person"])
        .last()
        .join(journeys.set_index(["replicate", "person"]), suffixes=("", "_tip"))
    )
    won = last[last["converted_at"] >= 0]
    assert len(won) > 50
    assert (won["step"] == won["converted_at"]).all()  # the tipping touch is the last one
    assert (won["channel"] == won["channel_tip"]).all()
    assert (won["source"] == won["source_tip"]).all()


def test_referral_tree_invariants():
    data = _town(size=1500, steps=60, replicates=3)
    data["layers"]["market"]["contact_probability"] = 0.15  # a tree worth checking
    data["channels"] = {"free_samples": data["channels"]["free_samples"]}
    lab = attribute(validate_scenario(data), depth=4)
    tree = lab.referrals
    assert not tree.duplicated(["replicate", "customer"]).any()  # one referrer at most
    referred = tree[tree["referrer"] >= 0]
    assert len(referred) > 50  # the check below must have something to check
    parents = tree.set_index(["replicate", "customer"])
    parent = parents.loc[list(zip(referred["replicate"], referred["referrer"], strict=True))]
    # every referrer adopted earlier, one generation before (so the tree is acyclic)
    assert (parent["step"].to_numpy() < referred["step"].to_numpy()).all()
    assert (parent["generation"].to_numpy() + 1 == referred["generation"].to_numpy()).all()
    roots = tree[tree["generation"] == 0]
    assert (roots["referrer"] == -1).all() and (roots["channel"] != "word of mouth").all()
    customers = lab.wom[lab.wom["metric"] == "customers"]["mean"].sum()
    assert customers * lab.replicates == pytest.approx(len(tree))


# --------------------------------------------------------------------------- rules against truth


def test_one_channel_without_word_of_mouth_every_rule_is_the_truth():
    data = _silent(_town(size=1000, steps=30, replicates=3))
    data["channels"] = {"facebook_ads": data["channels"]["facebook_ads"]}
    lab = attribute(validate_scenario(data))
    table = lab.table.set_index(["rule", "channel"])
    truth = lab.table["truth"][lab.table["channel"] == "facebook_ads"].iloc[0]
    assert truth > 20  # the ads convert someone, so equality means something
    for rule in rules.RULES:  # equal up to float rounding of the linear shares (1e-12)
        assert table.loc[(rule, "facebook_ads"), "credited"] == pytest.approx(truth, abs=1e-9)
        assert table.loc[(rule, "facebook_ads"), "error"] == pytest.approx(0.0, abs=1e-9)
        assert table.loc[(rule, "organic"), "credited"] == 0.0, rule


def test_two_independent_channels_removal_and_shapley_equal_the_sum():
    # Disjoint audiences (ads to the young, the newspaper to seniors), no word of mouth:
    # the effects add up, so each channel's removal effect and Shapley value must equal
    # what it does alone. 12 replicates; tolerance 3 standard errors of the paired gap.
    data = _silent(_town(size=2000, steps=40, replicates=12))
    ads = data["channels"]["facebook_ads"]
    data["channels"] = {
        "facebook_ads": {**ads, "target_segments": ["young"]},
        "instagram_ads": {**ads, "platform": "instagram", "target_segments": ["adult"]},
    }
    lab = attribute(validate_scenario(data))
    alone = lab.coalitions.set_index("channels")["conversions"]
    truth = lab.table[lab.table["rule"] == "last_touch"].set_index("channel")
    for name in ("facebook_ads", "instagram_ads"):
        row = truth.loc[name]
        assert alone[name] > 50  # about 75 each
        # the 95 % half-width is t(11) = 2.2 standard errors of the mean
        standard_error = (row["truth_high"] - row["truth_low"]) / 2 / 2.2
        assert abs(row["truth"] - alone[name]) <= 3 * standard_error, name
        standard_error = (row["removal_effect_high"] - row["removal_effect_low"]) / 2 / 2.2
        assert abs(row["removal_effect"] - alone[name]) <= 3 * standard_error, name
    total = alone["facebook_ads + instagram_ads"]
    assert truth.loc[["facebook_ads", "instagram_ads"], "truth"].sum() == pytest.approx(total)


def test_last_touch_credits_the_earlier_channel_with_the_customers_both_could_win():
    # Independent rule, no word of mouth, one audience: ads in days 0-15, then days 15-40.
    # Until day 15 the run with both is the early ads' run alone (common random numbers),
    # so last touch gives the early ads exactly what they win alone, while Shapley gives
    # each half of the customers both could win: last touch over-credits the earlier one
    # by half the overlap v(early) + v(late) - v(both), and under-credits the later one.
    data = _silent(_town(size=1500, steps=40, replicates=8))
    ads = {**data["channels"]["facebook_ads"], "persuasion": 0.02, "days": 40.0}
    data["channels"] = {
        "early_ads": {**ads, "start_day": 0.0, "end_day": 15.0},
        "late_ads": {**ads, "start_day": 15.0, "end_day": 40.0},
    }
    lab = attribute(validate_scenario(data))
    alone = lab.coalitions.set_index("channels")["conversions"]
    table = lab.table.set_index(["rule", "channel"])
    assert table.loc[("last_touch", "early_ads"), "credited"] == pytest.approx(alone["early_ads"])
    overlap = alone["early_ads"] + alone["late_ads"] - alone["early_ads + late_ads"]
    assert overlap > 20
    early = table.loc[("last_touch", "early_ads")]
    assert early["error"] == pytest.approx(overlap / 2)
    assert early["error_low"] > 0
    assert table.loc[("last_touch", "late_ads"), "error_high"] < 0


def test_bad_options_are_one_line_before_any_work():
    scenario = validate_scenario(_town())
    with pytest.raises(
        ArgumentError, match=r"^depth must be a whole number from 1 to 1000; got 0$"
    ):
        attribute(scenario, depth=0)
    with pytest.raises(ArgumentError, match=r"strategy must be one of .* got 'nope'"):
        attribute(scenario, "nope")
