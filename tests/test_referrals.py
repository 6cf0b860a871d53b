"""Referral programmes: rewards only for adoptions a member's message tipped, and members talk more.

MODEL-REVIEW G6. The seeds of a seeding channel with ``referral_reward > 0`` are members;
the rule's decision names each adoption's tipping message, whose sender the exposures carry
(:meth:`simulator.engine.messages.Exposures.senders_of`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from simulator import config as cfg
from simulator.engine import adoption, block
from simulator.engine.prepare import prepare
from simulator.engine.run import simulate
from simulator.town.network import Tie
from tests.conftest import small_scenario

REWARD = 5.0
COST_PER_SEED = 10.0


def _scenario(referral: dict[str, Any], *others: str, **simulation: Any) -> cfg.Scenario:
    data = small_scenario(**simulation).model_dump()
    data["channels"]["referrals"] = {
        "kind": "seeding",
        "budget": 1e6,  # the cap never binds: the accounting is exact
        "cost_per_seed": COST_PER_SEED,
        "referral_reward": REWARD,
        **referral,
    }
    data["strategies"] = [{"name": "programme", "channels": ("referrals", *others), "set": {}}]
    return cfg.validate_scenario(data)


def _run_recording(
    scenario: cfg.Scenario, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[dict[str, np.ndarray]], list[np.ndarray]]:
    """Every block's outputs, and every step's adopters with their tipping message's sender."""
    recorded: list[np.ndarray] = []
    rule = adoption.RULES[scenario.adoption.kind]

    def recording(config: Any, step: adoption.Step) -> adoption.Decision:
        decision = rule(config, step)
        sender = step.exposures.senders_of(decision.exposure)
        recorded.append(np.stack([decision.adopters, sender]))
        return decision

    monkeypatch.setitem(block.adoption.RULES, scenario.adoption.kind, recording)
    (prepared,) = prepare(scenario)
    sizes = [scenario.simulation.block_size] * (
        scenario.simulation.replicates // scenario.simulation.block_size
    )
    outputs = [block.run_block(prepared, index, size) for index, size in enumerate(sizes)]
    return outputs, recorded


def test_rewards_are_the_adoptions_a_member_tipped_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given members (so they are known independently): rewards = member-tipped adoptions,
    and cost = seeds x cost per seed + rewards x reward, in every replicate (8 replicates)."""
    members = (3, 50, 120, 333, 404, 517, 598, 10, 77, 250)
    scenario = _scenario(
        {"strategy": "given", "people": members}, replicates=8, block_size=8, steps=40
    )
    (outputs,), recorded = _run_recording(scenario, monkeypatch)
    n = scenario.population.size
    expected = np.zeros(8, np.int64)
    for adopters, sender in recorded:
        by_member = (sender >= 0) & np.isin(sender % n, members)
        assert np.all(sender[sender >= 0] // n == adopters[sender >= 0] // n)  # same replicate
        expected += np.bincount(adopters[by_member] // n, minlength=8)
    assert expected.sum() > 0  # the programme did refer someone
    np.testing.assert_array_equal(outputs["referrals"], expected)
    seeds_cost = len(members) * COST_PER_SEED
    np.testing.assert_array_equal(outputs["cost"][:, 0], seeds_cost + REWARD * expected)


def test_one_member_next_to_ads_is_paid_only_for_her_referrals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The review measured 18.7 rewards for a one-member programme next to Facebook ads:
    every organic adoption was paid. Now only the member's own referrals are (8 replicates)."""
    member = 42
    scenario = _scenario(
        {"strategy": "given", "people": (member,)},
        "facebook_ads",
        replicates=8,
        block_size=8,
        steps=40,
    )
    (outputs,), recorded = _run_recording(scenario, monkeypatch)
    n = scenario.population.size
    hers = np.zeros(8, np.int64)
    for adopters, sender in recorded:
        mine = (sender >= 0) & (sender % n == member)
        hers += np.bincount(adopters[mine] // n, minlength=8)
    rewards = (outputs["cost"][:, 0] - COST_PER_SEED) / REWARD
    np.testing.assert_array_equal(rewards, hers)
    organic = outputs["by_source"][:, list(block.ORGANIC_SOURCES)].sum()
    assert rewards.sum() < organic  # the old rule paid for all of these


def test_members_talk_more_to_weak_ties_than_to_strong_ones() -> None:
    """Members' messages by tie kind, uplift off vs on (same seed, 16 replicates): the rise
    is x 1.5 on weak ties and x 1.1 on strong ones in expectation (the extra contacts come
    from their own stream); each within 4 SE, and the weak rise above the strong by 3 SE."""
    referral = {"strategy": "random", "seeds": 60}
    off = _scenario(
        {**referral, "talk_uplift_weak": 0.0, "talk_uplift_strong": 0.0},
        replicates=16,
        block_size=16,
    )
    on = _scenario(referral, replicates=16, block_size=16)
    (prepared_off,) = prepare(off)
    (prepared_on,) = prepare(on)
    before = block.run_block(prepared_off, 0, 16)["member_messages"].astype(float)
    after = block.run_block(prepared_on, 0, 16)["member_messages"].astype(float)
    weak = after[:, Tie.WEAK] / before[:, Tie.WEAK]
    strong = after[:, Tie.STRONG] / before[:, Tie.STRONG]

    def se(values: np.ndarray) -> float:
        return float(values.std(ddof=1) / np.sqrt(values.size))

    assert abs(weak.mean() - 1.5) < 4 * se(weak)
    assert abs(strong.mean() - 1.1) < 4 * se(strong)
    difference = weak - strong
    assert difference.mean() > 3 * se(difference)


def test_no_programme_no_tracking() -> None:
    """Without a referral reward nothing is allocated: no referral outputs, plain channels."""
    scenario = small_scenario()
    (prepared, *_) = prepare(scenario)
    outputs = block.run_block(prepared, 0, 2)
    assert "referrals" not in outputs and "member_messages" not in outputs


def test_the_cap_still_binds() -> None:
    """A budget of the seeds plus two rewards pays at most two rewards per replicate."""
    scenario = _scenario(
        {"strategy": "random", "seeds": 40, "budget": 40 * COST_PER_SEED + 2 * REWARD},
        replicates=4,
        block_size=4,
    )
    result = simulate(scenario).strategy("programme")
    assert np.all(result.cost[:, 0] <= 40 * COST_PER_SEED + 2 * REWARD + 1e-9)
