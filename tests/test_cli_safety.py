"""``wom run`` never loses a user's files: ``--out`` is checked first, replaced only when ours.

Every refusal is checked with sentinel files around ``--out`` (see tests/refusal.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path, PurePath

import pytest

from simulator import outputs
from simulator.config import default_scenario
from simulator.config.toml import scenario_to_toml
from simulator.errors import SimulatorError
from tests.refusal import TINY, plant_sentinels, refuse_and_keep, snapshot, wom

DATA_FILES = ("scenario.toml", "summary.csv", "replicates.csv", "series.csv", "series.parquet")
"""The files that one seed fixes byte for byte (manifest and report carry times and argv)."""


def _project(root: Path) -> Path:
    """A user's project folder: a scenario file beside their own files."""
    project = root / "proj"
    project.mkdir()
    plant_sentinels(project)
    (project / "c.toml").write_text(scenario_to_toml(default_scenario()), encoding="utf-8")
    return project


def test_overwrite_refuses_the_parent_of_the_working_directory(tmp_path):
    work = tmp_path / "q"
    work.mkdir()
    refuse_and_keep(
        ["run", "--out", "..", "--overwrite", "--quiet", *TINY],
        tmp_path,
        cwd=work,
        mentions=("--out ..", "working directory"),
    )


@pytest.mark.parametrize("out", [".", "q", "notes"])
def test_overwrite_refuses_folders_that_are_not_a_previous_run(tmp_path, out):
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "data.csv").write_text("1,2\n", encoding="utf-8")
    cwd = tmp_path / "q" if out == "." else tmp_path
    refuse_and_keep(["run", "--out", out, "--overwrite", "--quiet", *TINY], tmp_path, cwd=cwd)


def test_overwrite_refuses_the_folder_of_the_config(tmp_path):
    project = _project(tmp_path)
    refuse_and_keep(
        ["run", str(project / "c.toml"), "--out", str(project), "--overwrite", "--quiet", *TINY],
        tmp_path,
        mentions="c.toml",
    )


def test_overwrite_refuses_a_previous_run_that_now_holds_user_files(tmp_path):
    out = tmp_path / "results"
    assert wom("run", "--out", str(out), "--quiet", *TINY, cwd=tmp_path).returncode == 0
    (out / "my-analysis.ipynb").write_text("{}", encoding="utf-8")
    refuse_and_keep(
        ["run", "--out", str(out), "--overwrite", "--quiet", *TINY],
        tmp_path,
        mentions="my-analysis.ipynb",
    )


def test_overwrite_replaces_a_previous_run(tmp_path):
    out = tmp_path / "results"
    plant_sentinels(tmp_path)
    assert wom("run", "--out", str(out), "--quiet", "--seed", "3", *TINY).returncode == 0
    first = (out / "summary.csv").read_bytes()
    again = wom("run", "--out", str(out), "--overwrite", "--quiet", "--seed", "4", *TINY)
    assert again.returncode == 0, again.stderr
    assert (out / "summary.csv").read_bytes() != first
    assert json.loads((out / "manifest.json").read_text())["kind"] == "wom run"
    assert (tmp_path / "keep.txt").read_text() == "keep\n"
    assert (tmp_path / "notes" / "thesis.md").exists()


def test_without_overwrite_a_full_folder_is_refused(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x", encoding="utf-8")
    refuse_and_keep(["run", "--out", "full", "--quiet", *TINY], tmp_path, mentions="--overwrite")


@pytest.mark.parametrize(
    ("out", "mentions"),
    [
        ("/proc/wom-x", "cannot create a folder"),
        ("/sys/wom-x/y", "cannot create a folder"),  # read-only even for root
        ("keep.txt/sub", "is a file"),
        ("keep.txt", "not a folder"),
    ],
)
def test_unusable_out_is_refused_before_simulating(tmp_path, out, mentions):
    # A 50,000-step run would take minutes: refusing at once shows no work was done first.
    started = time.perf_counter()
    refuse_and_keep(
        ["run", "--out", out, "--quiet", "--set", "simulation.steps=50000"],
        tmp_path,
        mentions=mentions,
    )
    assert time.perf_counter() - started < 30


def test_version():
    process = wom("--version")
    assert process.returncode == 0
    assert process.stdout.startswith("wom ")


def _children(pid: int) -> set[int]:
    """Every live process below ``pid`` (read from /proc, no third-party package)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


LONG_RUN = [
    "--replicates",
    "400",
    "--set",
    "simulation.block_size=4",
    "--set",
    "population.size=2000",
    "--quiet",
]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_kill_9_leaves_no_worker_behind_and_a_rerun_gives_the_same_files(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "simulator.cli", "run", "--out", str(out), "--workers", "2"]
    parent = subprocess.Popen([*command, *LONG_RUN], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and not workers:
            time.sleep(0.2)
            workers = _children(parent.pid)
        assert workers, "the run started no helper process"
        time.sleep(1.0)  # let the helpers build the town and start blocks
        workers = _children(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _alive(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(workers), f"left behind: {sorted(_alive(workers))}"
    finally:
        if parent.poll() is None:
            parent.kill()
    assert not out.exists()
    # What a kill -9 while writing leaves (the run writes only after simulating).
    stale = tmp_path / f".out.partial-{parent.pid}"
    stale.mkdir()
    (stale / outputs.PARTIAL_STAMP).touch()
    (stale / "summary.csv").write_text("half", encoding="utf-8")

    small = ["--replicates", "6", "--seed", "5", *TINY]
    rerun = wom("run", "--out", str(out), "--quiet", *small, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert not [p.name for p in tmp_path.iterdir() if ".partial-" in p.name]  # cleaned
    reference = tmp_path / "reference"
    assert wom("run", "--out", str(reference), "--quiet", *small).returncode == 0
    for name in DATA_FILES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name


def test_a_partial_folder_of_a_live_process_is_kept(tmp_path):
    live = tmp_path / f".out.partial-{os.getppid()}"
    live.mkdir()
    (live / outputs.PARTIAL_STAMP).touch()
    before = snapshot(tmp_path)
    assert wom("run", "--out", str(tmp_path / "out"), "--quiet", *TINY).returncode == 0
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("out")} == before


def test_a_folder_named_like_a_partial_but_not_stamped_is_kept(tmp_path):
    # A dead pid, the right name, but not written by wom: a user's folder, never removed.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    mine = tmp_path / f".out.partial-{dead.pid}"
    mine.mkdir()
    (mine / "thesis.md").write_text("# mine\n", encoding="utf-8")
    assert wom("run", "--out", str(tmp_path / "out"), "--quiet", *TINY).returncode == 0
    assert (mine / "thesis.md").read_text(encoding="utf-8") == "# mine\n"


def test_overwrite_refuses_a_symbolic_link(tmp_path):
    target = tmp_path / "real"
    assert wom("run", "--out", str(target), "--quiet", *TINY).returncode == 0
    (tmp_path / "link").symlink_to(target, target_is_directory=True)
    refuse_and_keep(
        ["run", "--out", "link", "--overwrite", "--quiet", *TINY],
        tmp_path,
        mentions="symbolic link",
    )


def test_overwrite_refuses_a_previous_run_that_now_holds_a_subfolder(tmp_path):
    out = tmp_path / "results"
    assert wom("run", "--out", str(out), "--quiet", *TINY).returncode == 0
    (out / "summary.csv").unlink()
    (out / "summary.csv").mkdir()  # a name the run wrote, now the user's folder
    (out / "summary.csv" / "notes.txt").write_text("mine", encoding="utf-8")
    refuse_and_keep(
        ["run", "--out", str(out), "--overwrite", "--quiet", *TINY],
        tmp_path,
        mentions="summary.csv",
    )


def test_sweep_refuses_a_cells_folder_that_is_a_link(tmp_path):
    study = tmp_path / "study.toml"
    text = scenario_to_toml(default_scenario(), comments=False)
    study.write_text(text + '\n[sweep]\ngrid = { "trust.word_of_mouth" = [0.5, 0.9] }\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "0000.parquet").write_text("not a cell", encoding="utf-8")
    out = tmp_path / "sweep"
    out.mkdir()
    manifest = {"kind": "wom sweep", "files": ["cells", "manifest.json"]}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "cells").symlink_to(elsewhere, target_is_directory=True)
    refuse_and_keep(
        ["sweep", str(study), "--out", str(out), "--fresh", "--workers", "1", "--quiet"],
        tmp_path,
        mentions="symbolic link",
    )


@pytest.mark.parametrize(
    ("command", "kind"), [("plan", "wom plan"), ("attribute", "wom attribute")]
)
def test_plan_and_attribute_never_replace_the_folder_of_the_scenario_they_read(
    tmp_path, command, kind
):
    """An earlier output folder (its manifest lists every file) that now also holds the
    scenario being read: --overwrite is refused before any work, nothing is lost."""
    from simulator.config import default_scenario
    from simulator.config.toml import scenario_to_toml

    out = tmp_path / "results"
    out.mkdir()
    (out / "bakery.toml").write_text(scenario_to_toml(default_scenario()), encoding="utf-8")
    manifest = {"kind": kind, "files": ["bakery.toml", "manifest.json"]}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    extra = ["--budget", "100"] if command == "plan" else []
    refuse_and_keep(
        [command, str(out / "bakery.toml"), *extra, "--out", str(out), "--overwrite"],
        tmp_path,
        mentions="--out",
    )


def test_a_failed_move_keeps_the_previous_output_and_the_new_results(tmp_path, monkeypatch):
    """The earlier output is renamed aside, not deleted, until the new one is in place."""
    out = tmp_path / "results"
    out.mkdir()
    (out / "summary.csv").write_text("old\n", encoding="utf-8")
    manifest = {"kind": "wom run", "files": ["summary.csv", "manifest.json"]}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rename = Path.rename

    def refuse_the_move_in(self, target):
        if PurePath(target) == out and self == outputs.partial_folder(out):
            raise OSError(28, "No space left on device")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_the_move_in)
    with (
        pytest.raises(SimulatorError, match=r"cannot move .* results kept in") as caught,
        outputs.results_folder(out, kind="wom run", overwrite=True) as partial,
    ):
        (partial / "summary.csv").write_text("new\n", encoding="utf-8")
    assert (out / "summary.csv").read_text(encoding="utf-8") == "old\n"
    assert (partial / "summary.csv").read_text(encoding="utf-8") == "new\n"
    assert str(partial) in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["results", partial.name])
