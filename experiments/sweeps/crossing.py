"""Read the newspaper-vs-word-of-mouth sweep and print where word of mouth becomes cheaper.

Usage (after ``wom sweep experiments/sweeps/newspaper_vs_word_of_mouth.toml --intervals --csv``):

    python experiments/sweeps/crossing.py [SWEEP_FOLDER or SUMMARY.csv]

For each level of trust in friends it prints the cost per adoption of both strategies over
the budgets swept, and the budget at which word of mouth becomes cheaper than the newspaper
per 1,000 people reached (linear interpolation between the two budgets whose mean
difference changes sign), with the 95 % intervals at those two budgets.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
TRUST = "trust.word_of_mouth"
BUDGET = "channels.free_samples.budget"


def load(folder: Path) -> pd.DataFrame:
    if folder.suffix == ".csv":  # e.g. the committed results/ extract
        return pd.read_csv(folder)
    for name in ("summary.csv", "summary.parquet"):
        if (folder / name).exists():
            read = pd.read_csv if name.endswith(".csv") else pd.read_parquet
            return read(folder / name)
    raise SystemExit(f"{folder}: no summary table; run the sweep with --intervals first")


def interval(row: pd.Series, metric: str) -> str:
    return f"{row[metric]:.0f} [{row[f'{metric}_low']:.0f}, {row[f'{metric}_high']:.0f}]"


def crossing(wom: pd.DataFrame, paper: pd.DataFrame, metric: str) -> str:
    """Budget where word of mouth's ``metric`` drops below the newspaper's."""
    budgets = wom[BUDGET].to_numpy(float)
    difference = wom[metric].to_numpy() - paper[metric].to_numpy()
    if (difference < 0).all():
        return f"word of mouth cheaper from {budgets[0]:.0f} EUR"
    if (difference > 0).all():
        return f"newspaper cheaper up to {budgets[-1]:.0f} EUR"
    first = next(i for i in range(1, len(budgets)) if difference[i - 1] > 0 >= difference[i])
    a, b = budgets[first - 1], budgets[first]
    at = a + (b - a) * difference[first - 1] / (difference[first - 1] - difference[first])
    around = "; ".join(
        f"{budgets[i]:.0f} EUR: word of mouth {interval(wom.iloc[i], metric)}, "
        f"newspaper {interval(paper.iloc[i], metric)}"
        for i in (first - 1, first)
    )
    return f"{at:.0f} EUR ({around})"


KEPT = ("reach", "adopters", "cost", "cost_per_adoption", "cost_per_1000_reached")
"""Metrics kept in the committed extract (results/), each with its 95 % interval."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sweep",
        nargs="?",
        type=Path,
        default=HERE / "newspaper_vs_word_of_mouth-sweep",
        help="sweep folder (with summary.csv or .parquet) or a summary CSV",
    )
    parser.add_argument("--extract", type=Path, help="also write the headline columns here")
    args = parser.parse_args()
    summary = load(args.sweep).sort_values([TRUST, BUDGET], kind="stable")
    if args.extract is not None:
        columns = ["cell", TRUST, BUDGET, "channels.newspaper.budget", "strategy", "replicates"]
        columns += [f"{m}{s}" for m in KEPT for s in ("", "_low", "_high")]
        summary.sort_values(["cell"], kind="stable")[columns].to_csv(
            args.extract, index=False, float_format="%.6g"
        )
    for trust, rows in summary.groupby(TRUST, sort=True):
        wom = rows[rows["strategy"] == "word of mouth"].reset_index(drop=True)
        paper = rows[rows["strategy"] == "newspaper"].reset_index(drop=True)
        ratio = paper["cost_per_adoption"] / wom["cost_per_adoption"]
        print(f"trust in friends {trust:g}")
        print(
            f"  EUR per adoption: word of mouth {wom['cost_per_adoption'].min():.2f} to "
            f"{wom['cost_per_adoption'].max():.2f}, newspaper "
            f"{paper['cost_per_adoption'].min():.0f} to {paper['cost_per_adoption'].max():.0f} "
            f"({ratio.min():.0f} to {ratio.max():.0f} times dearer)"
        )
        print(
            f"  per 1,000 reached, word of mouth cheaper from: {crossing(wom, paper, 'cost_per_1000_reached')}"
        )


if __name__ == "__main__":
    main()
