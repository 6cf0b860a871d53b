"""The page of MODEL-REVIEW G5 (issue 15): reshare cascades, reach feedback, followers, switches.

Statistical tests state their replicates; tolerances are 3 standard errors, from the
closed form's variance or from the replicates.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator import config as cfg
from simulator.engine.page import post_reach, reshare_cascade
from simulator.engine.run import simulate
from simulator.errors import ConfigError
from tests.conftest import small_scenario


def _k_out_graph(size: int, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every person has exactly ``k`` followers, drawn at random (a CSR of out-edges)."""
    return np.arange(0, size * k + 1, k), rng.integers(0, size, size * k)


@pytest.mark.parametrize("b", [0.3, 0.7])
def test_reshare_cascade_is_galton_watson(b):
    """k = 20 followers, reach 0.25, reshare chance b / 5: offspring Binomial(20, b / 20),
    mean b. Per first share, E[shares] = 1 / (1 - b) and E[views] = k reach / (1 - b);
    Var[shares] = sigma^2 / (1 - b)^3 with sigma^2 = k q (1 - q), q = b / k. 20,000 first
    shares, no generation cap in practice (1,000); 3 SE."""
    rng = np.random.default_rng(15)
    size, k, reach = 100_000, 20, 0.25
    indptr, indices = _k_out_graph(size, k, rng)
    first = rng.integers(0, size, 20_000)
    reshare = np.full(size, b / (k * reach))
    out = reshare_cascade(indptr, indices, first, size, reach, reshare, 1000, rng)
    shares = sum(sharers.size for sharers, _, _ in out) / first.size
    views = sum(targets.size for _, targets, _ in out) / first.size
    q = b / k
    se_shares = math.sqrt(k * q * (1 - q) / (1 - b) ** 3 / first.size)
    assert abs(shares - 1 / (1 - b)) < 3 * se_shares
    # views = k reach x shares, each share's views Binomial(k, reach): the same 3 SE scaled
    assert abs(views - k * reach / (1 - b)) < 3 * (k * reach * se_shares + math.sqrt(k) / 100)


def test_one_generation_is_todays_shares():
    rng = np.random.default_rng(1)
    indptr, indices = _k_out_graph(1000, 5, rng)
    out = reshare_cascade(indptr, indices, np.arange(10), 1000, 1.0, np.ones(1000), 1, rng)
    assert len(out) == 1 and out[0][1].size == 50


def test_post_reach_is_the_clipped_power_of_engagement():
    page = cfg.SocialPage(engagement=True, reach_feedback=2.0)
    reach = post_reach(np.array([0.048 * 0.5, 0.048 * 1.2, 0.048 * 10]), page)
    np.testing.assert_allclose(reach, [0.02, 0.052 * 1.44, 0.16])  # 0.013 clipped to 0.02
    assert post_reach(np.array([0.5]), cfg.SocialPage())[0] == 0.052  # off: constant


def _page_data(**page):
    data = small_scenario(steps=120, replicates=12, block_size=12).model_dump()
    data["population"]["size"] = 2000
    for segment in data["population"]["segments"]:
        segment["interest"] = 0.4  # everyone equally interested: interest / mean = 1
    data["channels"]["facebook_page"].update(
        followers=600, end_day=1e9, hourly_cost=0.0, share_probability=0.0, **page
    )
    data["strategies"] = [{"name": "page", "channels": ["facebook_page"]}]
    return data


def test_reach_converges_to_its_fixed_point():
    """Constant quality q = 2 and eta = 1: E_k follows E_{k+1} = (1 - l) E_k + l eps0 q in
    expectation from E_0 = eps0, so post k reaches F r0 E_k / eps0 followers and the
    views over all posts are F r0 sum_k (q - (q - 1)(1 - l)^k) (reach stays inside its
    clip: r0 q = 0.104 < 0.16). 12 replicates; 3 SE of the mean views."""
    data = _page_data(engagement=True, reach_feedback=1.0, content_quality=2.0, share_reach=0.0)
    scenario = cfg.validate_scenario(data)
    (page,) = simulate(scenario).strategies
    config = scenario.channels["facebook_page"]
    posts = len(np.arange(0.0, 120.0, 7.0 / config.posts_per_week))
    k = np.arange(posts)
    followers = page.reputation["page_followers"][:, 0]
    assert np.all(followers == followers[0])  # nobody follows or leaves
    expected = followers[0] * 0.052 * np.sum(2.0 - (2.0 - 1.0) * 0.8**k)
    views = page.reputation["page_views"][:, 0].astype(np.float64)
    assert abs(views.mean() - expected) < 3 * views.std(ddof=1) / math.sqrt(views.size)
    engaged = page.reputation["page_engagements"][:, 0].sum() / views.sum()
    assert abs(engaged - 0.048 * 2.0) < 3 * math.sqrt(0.096 * 0.904 / views.sum())


def test_customers_follow_and_followers_leave():
    data = _page_data(follow_after_purchase=0.2)
    data["channels"]["facebook_page"]["followers"] = 0
    data["strategies"] = [{"name": "page", "channels": ["facebook_page", "free_samples"]}]
    (grown,) = simulate(cfg.validate_scenario(data)).strategies
    assert grown.reputation["page_followers"][:, 0].min() > 0
    assert grown.cost[:, 0].sum() == 0.0  # own time (hourly_cost 0)
    data["channels"]["facebook_page"].update(followers=600, follow_after_purchase=0.0)
    data["channels"]["facebook_page"]["unfollow_per_day"] = 0.01
    (leaving,) = simulate(cfg.validate_scenario(data)).strategies
    left = leaving.reputation["page_followers"][:, 0]
    start = min(600, data["population"]["size"])
    expected = 600 * (1 - 0.01) ** 120  # every follower at risk each day
    assert np.all(left < start)
    assert abs(left.mean() - expected) < 3 * math.sqrt(expected * 0.7 / left.size)


def test_bought_fans_engage_less():
    plain = _page_data(engagement=True, share_reach=0.0)
    bought = _page_data(engagement=True, share_reach=0.0, bought_fans=True)
    (a,) = simulate(cfg.validate_scenario(plain)).strategies
    (b,) = simulate(cfg.validate_scenario(bought)).strategies
    rate_a = a.reputation["page_engagements"][:, 0].sum() / a.reputation["page_views"][:, 0].sum()
    rate_b = b.reputation["page_engagements"][:, 0].sum() / b.reputation["page_views"][:, 0].sum()
    assert rate_b < 0.5 * rate_a


def test_page_with_every_g5_field_off_is_todays_page():
    assert not cfg.SocialPage().dynamic
    (today,) = simulate(cfg.validate_scenario(_page_data())).strategies
    assert not today.reputation


def test_feedback_needs_engagement():
    with pytest.raises(ConfigError, match="reach_feedback needs engagement"):
        cfg.validate_scenario(_page_data(reach_feedback=1.0))
