"""Open every experiment's report in headless Chromium: each figure is drawn, no script
error shows, nothing is fetched from the network, and the page does not look blank.

Each experiment runs in a quick version (300 people, 20 days, 3 replicates) through
``wom run --out``, half of them with ``--lang es``; Chromium renders the reports two at a
time while the next experiments run (about 30 s in all). CI installs Chromium (.ci/run);
without it this test fails under ``CI=true`` and is skipped elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from simulator.cli import main

EXPERIMENTS = sorted((Path(__file__).resolve().parents[1] / "experiments").glob("*.toml"))
QUICK = [
    "--set",
    "population.size=300",
    "--set",
    "simulation.steps=20",
    "--replicates",
    "3",
    "--quiet",
]
WINDOW = (1200, 3000)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    # Any host name fails to resolve: a report that needed the network would break here.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
    "--virtual-time-budget=10000",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    message = "chromium is not installed (Debian: apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _open(chromium: str, page: Path, screenshot: Path, profile: Path) -> subprocess.Popen:
    """Start Chromium on ``page``: it prints the DOM after scripts ran and saves a PNG."""
    return subprocess.Popen(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={screenshot}",
            "--dump-dom",
            page.as_uri(),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _check(name: str, page: Path, dom: str, screenshot: Path) -> None:
    declared = int(re.search(r'data-figures="(\d+)"', page.read_text(encoding="utf-8")).group(1))
    assert declared >= 6, name
    # plotly draws each figure into three <svg class="main-svg"> layers; the first, the
    # paper, carries the background: one per figure that rendered.
    papers = re.findall(r'<svg class="main-svg"[^>]*style="background:', dom)
    assert len(papers) == declared, (name, len(papers), declared)
    assert dom.count("js-plotly-plot") >= declared, name
    assert '<p class="wom-error"' not in dom, (name, re.findall(r'wom-error">([^<]*)', dom))
    assert "Error" not in re.sub(r"<script.*?</script>|<style.*?</style>", "", dom, flags=re.S)
    image = np.asarray(Image.open(screenshot).convert("L"), np.float64)
    assert image.shape == (WINDOW[1], WINDOW[0]), name
    # A blank page is one colour; a report has text, lines and coloured bars.
    assert image.std() > 20, (name, image.std())
    assert np.mean(image < 200) > 0.02, name


def test_every_report_renders_in_a_browser(tmp_path):
    chromium = _chromium()
    running: list[tuple[str, Path, Path, subprocess.Popen]] = []

    def finish(item) -> None:
        name, page, screenshot, process = item
        dom, _ = process.communicate(timeout=120)
        assert process.returncode == 0, name
        _check(name, page, dom, screenshot)

    with tempfile.TemporaryDirectory() as profiles:
        for index, experiment in enumerate(EXPERIMENTS):
            lang = "es" if index % 2 else "en"
            out = tmp_path / experiment.stem
            assert main(["run", str(experiment), "--out", str(out), "--lang", lang, *QUICK]) == 0
            page = out / "report.html"
            assert f'<html lang="{lang}">' in page.read_text(encoding="utf-8")
            screenshot = tmp_path / f"{experiment.stem}.png"
            profile = Path(profiles) / experiment.stem
            running.append(
                (experiment.stem, page, screenshot, _open(chromium, page, screenshot, profile))
            )
            if len(running) >= 2:  # two browsers at a time on a two-core machine
                finish(running.pop(0))
        while running:
            finish(running.pop(0))
