"""Figures: what they draw equals the results, colours are consistent, labels have units,
both languages work, and the network trace is the run the results report.

Runs a village of 600 people for 30 days (6 replicates) once per module, about 2 s.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator import config as cfg
from simulator import metrics
from simulator.engine import adoption
from simulator.engine.run import simulate
from simulator.engine.trace import STATES, trace, village
from simulator.views import figures as plots
from simulator.views.i18n import GLOSSARY, SOURCE_LABELS, TEXT, source_label, term
from tests.conftest import small_scenario

SIMULATOR = Path(__file__).resolve().parents[1] / "simulator"


@pytest.fixture(scope="module")
def result():
    return simulate(small_scenario())


@pytest.fixture(scope="module")
def grouped():
    """Two groups (20 and 60 samples) of three seeding strategies."""
    data = small_scenario(replicates=4).model_dump()
    data["channels"] = {"samples": data["channels"]["free_samples"]}
    data["strategies"] = [
        {
            "name": f"{k} samples: {who}",
            "channels": ["samples"],
            "set": {"channels.samples.budget": 10.0 * k, "channels.samples.strategy": who},
        }
        for k in (20, 60)
        for who in ("random", "degree", "pagerank")
    ]
    return simulate(cfg.validate_scenario(data))


@pytest.fixture(scope="module")
def history():
    return trace(village(small_scenario(), "word of mouth", size=150))


@pytest.fixture(scope="module")
def positions(history):
    return plots.layout_positions(history)


def _figures(result, history, positions, lang="en"):
    return {
        "adoption": plots.adoption_curves(result, lang=lang),
        "reach": plots.reach_vs_cost(result, lang=lang),
        "cost": plots.cost_per_adoption(result, lang=lang),
        "attribution": plots.attribution(result, lang=lang),
        "conversion": plots.conversion_per_contact(result, lang=lang),
        "difference": plots.paired_differences(result, lang=lang),
        "bars": plots.metric_bars(
            result, "detractors", title="Unhappy", axis="unhappy (people)", lang=lang
        ),
        "network": plots.network_picture(history, positions=positions, lang=lang),
        "animation": plots.spread_animation(history, frames=6, positions=positions, lang=lang),
    }


def test_every_figure_is_titled_with_labelled_axes_and_never_shown(
    result, history, positions, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("figures must not be shown")

    monkeypatch.setattr(go.Figure, "show", refuse)
    units = ("(€)", "(people)", "days", "contacts")
    for name, fig in _figures(result, history, positions).items():
        assert isinstance(fig, go.Figure), name
        assert fig.layout.title.text, name
        if name in ("network", "animation"):
            continue  # positions have no unit; the axes are hidden
        titles = [axis.title.text or "" for axis in (fig.layout.xaxis, fig.layout.yaxis)]
        assert any(any(u in t for u in units) for t in titles), (name, titles)


def test_colours_follow_channels_and_agree_across_figures(result):
    styles = plots.strategy_styles(result)
    assert [s.color for s in styles] == [
        plots.CHANNEL_COLORS[k]
        for k in ("seeding", "newspaper", "advertising/radio", "social_ads/facebook", "social_page")
    ] + [plots.BASELINE_COLOR]  # no campaign
    curves = plots.adoption_curves(result)
    lines = [t for t in curves.data if t.mode == "lines" and t.line.dash != "dot"]
    assert [t.line.color for t in lines] == [s.color for s in styles]
    spreads = [t for t in curves.data if t.line.dash == "dot"]
    assert [t.line.color for t in spreads] == [s.color for s in styles]
    reach = plots.reach_vs_cost(result)
    assert [t.marker.color for t in reach.data] == [s.color for s in styles]
    assert list(plots.cost_per_adoption(result).data[0].marker.color) == [s.color for s in styles]


def test_grouped_strategies_share_item_colours_and_get_one_panel_per_group(grouped):
    styles = plots.strategy_styles(grouped)
    assert [s.group for s in styles] == ["20 samples"] * 3 + ["60 samples"] * 3
    # Three seeding strategies cannot be told apart by channel: the palette, by item.
    assert [s.color for s in styles[:3]] == [s.color for s in styles[3:]]
    assert len({s.color for s in styles}) == 3
    curves = plots.adoption_curves(grouped)
    assert {t.xaxis for t in curves.data} == {"x", "x2"}
    assert sum(bool(t.showlegend) for t in curves.data) == 3  # one legend entry per item
    bars = plots.cost_per_adoption(grouped).data[0]
    assert [list(level) for level in bars.x] == [
        ["20 samples"] * 3 + ["60 samples"] * 3,
        ["random", "degree", "pagerank"] * 2,
    ]
    # Paired differences are taken within a group (groups may be different towns).
    differences = plots.paired_differences(grouped).data[0].x
    best = plots.best_by_group(grouped)
    for style, difference in zip(styles, differences, strict=True):
        assert (difference == 0) == (best[style.group] == style.name)
        assert difference <= 0


def test_bands_bars_and_stacks_equal_the_metrics(result):
    summary = result.to_frame("summary").set_index("strategy")
    curves = plots.adoption_curves(result)
    bands = [t for t in curves.data if t.fill == "toself"]
    steps = result.days.size
    for band, strategy in zip(bands, result.strategies, strict=True):
        upper, lower = np.asarray(band.y[:steps]), np.asarray(band.y[steps:])[::-1]
        _mean, low, high = metrics.mean_interval(strategy.series["adopters"][:, -1])
        assert (upper[-1], lower[-1]) == pytest.approx((high, low))
        assert np.all(upper >= lower - 1e-9)
    # the dotted prediction band: 5th and 95th percentiles of single runs, step by step
    spreads = [t for t in curves.data if t.line.dash == "dot"]
    for spread, strategy in zip(spreads, result.strategies, strict=True):
        low, high = np.percentile(strategy.series["adopters"], [5, 95], axis=0)
        y = np.asarray(spread.y, float)
        np.testing.assert_allclose(y[:steps], low)
        assert np.isnan(y[steps])
        np.testing.assert_allclose(y[steps + 1 :], high)
    cost = plots.cost_per_adoption(result).data[0]
    np.testing.assert_allclose(
        np.asarray(cost.y, float), summary["cost_per_adoption"].to_numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(
        np.asarray(cost.y, float) + np.asarray(cost.error_y.array, float),
        summary["cost_per_adoption_high"].to_numpy(),
        rtol=1e-9,
    )
    # Every adoption is tipped by exactly one source: the stacks add up to the adopters.
    stacks = sum(np.asarray(t.y, float) for t in plots.attribution(result).data)
    np.testing.assert_allclose(stacks, summary["adopters"].to_numpy(), rtol=1e-12)
    reach = plots.reach_vs_cost(result)
    assert [t.y[0] for t in reach.data] == pytest.approx(summary["reach"].tolist())


def test_equal_budget_line_only_when_budgets_are_equal(result):
    assert plots.reach_vs_cost(result).layout.shapes[0].x0 == 1000.0
    data = result.scenario.model_dump()
    data["strategies"][0]["set"] = {"channels.free_samples.budget": 500.0}
    data["simulation"]["replicates"] = 2
    unequal = simulate(cfg.validate_scenario(data))
    assert not plots.reach_vs_cost(unequal).layout.shapes


def test_spanish_figures(result, history, positions):
    curves = plots.adoption_curves(result, lang="es")
    assert curves.layout.separators == ",."
    assert curves.layout.xaxis.title.text == "días"
    assert next(t.name for t in curves.data if t.showlegend) == "boca a boca"
    attribution = plots.attribution(result, lang="es")
    assert source_label("free_sample", "es") in [t.name for t in attribution.data]
    animation = plots.spread_animation(history, frames=4, positions=positions, lang="es")
    assert "Reproducir" in animation.layout.updatemenus[0].buttons[0].label
    assert "cliente satisfecho" in [t.name for t in animation.data]


def test_translations_are_complete_and_fill_the_same_placeholders():
    import string

    for key, texts in TEXT.items():
        assert set(texts) == {"en", "es"}, key
        fields = [
            sorted(f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f)
            for lang in ("en", "es")
        ]
        assert fields[0] == fields[1], key
        assert all(texts[lang].strip() for lang in ("en", "es")), key
    assert set(SOURCE_LABELS) == set(cfg.SOURCE_TYPES)
    assert term("fashion shop: instagram ads", "es") == "tienda de moda: anuncios en Instagram"
    assert term("unknown: thing", "es") == "unknown: thing"
    assert all(GLOSSARY.values())


def test_trace_is_replicate_zero_of_the_reported_run():
    scenario = small_scenario(replicates=5, block_size=3, steps=25)
    reported = simulate(scenario)
    for name in ("word of mouth", "social page"):
        history = trace(scenario, name)
        series = reported.strategy(name).series
        states = history.states
        np.testing.assert_array_equal(
            (states >= adoption.PROMOTER).sum(axis=1), series["adopters"][0]
        )
        np.testing.assert_array_equal((states != adoption.UNAWARE).sum(axis=1), series["aware"][0])
        np.testing.assert_array_equal(
            (states == adoption.DETRACTOR).sum(axis=1), series["detractors"][0]
        )
        # nobody forgets: once aware, a person never becomes unaware again
        aware = states != adoption.UNAWARE
        assert np.all(aware[1:] >= aware[:-1])


def test_village_keeps_each_person_s_exposure():
    scenario = cfg.default_scenario()
    small = village(scenario, "social page", size=500)
    assert small.population.size == 500
    assert small.channels["facebook_page"].followers == 50
    assert small.channels["facebook_page"].budget == 1000.0  # a post costs the same
    assert village(scenario, "social ads", size=500).channels["facebook_ads"].budget == 100.0
    with pytest.raises(ValueError, match="no strategy 'nope'"):
        village(scenario, "nope")


def test_network_frames_place_everyone_and_start_on_day_zero(history, positions):
    animation = plots.spread_animation(history, frames=7, positions=positions)
    people = history.size
    for frame in animation.frames:
        assert sum(len(trace.x) for trace in frame.data) == people
    last = animation.frames[-1].data
    counts = [len(t.x) for t in last]
    assert counts == [int(history.counts(state)[-1]) for state in STATES]
    # the figure first shows day 0, the same as the first frame, with its counter
    assert animation.layout.sliders[0].active == 0
    first = [int(history.counts(state)[0]) for state in STATES]
    shown = [t for t in animation.data if t.mode == "markers"]
    assert [len(t.x) for t in shown] == first == [len(t.x) for t in animation.frames[0].data]
    customers = int(history.counts(adoption.PROMOTER)[-1] + history.counts(adoption.DETRACTOR)[-1])
    counter = animation.frames[-1].layout.annotations[0].text
    assert counter.endswith(f"{customers} customers"), counter
    # family and friends drawn; acquaintances and online ties a legend click away
    lines = {t.name: t.visible for t in animation.data if t.mode == "lines"}
    assert lines.pop("family and close friends") is True
    assert lines and set(lines.values()) == {"legendonly"}
    picture = plots.network_picture(history, step=0, positions=positions)
    markers = [t for t in picture.data if t.mode == "markers"]
    assert len(markers[0].x) == int(history.counts(adoption.UNAWARE)[0])
    edges = [t for t in picture.data if t.mode == "lines"]
    assert edges and all(np.isnan(np.asarray(t.x, float)[2::3]).all() for t in edges)


def test_plotly_is_imported_only_by_plotting_modules():
    for name in ("report.py", "trace.py", "i18n.py", "engine.py", "results.py", "metrics.py"):
        path = SIMULATOR / name
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(module.startswith("plotly") for module in imported), name
