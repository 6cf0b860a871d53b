"""The town as a picture: a force layout of people, their ties and the spread over time.

:func:`layout_positions` places people, :func:`network_picture` draws one step of a
:class:`~simulator.engine.trace.Trace` and :func:`spread_animation` plays every step.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

from simulator.engine.trace import STATE_KEYS, STATES, Trace
from simulator.town.network import Tie
from simulator.views.i18n import number, term, text
from simulator.views.style import LAYER_COLORS, PALETTE, STATE_COLORS, figure_layout

__all__ = ["layout_positions", "network_picture", "spread_animation"]


def layout_positions(history: Trace, *, seed: int = 1, iterations: int = 50) -> np.ndarray:
    """2-D positions of people: a force layout in which strong offline ties (household,
    close friends) pull hard and acquaintances gently, so that circles of friends show;
    towns without a market layer use all their ties.

    The Fruchterman-Reingold (1991) algorithm with a cooling step, as in networkx's
    ``spring_layout``, written over dense coordinate differences: the town drawn in a
    report has at most a few hundred people, and this keeps networkx (0.3 s to import)
    out of every ``wom run``.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.trace import trace, village
    >>> positions = layout_positions(trace(village(default_scenario(), size=100)))
    >>> positions.shape, bool(np.abs(positions).max() <= 1.0)
    ((100, 2), True)
    """
    size = history.size
    layers = [layer for layer in history.network.layers if not layer.well_mixed]
    market = [layer for layer in layers if layer.config.kind == "market"]
    # float32: a drawing needs no more, and it halves the time of the dense n x n steps.
    attraction = np.zeros((size, size), np.float32)
    for layer in market or layers:
        sources = np.repeat(np.arange(layer.size), np.diff(layer.indptr))
        weights = np.where(layer.tie == Tie.WEAK, 0.1, 1.0) if market else np.ones(layer.edges)
        np.maximum.at(attraction, (sources, layer.indices), weights.astype(np.float32))
    attraction = np.maximum(attraction, attraction.T)  # ties pull both ways

    rng = np.random.default_rng(seed)
    x, y = rng.random(size, np.float32), rng.random(size, np.float32)
    optimal = np.float32(math.sqrt(1.0 / max(size, 1)))  # natural distance between neighbours
    temperature = 0.1  # the largest move, cooled linearly to 0
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        squared = np.maximum(dx * dx + dy * dy, np.float32(1e-4))
        # Every pair repels (k^2 / d), tied pairs also attract (w d^2 / k); per unit vector.
        force = optimal * optimal / squared - attraction * np.sqrt(squared) / optimal
        move_x, move_y = (dx * force).sum(axis=1), (dy * force).sum(axis=1)
        length = np.hypot(move_x, move_y)
        step = np.float32(temperature) / np.where(length < 0.01, np.float32(0.1), length)
        x += move_x * step
        y += move_y * step
        temperature -= cooling
    positions = np.column_stack([x, y]).astype(np.float64)
    positions -= positions.mean(axis=0)
    extent = np.abs(positions).max()
    return positions / extent if extent > 0 else positions


def _edge_traces(
    history: Trace,
    positions: np.ndarray,
    lang: str,
    max_edges: int,
    *,
    close_ties_only: bool = False,
) -> list[go.Scatter]:
    """Lines for ties: offline strong and weak ties, and each platform's online-only ties
    (platform ties that copy an offline tie are already drawn as that tie). With
    ``close_ties_only`` the acquaintances and online ties start hidden (a click on their
    legend entry shows them), so households and friendships stay legible."""
    rng = np.random.default_rng(0)  # which ties to draw when there are too many
    traces = []
    for index, layer in enumerate(history.network.layers):
        if layer.well_mixed or layer.edges == 0:
            continue
        sources = np.repeat(np.arange(layer.size), np.diff(layer.indptr))
        targets = layer.indices.astype(np.int64)
        color = LAYER_COLORS.get(layer.name, PALETTE[index % len(PALETTE)])
        # Which ties to draw: (tie kind or None for all, legend name, opacity, most lines).
        kinds: list[tuple[Tie | None, str, float, int]]
        if layer.config.kind == "market":
            kinds = [
                (Tie.STRONG, text("ties_strong", lang), 0.5, max_edges),
                (Tie.WEAK, text("ties_weak", lang), 0.25, max_edges // 4),
            ]
        elif layer.config.kind == "platform":
            name = text("ties_online", lang, layer=term(layer.name, lang))
            kinds = [(Tie.ONLINE, name, 0.35, max_edges // 8)]
        else:
            name = text("ties_shown", lang, layer=term(layer.name, lang))
            kinds = [(None, name, 0.3, max_edges)]
        for tie, name, opacity, most in kinds:
            hidden = close_ties_only and tie is not None and tie != Tie.STRONG
            keep = sources < targets  # one line per pair of people
            if tie is not None:
                keep &= layer.tie == tie
            pair_sources, pair_targets = sources[keep], targets[keep]
            if pair_sources.size > most:
                chosen = np.sort(rng.choice(pair_sources.size, most, replace=False))
                pair_sources, pair_targets = pair_sources[chosen], pair_targets[chosen]
            if pair_sources.size == 0:
                continue
            x = np.full(pair_sources.size * 3, np.nan)
            y = np.full(pair_sources.size * 3, np.nan)
            x[0::3], x[1::3] = positions[pair_sources, 0], positions[pair_targets, 0]
            y[0::3], y[1::3] = positions[pair_sources, 1], positions[pair_targets, 1]
            traces.append(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    line={"color": color, "width": 0.8},
                    opacity=opacity,
                    hoverinfo="skip",
                    name=name,
                    legendgroup="ties",
                    visible="legendonly" if hidden else True,
                )
            )
    return traces


def _segment_labels(history: Trace, lang: str) -> np.ndarray:
    """Each person's segment name in ``lang`` (hover text of the dots)."""
    names = np.array([term(n, lang) for n in history.scenario.population.segment_names])
    return names[history.segment]


def _people_by_state(
    history: Trace, positions: np.ndarray, step: int, labels: np.ndarray
) -> list[dict[str, np.ndarray]]:
    """Per state of :data:`STATES`, where its people are at ``step`` and their hover text:
    what moves between animation frames."""
    states = history.states[step]
    moving = []
    for state in STATES:
        people = np.flatnonzero(states == state)
        moving.append(
            {"x": positions[people, 0], "y": positions[people, 1], "customdata": labels[people]}
        )
    return moving


def _state_traces(history: Trace, positions: np.ndarray, step: int, lang: str) -> list[go.Scatter]:
    """Dots for people, one trace per state, coloured by state."""
    where = _people_by_state(history, positions, step, _segment_labels(history, lang))
    traces = []
    for state, people in zip(STATES, where, strict=True):
        key = STATE_KEYS[state]
        traces.append(
            go.Scatter(
                **people,
                mode="markers",
                name=text(f"state_{key}", lang),
                marker={
                    "color": STATE_COLORS[key],
                    "size": 9 if state >= STATES[3] else 7,
                    "line": {"color": "white", "width": 0.5},
                },
                hovertemplate=f"%{{customdata}}: {text(f'state_{key}', lang)}<extra></extra>",
                legendgroup="states",
            )
        )
    return traces


def _network_layout(fig: go.Figure, title: str, lang: str, note: str | None = None) -> go.Figure:
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    return figure_layout(
        fig,
        title,
        note,
        lang,
        height=640,
        legend={"itemsizing": "constant", "x": 1.0, "xanchor": "left", "y": 1.0},
        plot_bgcolor="white",
    )


def network_picture(
    history: Trace,
    *,
    step: int | None = None,
    positions: np.ndarray | None = None,
    lang: str = "en",
    max_edges: int = 1200,
) -> go.Figure:
    """People as dots coloured by state at one step (the last by default), over their
    ties coloured by layer (at most ``max_edges`` strong ties drawn, fewer of the others).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.trace import trace, village
    >>> fig = network_picture(trace(village(default_scenario(), size=100)))
    >>> [t.name for t in fig.data][-2:]
    ['satisfied customer', 'unhappy customer']
    """
    step = history.states.shape[0] - 1 if step is None else step
    positions = layout_positions(history) if positions is None else positions
    fig = go.Figure(
        _edge_traces(history, positions, lang, max_edges)
        + _state_traces(history, positions, step, lang)
    )
    day = text("day_n", lang, day=float(history.days[step]))
    title = text("fig_network", lang, day=day, strategy=term(history.strategy, lang))
    return _network_layout(fig, title, lang)


def _player(labels: list[str], lang: str) -> dict[str, list[dict[str, Any]]]:
    """Play and pause buttons and a day slider (on day 0) over frames ``labels``."""
    play = {"frame": {"duration": 250, "redraw": False}, "transition": {"duration": 0}}
    return dict(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "pad": {"b": 4},
                "buttons": [
                    {
                        "label": f"▶ {text('play', lang)}",
                        "method": "animate",
                        "args": [None, {**play, "fromcurrent": False, "mode": "immediate"}],
                    },
                    {
                        "label": f"❚❚ {text('pause', lang)}",
                        "method": "animate",
                        "args": [[None], {**play, "mode": "immediate"}],
                    },
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "currentvalue": {"prefix": f"{text('day', lang)} "},
                "pad": {"t": 30},
                "steps": [
                    {
                        "label": label,
                        "method": "animate",
                        "args": [[label], {**play, "mode": "immediate"}],
                    }
                    for label in labels
                ],
            }
        ],
    )


def _day_counts(history: Trace, step: int, lang: str) -> dict[str, Any]:
    """The frame's counter in the top-left corner: the day, who has heard of the product
    and how many are customers (satisfied or not)."""
    states = history.states[step]
    customers = int(np.isin(states, STATES[3:]).sum())
    heard = int((states != STATES[0]).sum())
    label = text(
        "spread_counts",
        lang,
        day=number(float(history.days[step]), lang, 0),
        heard=number(heard, lang, 0),
        customers=number(customers, lang, 0),
    )
    return {
        "text": label,
        "x": 0.0,
        "y": 1.0,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "align": "left",
        "bgcolor": "rgba(255, 255, 255, 0.85)",
        "font": {"size": 13},
    }


def spread_animation(
    history: Trace,
    *,
    frames: int = 31,
    positions: np.ndarray | None = None,
    lang: str = "en",
    max_edges: int = 1200,
) -> go.Figure:
    """An animation of the spread: one plotly frame per sampled step, with play and
    pause buttons and a day slider, starting on day 0.

    The subtitle says what to notice; a counter in the corner gives, frame by frame, the
    day, who has heard of the product and the customers. Only family and close friends
    are drawn at first (acquaintances and online ties are a legend click away), so a
    village of a few hundred people stays legible.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.trace import trace, village
    >>> fig = spread_animation(trace(village(default_scenario(), size=100)), frames=5)
    >>> len(fig.frames), fig.layout.sliders[0].active
    (5, 0)
    >>> fig.layout.annotations[0].text
    'day 0: 0 have heard of it, 0 customers'
    """
    positions = layout_positions(history) if positions is None else positions
    last = history.states.shape[0] - 1
    steps = np.unique(np.linspace(0, last, min(frames, last + 1)).round().astype(int))
    edges = _edge_traces(history, positions, lang, max_edges, close_ties_only=True)
    first_state = len(edges)
    state_indices = list(range(first_state, first_state + len(STATES)))
    fig = go.Figure(edges + _state_traces(history, positions, int(steps[0]), lang))
    labels = [number(float(history.days[s]), lang, 0) for s in steps]
    segment_labels = _segment_labels(history, lang)
    frame_list = []
    for step, label in zip(steps, labels, strict=True):
        # Frames carry only what moves (who is where, the counter); style stays with traces.
        data = [
            {"type": "scatter", **people}
            for people in _people_by_state(history, positions, step, segment_labels)
        ]
        frame_list.append(
            {
                "data": data,
                "traces": state_indices,
                "name": label,
                "layout": {"annotations": [_day_counts(history, int(step), lang)]},
            }
        )
    fig.frames = frame_list
    fig.update_layout(
        **_player(labels, lang), annotations=[_day_counts(history, int(steps[0]), lang)]
    )
    title = text("fig_spread", lang, strategy=term(history.strategy, lang))
    return _network_layout(fig, title, lang, note=text("fig_spread_note", lang))
