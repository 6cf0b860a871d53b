"""The checks of ``wom check-model`` at full size, one test per check group.

Each group runs once (module-scoped fixtures) at :data:`simulator.validation.FULL` sizes
and seed 2026. Tolerances are those of the checks (see :mod:`simulator.validation`): the
published ones for the Bass targets (max |F - F_Bass| <= 0.01, t* within 0.2, F(t*)
within 0.02, docs/CALIBRATION.md section 9), 3 standard errors of the Monte Carlo estimate
for one number (combined with the peer's own standard error for peers) and 4 standard
errors per year for the discrete Bass curve. Replicates: 50 (Bass), 40 graphs x 5 runs
(percolation), 4,000 (exact), 2,000 for the simulator and cynetdiff and 200 for NDlib
(peers).

Peer checks are skipped only when the peer is not importable and the environment
variable CI is not "true"; under CI=true a missing peer fails.
"""

from __future__ import annotations

import functools
import os

import pytest

from simulator import validation


def _run(group: str) -> list[validation.CheckResult]:
    return validation.run_checks(only=[group])


def _assert_all_pass(rows: list[validation.CheckResult]) -> None:
    assert rows, "the check group produced no rows"
    failed = [row for row in rows if row.passed is not True]
    assert not failed, "\n" + validation.format_table(failed)


def require_peer(peer: str) -> None:
    """Skip when ``peer`` is missing, except under CI=true, where a missing peer fails."""
    if validation.peer_available(peer):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"{peer} is not importable but CI=true: install the peers extra "
            f"(pip install '.[peers]')"
        )
    pytest.skip(f"{peer} is not installed (pip install cynetdiff ndlib six)")


@pytest.mark.slow
def test_bass_rule_on_a_well_mixed_layer_docks_with_the_bass_curve():
    rows = _run("bass")
    assert len(rows) == 3  # max |F - F_Bass|, t*, F(t*)
    _assert_all_pass(rows)


def test_bass_rule_with_one_year_steps_follows_the_discrete_hazard_map():
    rows = _run("bass-discrete")
    assert len(rows) == 2  # well-mixed alone, and with an empty graph layer
    _assert_all_pass(rows)
    for row in rows:  # ... and not the continuous curve: the detail says how far it is.
        lag = float(row.detail.rsplit("is ", 1)[1].split()[0])
        assert lag > 0.05


@pytest.mark.slow
def test_independent_rule_on_erdos_renyi_graphs_matches_percolation():
    _assert_all_pass(_run("percolation"))


def test_cascades_on_a_path_and_a_star_match_exact_expectations():
    _assert_all_pass(_run("exact"))


@pytest.fixture(scope="module")
def peer_rows() -> list[validation.CheckResult]:
    return _run("peers")


@pytest.mark.slow
@pytest.mark.parametrize("peer", ["cynetdiff", "ndlib"])
def test_cascades_agree_with_peer_tools(peer, peer_rows):
    require_peer(peer)
    name = {"cynetdiff": "cynetdiff", "ndlib": "NDlib"}[peer]
    rows = [row for row in peer_rows if f" vs {name} " in row.check]
    # IC at p = 0.01, 0.05, 0.1 against both peers, and LT against cynetdiff, per method;
    # IC with per-edge probabilities (weighted cascade, trivalency) against cynetdiff, by
    # the kernel only.
    per_edge = 2 if peer == "cynetdiff" else 0
    assert (
        len(rows)
        == (4 if peer == "cynetdiff" else 3) * len(validation._implementations()) + per_edge
    )
    _assert_all_pass(rows)


@functools.cache
def _reputation_rows() -> tuple[validation.CheckResult, ...]:
    """The reputation group, run once for the tests below (about 100 s here)."""
    return tuple(_run("reputation"))


@pytest.mark.slow
def test_reputation_rows_pass_under_the_realistic_presets():
    """Issue 15's calibration targets at full size (80 replicates a strategy, seed 2026):
    shrinkage, reshares, Luca's +1 star and replies (calibrated), complaints at three
    weak-tie levels and relationships vs fan count (emergent)."""
    rows = _reputation_rows()
    assert len(rows) == 9
    assert rows[2].detail.startswith("calibrated: reputation.reviews.star_effect")
    assert rows[3].detail.startswith("calibrated: reputation.reply_negative_posting")
    assert all(row.detail.startswith("emergent") for row in rows[4:])
    # Complaints cost a clear share of three-year discounted margin with 5 % dissatisfied
    # adopters at every weak-tie level, as the issue states the target (3.9 +- 1.0,
    # 6.2 +- 1.0, 4.3 +- 0.9 % at local_share 0.9, 0.7, 0.5). Measured over 12 months
    # with REALISTIC's 10 % detractors instead, the cost at 0.5 was not clear
    # (1.6 +- 1.5 %). The monotone row is a known failure (why: the docstring below).
    _assert_all_pass([row for index, row in enumerate(rows) if index != 7])


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="emergent and not reproduced: rejection needs about three complaints (a complex "
    "contagion), which clustered ties favour; the levels differ by about one SE",
)
def test_complaints_cost_grows_with_the_weak_ties():
    """Goldenberg et al. 2007: bad word of mouth costs more with more weak ties. Measured
    on three years of discounted margin with 5 % dissatisfied adopters (80 replicates a
    strategy, seed 2026, 2026-12-03): 3.9 +- 1.0, 6.2 +- 1.0, 4.3 +- 0.9 % at
    local_share 0.9, 0.7, 0.5; 7.1 +- 1.1, 4.1 +- 1.5, 2.9 +- 1.3 % with 40 replicates.
    Over 12 months with 10 % detractors (2026-12-02): 6.1 +- 1.4, 4.1 +- 1.5,
    4.3 +- 1.2 % (seed 2026); 4.0 +- 1.3, 2.9 +- 1.5, 2.6 +- 1.6 % (seed 7); with
    interest homophily (0.3) 5.2 +- 1.5, 4.1 +- 1.2, 1.6 +- 1.5 % (seed 2026). Why, from
    what was ruled out (before the homophily, 12 months):

    - the number of ties does not change with local_share (distinct ties: 23.15 a person
      at 0.9, 0.7 and 0.5); only where the weak ones go does;
    - the baseline does not move: silent detractors give 8,340, 8,226 and 8,257 EUR
      (seed 2026), so positive word of mouth does not grow faster with the weak ties;
    - a complaint moves an attitude by ``message_weight`` whatever the tie it comes over,
      so bad word of mouth travels on weak ties at full weight (G4 has no trust there);
    - what falls with the weak ties is the number of rejecters (28, 24, 23 a run; seed
      7: 31, 24, 22): rejection needs an attitude below -0.5, about three complaints
      (MODEL-REVIEW G4), a complex contagion, which clustered neighbourhoods favour and
      long ties spread thin (Centola & Macy 2007). Goldenberg et al.'s rejection takes one
      message; here one complaint that rejects (rejection_threshold 0.15) makes rejection
      spread through the whole town at every level (86.7, 86.8, 87.1 %), so no gradient
      is left to see; without the rejecters' relays as well, rejecters rise a little
      with the weak ties (443, 444, 450; seed 7: 439, 448, 451), as a simple contagion's
      should, but the cost stays within noise (8.6, 8.3, 8.4 %; seed 7: 7.0, 5.7, 8.6 %,
      SE 1.2-1.5): a detractor's own complaints reach as many people wherever her ties
      go, and only second-hand spread can gain from long ties.

    The mechanisms do what G4 says; the levels are separate towns (not paired), and their
    differences are about one SE. No parameter is tuned to make the row pass.
    """
    rows = _reputation_rows()
    assert "grows with the weak ties" in rows[7].check
    _assert_all_pass([rows[7]])
