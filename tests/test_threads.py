"""One seed, the same data files, whatever the number of threads.

``wom run`` is run twice in fresh processes on a 3,000-person town with every compiled
path switched on (the engine's step kernels and the town's generators, whose size
thresholds are lowered to 0): once with one numba thread and the town's layers built one
at a time, once with two numba threads and the layers built two at a time in threads.
Every data file must be byte for byte the same; the manifest may differ only in its
timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os
import sys
from simulator.engine import adoption, block, messages
from simulator.town.network import build, layers, market, platforms

for module in (messages, block, adoption, layers, market, platforms):
    module.COMPILED_ABOVE = 0  # every pass compiled, as in a large town
two = os.environ["NUMBA_NUM_THREADS"] == "2"
build.PARALLEL_ABOVE = 0 if two else 10**12  # the layers built in threads, or not
from simulator.cli.main import main

sys.exit(main(sys.argv[1:]))
"""


def _run(folder: Path, threads: int) -> None:
    environment = {**os.environ, "NUMBA_NUM_THREADS": str(threads)}
    arguments = [
        "run",
        "--set=population.size=3000",
        "--set=simulation.steps=60",
        "--replicates=4",
        "--seed=11",
        "--quiet",
        f"--out={folder}",
    ]
    subprocess.run(
        [sys.executable, "-c", SCRIPT, *arguments],
        env=environment,
        check=True,
        timeout=600,
    )


def test_one_or_two_threads_write_the_same_files(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    _run(one, 1)
    _run(two, 2)
    names = sorted(path.name for path in one.iterdir())
    assert names == sorted(path.name for path in two.iterdir())
    data = [name for name in names if name not in ("manifest.json", "report.html")]
    assert {"series.csv", "summary.csv", "replicates.csv"} <= set(data)
    for name in data:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in (one, two)]
    for manifest in manifests:  # how long it took and the folder may differ, nothing else
        for key in ("timings", "wall_seconds", "command"):  # command: its --out folder
            manifest.pop(key, None)
    assert manifests[0] == manifests[1]
