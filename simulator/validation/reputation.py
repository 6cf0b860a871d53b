"""Stylised facts of online reputation and of the page (MODEL-REVIEW G4 and G5, issue 15).

One run of the default town for 12 months with :data:`simulator.config.REALISTIC` and
:data:`simulator.config.REALISTIC_REPUTATION` applied, and strategies that differ only in
what each fact needs, under common random numbers. The complaint rows have a run of their
own, as the issue states them: three years (:data:`COMPLAINT_DAYS`), 5 % dissatisfied
adopters (:data:`simulator.calibration.DISSATISFIED_SHARE`), at three levels of the market
layer's ``local_share`` (each level its own town, paired within the level). Each row says
whether the fact was *calibrated* (naming the parameter) or *emergent*.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulator import calibration as cal
from simulator import config as cfg
from simulator.config.reputation import STAR_EFFECT
from simulator.engine.page import reshare_cascade
from simulator.engine.reviews import shown_rating
from simulator.engine.run import simulate
from simulator.validation.facts import FACT_DAYS, fact_row
from simulator.validation.table import CheckResult

__all__ = [
    "COMPLAINT_DAYS",
    "LOCAL_SHARES",
    "check_reputation",
    "complaints_scenario",
    "reputation_scenario",
]

LOCAL_SHARES = (0.9, 0.7, 0.5)
"""Levels of ``layers.market.local_share``: less local means more weak ties across town
(Goldenberg, Libai, Moldovan & Muller 2007: weak ties spread bad news)."""

COMPLAINT_DAYS = 3 * 365
"""Horizon of the complaint rows: three years of discounted margin, as the issue asks
(Goldenberg et al. 2007 value bad news as lost net present value)."""

PAGE = "channels.facebook_page."


def _strategy(name: str, channels: list[str], **settings: Any) -> dict[str, Any]:
    return {"name": name, "channels": channels, "set": settings}


def _silent() -> dict[str, Any]:
    """Detractors who neither talk nor post: what complaints cost is the difference."""
    return {
        "product.detractor_talk_multiplier": 0.0,
        "reputation.reviews.detractor_multiplier": 0.0,
    }


def reputation_scenario(*, replicates: int, seed: int) -> cfg.Scenario:
    """The default town for 12 months, the mechanisms on, the strategies of the rows.

    Examples
    --------
    >>> s = reputation_scenario(replicates=2, seed=1)
    >>> [x.name for x in s.strategies][:3], s.reputation.reviews.post_probability
    (['samples', 'samples, +1 star', 'samples, replies'], 0.02)
    """
    data = cfg.default_scenario_data()
    cfg.apply_overrides(data, cfg.realistic_overrides())
    cfg.apply_overrides(data, cfg.realistic_reputation_overrides())
    data["simulation"].update(
        steps=FACT_DAYS, replicates=replicates, block_size=min(replicates, 50), seed=seed
    )
    data["channels"]["replies"] = {
        "kind": "dialogue",
        "hours_per_week": 2.0,
        "end_day": 1e9,
        "budget": 1e9,  # replies all year (1,000 EUR pays 25 weeks)
    }
    data["channels"]["facebook_page"].update(cfg.REALISTIC_PAGE, end_day=1e9, budget=1e9)
    samples = ["free_samples"]
    paged = ["free_samples", "facebook_page"]
    data["strategies"] = [
        _strategy("samples", samples),
        _strategy("samples, +1 star", samples, **{"reputation.reviews.rating_shift": 1.0}),
        _strategy("samples, replies", [*samples, "replies"]),
        _strategy("page of 500 real followers", paged, **{f"{PAGE}followers": 500}),
        _strategy(
            "page of 2,000 bought fans",
            paged,
            **{
                f"{PAGE}followers": 2000,
                f"{PAGE}bought_fans": True,
                f"{PAGE}follow_after_purchase": 0.0,
            },
        ),
    ]
    return cfg.validate_scenario(data, origin="reputation facts")


def complaints_scenario(*, replicates: int, seed: int) -> cfg.Scenario:
    """The default town for three years, the mechanisms on, 5 % dissatisfied adopters,
    free samples at three weak-tie levels, with and without silent detractors.

    The promoter share ``product.quality`` is what the passives leave after
    :data:`~simulator.calibration.DISSATISFIED_SHARE` detractors (0.65 with 30 % passives;
    :data:`~simulator.config.REALISTIC` has 0.60, 10 % detractors).

    Examples
    --------
    >>> s = complaints_scenario(replicates=2, seed=1)
    >>> s.simulation.steps, round(s.product.quality, 2), [x.name for x in s.strategies][:2]
    (1095, 0.65, ['local 0.9', 'local 0.9, silent detractors'])
    """
    data = cfg.default_scenario_data()
    cfg.apply_overrides(data, cfg.realistic_overrides())
    cfg.apply_overrides(data, cfg.realistic_reputation_overrides())
    data["simulation"].update(
        steps=COMPLAINT_DAYS, replicates=replicates, block_size=min(replicates, 50), seed=seed
    )
    passives = data["response"]["word_of_mouth"]["passive_share"]
    data["product"]["quality"] = 1.0 - passives - cal.DISSATISFIED_SHARE.value
    data["strategies"] = []
    for local in LOCAL_SHARES:
        where = {"layers.market.local_share": local}
        data["strategies"] += [
            _strategy(f"local {local:g}", ["free_samples"], **where),
            _strategy(
                f"local {local:g}, silent detractors", ["free_samples"], **where, **_silent()
            ),
        ]
    return cfg.validate_scenario(data, origin="complaint facts")


def _row(*args: Any, **kwargs: Any) -> CheckResult:
    return fact_row(*args, **kwargs, group="reputation")


def _interval(values: np.ndarray) -> tuple[float, float]:
    se = float(values.std(ddof=1) / math.sqrt(values.size))
    return float(values.mean() - 1.96 * se), float(values.mean() + 1.96 * se)


def check_reputation(sizes: Any, seed: int, *, replicates: int | None = None) -> list[CheckResult]:
    """The reputation rows of ``wom check-model`` (group ``reputation``)."""
    if replicates is None:
        replicates = 80 if getattr(sizes, "bass_replicates", 50) >= 50 else 16
    got = {
        s.name: s
        for s in simulate(reputation_scenario(replicates=replicates, seed=seed)).strategies
    }
    rows = [_shrinkage_row(), _cascade_row(seed)]
    base, star = got["samples"].lifecycle, got["samples, +1 star"].lifecycle
    luca = (star["revenue"] / np.maximum(base["revenue"], 1.0) - 1.0) * 100.0
    rows.append(
        _row(
            "+1 shown star: revenue in 12 months (Luca 2016)",
            "+5 to +9 %",
            luca,
            5.0 <= float(luca.mean()) <= 9.0,
            f"calibrated: reputation.reviews.star_effect = "
            f"ln {math.exp(STAR_EFFECT):.2f} on searchers' messages, "
            "walk-ins and trial conversions, repeat_weight 0.5 on their purchase rate",
            5.0,
        )
    )
    gain = got["samples, replies"].reputation["rating"] - got["samples"].reputation["rating"]
    rows.append(
        _row(
            "replies 2 h a week: shown rating after 12 months (Proserpio & Zervas 2017)",
            "about +0.1 star",
            gain,
            0.05 <= float(gain.mean()) <= 0.2,
            "calibrated: reputation.reply_negative_posting = 0.7 (with reply_recovery 0.3; "
            "0.88, fewer negative reviews alone, gives about +0.05)",
            0.1,
        )
    )
    complaints = simulate(complaints_scenario(replicates=replicates, seed=seed)).strategies
    rows.extend(_complaint_rows({s.name: s for s in complaints}))
    # A page grown from customers alone stays small in this town (about 44 followers after
    # a year, measured): 500 followers who chose the page, joined by customers, are the
    # claim's relationship page; 2,000 bought fans are its fan count.
    real = got["page of 500 real followers"].lifecycle["discounted_margin"]
    bought = got["page of 2,000 bought fans"].lifecycle["discounted_margin"]
    low, high = _interval(real - bought)
    rows.append(
        _row(
            "page of 500 real followers (customers join) minus 2,000 bought fans: CLV in 12 "
            "months, equal hours",
            "95 % interval above 0",
            real - bought,
            low > 0,
            f"emergent: [{low:.0f}, {high:.0f}] EUR (social_page engagement, reach_feedback, "
            "follow_after_purchase, loyalty, purchase_lift; shares read online, share_trust)",
            0.0,
        )
    )
    return rows


def _complaint_rows(got: dict[str, Any]) -> list[CheckResult]:
    """What detractors' talk, reviews and churn cost over three years, at three weak-tie
    levels (GLMM 2007)."""
    rows, means, errors = [], [], []
    for local in LOCAL_SHARES:
        heard = got[f"local {local:g}"].lifecycle["discounted_margin"]
        silent = got[f"local {local:g}, silent detractors"].lifecycle["discounted_margin"]
        lost = (silent - heard) / np.maximum(silent, 1.0) * 100.0
        low, high = _interval(lost)
        means.append(float(lost.mean()))
        errors.append(float(lost.std(ddof=1) / math.sqrt(lost.size)))
        rows.append(
            _row(
                f"complaints' cost, % of 3-year discounted margin, 5 % dissatisfied, "
                f"local_share {local:g} (Goldenberg et al. 2007)",
                "95 % interval above 0",
                lost,
                low > 0,
                f"emergent: [{low:.1f}, {high:.1f}] % vs silent detractors (talk, reviews, "
                "attitudes and relays, reputation.negative_dropout)",
                0.0,
            )
        )
    rows.append(
        _row(
            "complaints' cost grows with the weak ties (local_share 0.9 -> 0.7 -> 0.5)",
            "monotone",
            np.array(means),
            bool(means[0] <= means[1] <= means[2]),
            # Each level is its own town, so the levels are not paired: the SEs say how
            # far apart the means must be before the order means anything.
            "emergent: "
            + ", ".join(f"{m:.1f} +- {e:.1f} %" for m, e in zip(means, errors, strict=True)),
        )
    )
    return rows


def _shrinkage_row() -> CheckResult:
    reviews = cfg.Reviews(post_probability=0.02)
    count = np.array([1, 10, 100, 1000])
    rating = shown_rating(count * 5.0, count, reviews)
    exact = (count * 5.0 + reviews.prior_weight * reviews.prior_rating) / (
        count + reviews.prior_weight
    )
    worst = float(np.abs(rating - exact).max())
    return _row(
        "shown rating with every review 5 stars: (N 5 + k0 s0) / (N + k0)",
        "exact",
        np.array([worst]),
        worst == 0.0,
        "by construction: reputation.reviews.prior_weight, prior_rating",
        0.0,
    )


def _cascade_row(seed: int) -> CheckResult:
    """Shares per first share of a Galton-Watson reshare cascade, b = 0.5: 1 / (1 - b)."""
    rng = np.random.default_rng(seed)
    size, k, reach, b, first = 50_000, 20, 0.25, 0.5, 10_000
    indptr, indices = np.arange(0, size * k + 1, k), rng.integers(0, size, size * k)
    out = reshare_cascade(
        indptr,
        indices,
        rng.integers(0, size, first),
        size,
        reach,
        np.full(size, b / (k * reach)),
        1000,
        rng,
    )
    shares = sum(sharers.size for sharers, _, _ in out) / first
    q = b / k
    se = math.sqrt(k * q * (1 - q) / (1 - b) ** 3 / first)
    return CheckResult(
        "reputation",
        "reshares per first share, offspring mean b = 0.5, no cap [1 / (1 - b) = 2]",
        2.0,
        0.0,
        shares,
        se,
        first,
        abs(shares - 2.0) <= 3 * se,
        "closed form (Galton-Watson); engine.page.reshare_cascade",
    )
