"""Advertising and word-of-mouth response (issue 14) against the closed forms of G2 and G3.

Statistical tests state their replicates; each tolerance is 3 standard errors of the
estimate (a correct model fails one such comparison with probability 0.27 %).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator import config as cfg
from simulator import simulate
from simulator.config.response import MECHANISMS_OFF
from simulator.engine.adoption import PROMOTER, independent
from simulator.engine.adstock import AdStock, stock_decay, wear_weight
from simulator.engine.block import run_block
from simulator.engine.channels import ChannelPlan
from simulator.engine.messages import Exposures
from simulator.engine.prepare import prepare
from simulator.errors import ConfigError
from simulator.town.network import Tie
from simulator.town.trust import tie_sources_and_trust
from simulator.validation.cascades import cascade_scenario


def _plan(audience: np.ndarray, strength: float = 0.1) -> ChannelPlan:
    return ChannelPlan(
        "ads", 0, cfg.SocialAds(), 8, strength, audience, np.zeros(1, np.int64), np.zeros(1)
    )


def _scenario(size: int, **response: object) -> cfg.Scenario:
    """The built-in town with every mechanism off but those given (``a__b`` for ``a.b``)."""
    data = cfg.default_scenario_data()
    data["population"]["size"] = size
    data["simulation"].update(steps=40, replicates=4, block_size=4)
    data["product"]["quality"] = 0.95
    data["word_of_mouth"]["talk_steps"] = 30.0
    for path, value in MECHANISMS_OFF.items():
        cfg.set_path(data, path, value, origin="test")
    for path, value in response.items():
        cfg.set_path(data, path.replace("__", "."), value, origin="test")
    return cfg.validate_scenario(data)


def _mechanisms_off(data: dict) -> dict:
    """``data`` with the response on but every mechanism off, to switch one on."""
    data["response"] = cfg.Response().model_dump(mode="json")
    for path, value in MECHANISMS_OFF.items():
        cfg.set_path(data, path, value, origin="test")
    return data


def _stock(medium: cfg.MediumResponse, size: int = 1, reps: int = 1) -> AdStock:
    scenario = _scenario(10)
    plan = _plan(np.arange(size, dtype=np.int32))
    return AdStock.build(
        plan,
        medium,
        scenario.model_copy(
            update={"population": scenario.population.model_copy(update={"size": size})}
        ),
        0,
        size * reps,
    )


# ---------------------------------------------------------------------- ad stock (G2)


def test_adstock_impulse_decays_geometrically_exactly():
    medium = cfg.MediumResponse(half_life_days=3.0)
    stock = _stock(medium)
    lam = stock_decay(medium, 1.0)
    stock.wear(np.array([0]), 0)
    for t in (1, 5, 17):
        weight = stock.wear(np.zeros(0, np.int64), t)  # no impression: nothing moves
        assert weight.size == 0
        assert stock.stock[0] * lam ** (t - stock.last[0]) == pytest.approx(lam**t, rel=1e-12)


def test_adstock_steady_state_is_one_over_one_minus_lambda():
    medium = cfg.MediumResponse(half_life_days=2.0, wear_out=5.0)
    stock = _stock(medium)
    lam = stock_decay(medium, 1.0)
    for t in range(200):
        stock.wear(np.array([0]), t)
    assert stock.stock[0] == pytest.approx(1.0 / (1.0 - lam), rel=1e-12)
    # the next impression finds A = lam / (1 - lam) and weighs w(A + 1)
    weight = stock.wear(np.array([0]), 200)
    expected = math.exp(-(lam / (1.0 - lam)) / 5.0)
    assert weight[0] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("frequency", [1, 2, 5, 12, 30, 50])
def test_frequency_response_of_a_cohort(frequency):
    """10^5 people, F impressions each in one step: P = 1 - prod_k (1 - pi w(k)), 3 SE."""
    people, pi = 100_000, 0.02
    medium = cfg.MediumResponse(wear_out=8.0)
    stock = _stock(medium, size=people)
    targets = np.tile(np.arange(people), frequency)
    weight = stock.wear(targets, 0)
    exposures = Exposures(
        targets,
        (pi * weight).astype(np.float32),
        np.full(targets.size, 8, np.int8),
        np.zeros(targets.size, np.int16),
        np.ones(targets.size, np.int8),
    )
    decision = independent(
        exposures,
        np.zeros(people, np.int8),
        np.ones(people, np.float32),
        1.0,
        rng=np.random.default_rng(frequency),
    )
    k = np.arange(1, frequency + 1)
    expected = 1.0 - np.prod(1.0 - pi * np.exp(-(k - 1) / 8.0))
    share = decision.adopters.size / people
    assert abs(share - expected) <= 3 * math.sqrt(expected * (1 - expected) / people)
    # the curve saturates below pi x n_w / (1 - exp(-1 / n_w)), about pi x (n_w + 1/2)
    assert expected < pi * 8.5


def test_s_shape_rises_to_one_at_the_effective_frequency_then_wears_out():
    medium = cfg.MediumResponse(wear_out=4.0, shape="s_shape", effective_frequency=3.0, kappa=3.0)
    weight = wear_weight(np.arange(1.0, 8.0), medium)
    assert np.all(np.diff(weight[:3]) > 0) and weight[2] == 1.0
    assert np.all(np.diff(weight[2:]) < 0)


def test_frequency_cap_is_never_exceeded_in_any_window():
    audience, reps, cap = 50, 3, 3
    medium = cfg.MediumResponse(frequency_cap=float(cap), cap_window_days=7.0)
    stock = _stock(medium, size=audience, reps=reps)
    rng = np.random.default_rng(4)
    history = np.zeros((40, reps * audience), np.int64)
    for step in range(40):
        wanted = np.arange(reps)[:, None] * audience + rng.integers(0, audience, (reps, 60))
        placed = stock.place(wanted.ravel(), step, reps)
        history[step] = np.bincount(placed, minlength=reps * audience)
    windows = np.array([history[max(0, t - 6) : t + 1].sum(axis=0) for t in range(40)])
    assert windows.max() == cap
    # 60 wanted a step against room for at most 3 x 50 / 7 a step on average: the cap binds
    assert history.sum() < 40 * 60 * reps


def test_capped_budget_is_reported_unspent_and_not_charged():
    scenario = _scenario(1500, response__advertising__social__frequency_cap=3.0)
    result = simulate(scenario).strategy("social ads")
    unspent = result.response["unspent"][:, 0]
    assert np.all(unspent > 0)
    planned = 1000.0  # the channel's budget, which it buys at once when uncapped
    spent = result.cost[:, 0]
    assert np.allclose(spent + unspent, planned, atol=10.0)  # 10 EUR: the whole-impression rounding


def test_walk_ins_match_the_baseline_hazard():
    """No marketing, no talk: walk-ins over T days are N (1 - exp(-p T / 365.25)) (3 SE)."""
    size, days, p_year, reps = 4000, 200, 0.03, 40
    scenario = cascade_scenario(size, [0], rule=cfg.IndependentRule(), persuasion=0.0)
    data = _mechanisms_off(scenario.model_dump(mode="json"))
    data["channels"] = {}
    data["strategies"] = [{"name": "nothing"}]
    data["simulation"].update(steps=days, replicates=reps, block_size=reps, stop_when_quiet=False)
    data["response"]["advertising"]["walk_ins_per_year"] = p_year
    graph = (np.zeros(size + 1, np.int64), np.zeros(0, np.int32))
    result = simulate(cfg.validate_scenario(data), graphs={"graph": graph}).strategies[0]
    adopters = result.series["adopters"][:, -1]
    expected = size * -math.expm1(-p_year * days / 365.25)
    assert abs(adopters.mean() - expected) <= 3 * adopters.std(ddof=1) / math.sqrt(reps)
    assert adopters.sum() == result.by_source[:, cfg.SOURCE_TYPES.index("background")].sum()


# ---------------------------------------------------------------------- word of mouth (G3)


def _star_out(hub_degree: int) -> tuple[np.ndarray, np.ndarray]:
    """Person 0 speaks to people 1..hub_degree; nobody else speaks to anyone."""
    size = hub_degree + 1
    indptr = np.full(size + 1, hub_degree, np.int64)
    indptr[0] = 0
    return indptr, np.arange(1, size, dtype=np.int32)


def test_expected_messages_under_talk_decay():
    """E[M] = deg c (1 - e^(-T/tau)) / (1 - e^(-1/tau)) from one talker, 200 replicates, 3 SE."""
    degree, contact, tau, talk, reps = 400, 0.05, 14.0, 30, 200
    scenario = cascade_scenario(
        degree + 1,
        [0],
        rule=cfg.IndependentRule(),
        persuasion=0.0,
        replicates=reps,
        block_size=reps,
        steps=talk + 2,
        layer=cfg.GraphLayer(contact_probability=contact, tie_trust=1.0),
    )
    data = _mechanisms_off(scenario.model_dump(mode="json"))
    data["word_of_mouth"]["talk_steps"] = talk
    data["response"]["word_of_mouth"]["decay_days"] = tau
    result = simulate(cfg.validate_scenario(data), graphs={"graph": _star_out(degree)})
    messages = result.strategies[0].messages
    expected = degree * contact * -math.expm1(-talk / tau) / -math.expm1(-1.0 / tau)
    assert abs(messages.mean() - expected) <= 3 * messages.std(ddof=1) / math.sqrt(reps)
    no_decay = degree * contact * talk
    assert messages.mean() < 0.8 * no_decay  # the test can tell decay from none


def _fan_in(
    groups: dict[int, int],
) -> tuple[np.ndarray, np.ndarray, list[int], dict[int, np.ndarray]]:
    """For each m, ``groups[m]`` listeners who each hear exactly m seeds (one edge each)."""
    edges: list[tuple[int, int]] = []
    seeds: list[int] = []
    listeners: dict[int, np.ndarray] = {}
    person = 0
    for m, count in groups.items():
        ears = np.arange(person, person + count)
        person += count
        listeners[m] = ears
        for ear in ears:
            for _ in range(m):
                seeds.append(person)
                edges.append((person, int(ear)))
                person += 1
    size = person
    source = np.array([e[0] for e in edges])
    order = np.argsort(source, kind="stable")
    indptr = np.zeros(size + 1, np.int64)
    np.add.at(indptr, source + 1, 1)
    indptr = np.cumsum(indptr)
    indices = np.array([e[1] for e in edges], np.int32)[order]
    return indptr, indices, seeds, listeners


def _final_states(scenario: cfg.Scenario, graphs: dict) -> np.ndarray:
    """Everyone's state after the run, (replicates, people), from one block."""
    (prepared,) = prepare(scenario, graphs=graphs)
    seen: list[np.ndarray] = []
    run_block(prepared, 0, scenario.simulation.replicates, observe=lambda s: seen.append(s))
    return seen[-1].reshape(scenario.simulation.replicates, -1).copy()


def _pairs_cascade(
    pairs: int, reps: int, persuasion: float, steps: int
) -> tuple[dict, tuple, np.ndarray]:
    """``pairs`` seeds each telling one listener, independent rule, every response
    mechanism off: the scenario data (to switch one on), the graph and the listeners."""
    indptr, indices, seeds, listeners = _fan_in({1: pairs})
    scenario = cascade_scenario(
        indptr.size - 1,
        seeds,
        rule=cfg.IndependentRule(),
        persuasion=persuasion,
        replicates=reps,
        block_size=reps,
        steps=steps,
    )
    return _mechanisms_off(scenario.model_dump(mode="json")), (indptr, indices), listeners[1]


def test_adoption_given_m_messages_saturates():
    """P(adopt | m) = 1 - prod_{k=1..m} (1 - p s(k - 1)), n* = 2, rho = 0.5; 10 replicates."""
    groups = {1: 1500, 2: 1500, 3: 1500, 5: 1500}
    indptr, indices, seeds, listeners = _fan_in(groups)
    size, reps, persuasion, rho = indptr.size - 1, 10, 0.4, 0.5
    scenario = cascade_scenario(
        size,
        seeds,
        rule=cfg.IndependentRule(),
        persuasion=persuasion,
        replicates=reps,
        block_size=reps,
        steps=3,
    )
    data = _mechanisms_off(scenario.model_dump(mode="json"))
    data["response"]["word_of_mouth"].update(saturation=rho, saturation_after=2)
    data["simulation"]["stop_when_quiet"] = False
    final = _final_states(cfg.validate_scenario(data), {"graph": (indptr, indices)})
    adopted = final >= PROMOTER
    for m, ears in listeners.items():
        s = np.where(np.arange(m) < 2, 1.0, rho ** (np.arange(m) - 1.0))
        expected = 1.0 - np.prod(1.0 - persuasion * s)
        share = adopted[:, ears].mean()
        n = reps * ears.size
        assert abs(share - expected) <= 3 * math.sqrt(expected * (1 - expected) / n), m


def test_repeat_sender_is_discounted():
    """One tie, two talking steps: P = 1 - (1 - p)(1 - p rho_same); 20,000 listeners."""
    pairs, reps, persuasion, rho_same = 2000, 10, 0.3, 0.2
    data, graph, listeners = _pairs_cascade(pairs, reps, persuasion, steps=4)
    data["word_of_mouth"]["talk_steps"] = 2
    data["simulation"]["stop_when_quiet"] = False
    data["response"]["word_of_mouth"]["repeat_sender"] = rho_same
    final = _final_states(cfg.validate_scenario(data), {"graph": graph})
    share = (final[:, listeners] >= PROMOTER).mean()
    expected = 1.0 - (1.0 - persuasion) * (1.0 - persuasion * rho_same)
    assert abs(share - expected) <= 3 * math.sqrt(expected * (1 - expected) / (reps * pairs))
    assert abs(share - (1.0 - (1.0 - persuasion) ** 2)) > 0.05  # it can tell rho_same from 1


def test_passives_split_the_satisfied_and_messages_follow_the_valence_mix():
    """Promoters 0.6, passives 0.3 (talk 0.25), detractors 0.1 (talk 1.5): 4.5 : 1 messages."""
    scenario = _scenario(
        3000,
        product__quality=0.6,
        response__word_of_mouth__passive_share=0.3,
        response__word_of_mouth__decay_days=14.0,
    )
    result = simulate(scenario).strategy("word of mouth")
    adopters = result.series["adopters"][:, -1].sum()
    passives = result.response["passives"].sum()
    detractors = result.series["detractors"][:, -1].sum()
    assert abs(passives / adopters - 0.3) <= 3 * math.sqrt(0.21 / adopters)
    assert abs(detractors / adopters - 0.1) <= 3 * math.sqrt(0.09 / adopters)
    positive = result.response["positive_messages"].sum()
    negative = result.response["negative_messages"].sum()
    assert positive + negative == result.messages.sum()
    assert 3.0 <= positive / negative <= 6.0


def test_online_strangers_trusted_as_weak_ties():
    scenario = _scenario(100, response__word_of_mouth__online_stranger_trust="weak_tie")
    sources, trust = tie_sources_and_trust(scenario, scenario.layers["facebook"])
    weak = scenario.word_of_mouth.weak_tie_trust
    assert trust[Tie.ONLINE] == pytest.approx(0.83 * weak, rel=1e-6)
    assert trust[Tie.ONLINE] == pytest.approx(trust[Tie.WEAK], rel=1e-6)
    assert cfg.SOURCE_TYPES[sources[Tie.ONLINE]] == "online_opinion"


def test_switches_off_are_the_previous_model_and_on_changes_it():
    off = {
        "response__advertising__social__half_life_days": 0.0,
        "response__advertising__social__wear_out": math.inf,
        "response__advertising__social__carryover": 0.0,
        "response__advertising__social__frequency_cap": math.inf,
        "response__advertising__walk_ins_per_year": 0.0,
        "response__word_of_mouth__decay_days": math.inf,
        "response__word_of_mouth__saturation": 1.0,
        "response__word_of_mouth__repeat_sender": 1.0,
        "response__word_of_mouth__passive_share": 0.0,
    }
    today = simulate(_scenario(1500))
    explicit = simulate(_scenario(1500, **off))
    for a, b in zip(today.strategies, explicit.strategies, strict=True):
        assert np.array_equal(a.series["adopters"], b.series["adopters"])
        assert np.array_equal(a.by_source, b.by_source) and not b.response
    data = _scenario(1500).model_dump(mode="json")
    cfg.apply_overrides(data, cfg.realistic_overrides())
    realistic = simulate(cfg.validate_scenario(data))
    changed = [
        not np.array_equal(a.series["adopters"], b.series["adopters"])
        for a, b in zip(today.strategies, realistic.strategies, strict=True)
    ]
    assert all(changed)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("response.advertising.social.frequency_cap", 2.5, "frequency_cap must be a whole"),
        ("response.word_of_mouth.passive_share", 0.5, "product.quality (promoters) + response"),
        ("response.advertising.social.half_life_days", -1.0, "greater than or equal to 0"),
    ],
)
def test_bad_response_config_is_one_line_naming_the_parameter(path, value, message):
    data = cfg.default_scenario_data()
    cfg.set_path(data, path, value, origin="--set")
    with pytest.raises(ConfigError) as error:
        cfg.validate_scenario(data)
    text = str(error.value)
    assert "\n" not in text and message in text
    assert path.split(".")[-1] in text


def test_stylised_facts_rows_name_calibrated_and_emergent():
    """The ``facts`` group of ``wom check-model`` at 4 replicates: every row is labelled."""
    from simulator.validation.checks import QUICK  # the check-model sizes only here
    from simulator.validation.facts import check_facts

    rows = check_facts(QUICK, 7, replicates=4)
    assert len(rows) == 9
    homophily = [row for row in rows if row.check.startswith("homophily")]
    assert len(homophily) == 2 and all(row.passed for row in homophily)
    assert all(row.group == "facts" for row in rows)
    labelled = ("calibrated", "emergent", "by construction", "informational")
    assert all(row.detail.startswith(labelled) for row in rows)
    # the social-ad cap binds on a 28-day flight of 1,000 EUR in this town
    assert rows[-1].simulated > 100


def test_response_metrics_and_incremental_adopters_against_no_campaign():
    """Summary ratios exist with the response on; incremental = paired CRN difference."""
    from simulator.metrics import compare, summarize  # tables only in this test

    data = _scenario(1500).model_dump(mode="json")
    cfg.apply_overrides(data, cfg.realistic_overrides())
    result = simulate(cfg.validate_scenario(data))  # the built-in town has a no campaign
    summary = summarize(result).set_index("strategy")
    for column in ("pwom_to_nwom", "wom_share", "conversion_per_message_all", "unspent"):
        assert column in summary.columns
    share = summary.loc["social ads", "wom_share"]
    assert 0.0 <= share <= 1.0
    baseline = result.strategy("no campaign").series["adopters"][:, -1]
    assert baseline.min() > 0  # walk-ins: doing nothing still sells
    incremental = compare(result, "adopters", reference="no campaign").set_index("strategy")
    ads = result.strategy("social ads").series["adopters"][:, -1]
    assert incremental.loc["social ads", "difference"] == pytest.approx((ads - baseline).mean())
    assert incremental.loc["no campaign", "difference"] == 0.0


def test_conversion_per_message_by_tie_kind_is_the_one_message_adoption_probability():
    """Listeners who each hear one message convert with p: the ``other_ties`` conversion (a
    loaded graph's ties) is p within 3 SE; 20 replicates of 2,000 listeners, p = 0.3."""
    from simulator.metrics import summarize  # tables only in this test

    pairs, reps, persuasion = 2000, 20, 0.3
    data, graph, _ = _pairs_cascade(pairs, reps, persuasion, steps=3)
    # talk response on, through saturation, which leaves a first message whole
    data["response"]["word_of_mouth"].update(saturation=0.5, saturation_after=2)
    result = simulate(cfg.validate_scenario(data), graphs={"graph": graph})
    response = result.strategies[0].response
    assert (response["messages_by_tie"][:, Tie.EXTERNAL] == pairs).all()
    assert response["messages_by_tie"][:, : Tie.EXTERNAL].sum() == 0
    row = summarize(result).iloc[0]
    rate = row["conversion_per_message.other_ties"]
    assert abs(rate - persuasion) <= 3 * math.sqrt(persuasion * (1 - persuasion) / (reps * pairs))
    assert "conversion_per_message.weak_ties" not in row.index  # kinds the town lacks


def test_messages_and_tipped_adoptions_by_tie_kind_add_up_and_strong_ties_convert_more():
    """The built-in town, realistic response, 1,500 people, 4 replicates: the split by tie
    kind adds up to the messages and to the adoptions talk tipped, and a strong tie
    (trust 0.83) converts more than a weak one (0.83 x 0.45) by more than 3 SE."""
    from simulator.config import TIE_KINDS
    from simulator.metrics.tables import replicate_metrics

    assert len(TIE_KINDS) == len(Tie)
    assert (TIE_KINDS[Tie.STRONG], TIE_KINDS[Tie.WEAK], TIE_KINDS[Tie.ONLINE]) == (
        "strong",
        "weak",
        "follow",
    )
    data = _scenario(1500).model_dump(mode="json")
    cfg.apply_overrides(data, cfg.realistic_overrides())
    result = simulate(cfg.validate_scenario(data)).strategy("word of mouth")
    by_tie = result.response["messages_by_tie"]
    assert (by_tie.sum(axis=1) == result.messages).all()
    values = replicate_metrics(result, np.arange(41.0))
    tipped = sum(values[f"tipped_by.{kind}_ties"] for kind in ("strong", "weak", "follow"))
    assert (tipped == values["tipped_by_talk"]).all()
    strong = values["tipped_by.strong_ties"].sum() / values["messages.strong_ties"].sum()
    weak = values["tipped_by.weak_ties"].sum() / values["messages.weak_ties"].sum()
    se = math.sqrt(
        strong * (1 - strong) / values["messages.strong_ties"].sum()
        + weak * (1 - weak) / values["messages.weak_ties"].sum()
    )
    assert strong - weak > 3 * se


# --------------------------------------------------------------------------- purchase cues


def _cued(cue: float, *, lifecycle: bool = True) -> cfg.Scenario:
    """Free samples only, 60 days; talk lasts one day after adopting (talk_steps 1), so
    every later message is a purchase's cue."""
    data = cfg.default_scenario().model_dump()
    data["population"]["size"] = 1500
    data["strategies"] = [{"name": "samples", "channels": ["free_samples"]}]
    data["simulation"].update({"steps": 60, "replicates": 8})
    data["word_of_mouth"]["talk_steps"] = 1.0
    data["lifecycle"] = {"enabled": lifecycle}
    _mechanisms_off(data)
    data["product"]["quality"] = 0.95
    data["response"]["word_of_mouth"].update(decay_days=14.0, cue_talk=cue)
    return cfg.validate_scenario(data)


def test_purchases_cue_talk_only_when_customers_buy() -> None:
    """8 replicates: with the cue on, customers' purchases add messages after the one day
    of talk (more messages over the 8 replicates than with the cue off); without the
    lifecycle nobody buys and the cue changes nothing, array for array."""
    on = simulate(_cued(0.4)).strategies[0]
    off = simulate(_cued(0.0)).strategies[0]
    assert on.lifecycle["purchases"].sum() > 0
    assert on.messages.sum() > off.messages.sum()
    plain_on = simulate(_cued(0.4, lifecycle=False)).strategies[0]
    plain_off = simulate(_cued(0.0, lifecycle=False)).strategies[0]
    assert np.array_equal(plain_on.messages, plain_off.messages)
    assert np.array_equal(plain_on.series["adopters"], plain_off.series["adopters"])
