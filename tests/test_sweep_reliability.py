"""wom sweep under bad input and faults (issue 11): refused before any work, nothing lost.

One section per defect: ``--fresh`` and the output folder, the number of cells, orphan
workers after ``kill -9``, damaged cell files and manifests, Dask addresses, ``--workers``.
Refusals go through the command in a fresh interpreter (:mod:`tests.refusal`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from simulator import lifeline
from simulator.cli import main
from simulator.errors import ConfigError, SimulatorError
from simulator.studies import (
    MAX_CELLS,
    Study,
    Sweep,
    check_scheduler_address,
    load_study,
    parse_grid_option,
    parse_range_option,
    run_sweep,
    study_cells,
)
from tests.refusal import refuse_and_keep, wom
from tests.test_sweep import GRID, ZIP, cells_on_disk, tiny, write_study


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished 2-cell sweep (in this process) and its config; copy it before changing it."""
    folder = tmp_path_factory.mktemp("finished")
    config = write_study(folder / "study.toml", GRID)
    result = run_sweep(load_study(config), folder / "out", workers=1)
    assert result.ok and result.computed == 2
    return config, folder / "out"


def copy_of(out: Path, where: Path) -> Path:
    shutil.copytree(out, where)
    return where


# --------------------------------------------------------------------------- 1. --fresh, --out


def test_manifest_lists_every_entry_so_fresh_can_tell_ours(finished):
    _, out = finished
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "wom sweep"
    assert sorted(p.name for p in out.iterdir()) == manifest["files"]


def test_fresh_never_deletes_a_users_folder(finished, tmp_path):
    config, out = finished
    # A folder of the user's own with a cells/ subfolder: once taken for a sweep and emptied.
    mine = tmp_path / "mine"
    (mine / "cells").mkdir(parents=True)
    (mine / "cells" / "sample-17.csv").write_text("1,2\n")
    refuse_and_keep(
        ["sweep", str(config), "--out", str(mine), "--fresh"], mine, cwd=tmp_path, mentions="--out"
    )
    # A sweep's folder the user added files to.
    swept = copy_of(out, tmp_path / "swept")
    refuse_and_keep(
        ["sweep", str(config), "--out", str(swept), "--fresh"],
        swept,
        cwd=tmp_path,
        mentions="did not write",
    )
    # The working directory, even when it is a sweep's folder.
    here = copy_of(out, tmp_path / "here")
    refuse_and_keep(
        ["sweep", str(config), "--out", ".", "--fresh"],
        tmp_path,
        cwd=here,
        mentions="working directory",
    )
    # A sweep's folder that holds the config being read.
    holder = copy_of(out, tmp_path / "holder")
    inside = shutil.copy(config, holder / "again.toml")
    refuse_and_keep(
        ["sweep", str(inside), "--out", str(holder), "--fresh"], tmp_path, mentions="input"
    )


def test_out_is_checked_before_any_work(finished, tmp_path):
    config, _ = finished
    (tmp_path / "cwd").mkdir()
    # Unrelated files in '.': refused without --fresh too, as before.
    refuse_and_keep(["sweep", str(config), "--out", "."], tmp_path / "cwd", mentions="not a sweep")
    refuse_and_keep(
        ["sweep", str(config), "--out", "/proc/wom-sweep"], tmp_path, mentions="cannot create"
    )


def test_resuming_keeps_foreign_files_and_fresh_replaces_our_own(finished, tmp_path):
    config, out = finished
    study = load_study(config)
    folder = copy_of(out, tmp_path / "out")
    (folder / "notes.txt").write_text("mine")
    again = run_sweep(study, folder, workers=1)
    assert (again.reused, again.computed) == (2, 0)
    assert (folder / "notes.txt").read_text() == "mine"
    assert "notes.txt" not in json.loads((folder / "manifest.json").read_text())["files"]
    # A table named like a sweep's but not listed by its manifest is the user's: refused.
    (folder / "summary.csv").write_text("mine")
    with pytest.raises(SimulatorError, match=r"summary\.csv, which wom sweep did not write"):
        run_sweep(study, folder, workers=1, csv=True, intervals=True)
    assert (folder / "summary.csv").read_text() == "mine"
    # A folder written before manifests listed their files still resumes, and then lists them.
    legacy = copy_of(out, tmp_path / "legacy")
    manifest = json.loads((legacy / "manifest.json").read_text())
    del manifest["files"]
    (legacy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SimulatorError, match="older wom sweep"):
        run_sweep(study, legacy, workers=1, fresh=True)
    assert run_sweep(study, legacy, workers=1).reused == 2
    assert "files" in json.loads((legacy / "manifest.json").read_text())
    # --fresh on a folder that holds only our sweep recomputes every cell.
    assert main(["sweep", str(config), "--out", str(legacy), "--fresh", "--quiet"]) == 0
    manifest = json.loads((legacy / "manifest.json").read_text())
    assert manifest["counts"]["reused"] == 0 and manifest["counts"]["done"] == 2


# --------------------------------------------------------------------------- 2. number of cells


def test_too_many_cells_are_refused_before_they_are_built(finished, tmp_path):
    config, _ = finished
    started = time.perf_counter()
    refuse_and_keep(
        ["sweep", str(config), "--range", "trust.word_of_mouth=0.5:0.9:1000000000", "--dry-run"],
        tmp_path,
        mentions=("--range trust.word_of_mouth", "1,000,000,000"),
    )
    refuse_and_keep(
        [
            *("sweep", str(config), "--range", "trust.word_of_mouth=0.5:0.9:1000"),
            *("--range", "channels.newspaper.budget=0:1000:1000", "--out", str(tmp_path / "o")),
        ],
        tmp_path,
        mentions=("1,000,000 cells", "--range channels.newspaper.budget (1,000)"),
    )
    assert time.perf_counter() - started < 30  # not minutes of building a million cells
    sampled = Sweep(sample={"count": MAX_CELLS + 1, "ranges": {"product.quality": [0.5, 1.0]}})
    with pytest.raises(ConfigError, match="100,001 cells"):
        study_cells(Study(scenario=tiny(), sweep=sampled))


@pytest.mark.parametrize(
    "text",
    [
        "trust.word_of_mouth=nan:0.9:3",
        "trust.word_of_mouth=0.1:inf:3",
        "trust.word_of_mouth=0.1:0.9:2.5",
        "trust.word_of_mouth=0.1:0.9:-3",
        "trust.word_of_mouth=0.1:0.9:0",
        "trust.word_of_mouth=0.1:0.9:1e3",
        "trust.word_of_mouth=0.5:0.5:3",
        "trust.word_of_mouth=0.9:0.1:3",
        "trust.word_of_mouth=1e400:2:3",
        "trust.word_of_mouth=true:0.9:3",
    ],
)
def test_bad_ranges_are_refused(text):
    with pytest.raises(ConfigError, match="--range"):
        parse_range_option(text)


def test_empty_grid_values_are_refused():
    with pytest.raises(ConfigError, match="value 2 is empty"):
        parse_grid_option("trust.word_of_mouth=0.5,,0.9")


def test_a_cell_too_big_for_memory_is_refused_before_any_work(finished, tmp_path):
    config, _ = finished
    refuse_and_keep(
        [
            *("sweep", str(config), "--grid", "population.size=300,50000000"),
            *("--out", str(tmp_path / "o"), "--workers", "1"),
        ],
        tmp_path,
        mentions=("cell 0001", "population.size = 50,000,000", "of memory"),
    )


# --------------------------------------------------------------------------- 3. orphan workers


def processes() -> dict[int, tuple[int, str]]:
    """Every live process: pid -> (parent pid, command line); zombies count as gone."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended while we looked
            continue
        state, parent = text.rpartition(")")[2].split()[:2]  # the name may hold ') '
        if state not in "ZX":
            found[int(stat.parent.name)] = (int(parent), command)
    return found


def slow_study(folder: Path) -> Path:
    """Four cells of about 1.5 s each: two workers are busy for several seconds."""
    return write_study(folder / "study.toml", GRID + ZIP, steps=40, replicates=3000, block_size=100)


def descendants(pid: int) -> set[int]:
    """Every live process started by ``pid``, its children's children included."""
    table = processes()
    found: set[int] = set()
    parents = {pid}
    while parents:
        parents = {p for p, (parent, _) in table.items() if parent in parents} - found
        found |= parents
    return found


def kill_when_computing(command: list[str]) -> None:
    """Start ``command``, SIGKILL it once its two workers compute, and check that every
    process it started (workers, resource trackers, theirs) is gone within 5 s."""
    sweep = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        children = {p: c for p, (parent, c) in processes().items() if parent == sweep.pid}
        if sum("spawn_main" in c for c in children.values()) == 2:
            break
        assert sweep.poll() is None and time.monotonic() < deadline, "no workers started"
        time.sleep(0.05)
    time.sleep(1.0)  # the workers are now computing their first cells
    assert sweep.poll() is None, "the sweep ended before the kill"
    started = descendants(sweep.pid)
    os.kill(sweep.pid, signal.SIGKILL)  # the out-of-memory killer: no clean-up at all
    sweep.wait()
    wait_until_gone(started, "still running 5 s after the kill")


def wait_until_gone(pids: set[int], problem: str) -> None:
    """Assert that ``pids`` end within 5 s; kill the ones that do not (no orphans left)."""
    deadline = time.monotonic() + 5
    while alive := pids & set(processes()):
        if time.monotonic() > deadline:
            for pid in alive:
                os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"{problem}: {sorted(alive)}")
        time.sleep(0.1)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@needs_proc
def test_kill_9_leaves_no_worker_and_the_rerun_resumes(tmp_path):
    config = slow_study(tmp_path)
    folder = tmp_path / "out"
    command = [sys.executable, "-m", "simulator.cli", "sweep", str(config), "--out", str(folder)]
    kill_when_computing([*command, "--workers", "2", "--quiet"])

    on_disk = len(cells_on_disk(folder))
    assert main([*command[3:], "--workers", "1", "--quiet"]) == 0
    counts = json.loads((folder / "manifest.json").read_text())["counts"]
    assert counts == {"total": 4, "done": 4, "failed": 0, "pending": 0, "reused": on_disk}
    reference = run_sweep(load_study(config), tmp_path / "reference", workers=1)
    assert (folder / "replicates.parquet").read_bytes() == (
        tmp_path / "reference" / "replicates.parquet"
    ).read_bytes()
    pd.testing.assert_frame_equal(
        pd.read_parquet(folder / "replicates.parquet"), reference.replicates
    )


@needs_proc
def test_kill_9_leaves_no_dask_worker(tmp_path):
    pytest.importorskip("distributed")
    config = slow_study(tmp_path)
    command = [sys.executable, "-m", "simulator.cli", "sweep", str(config), "--quiet"]
    kill_when_computing([*command, "--executor", "dask", "--workers", "2"])


@needs_proc
def test_a_worker_exits_when_its_parent_is_gone(tmp_path):
    # The watchdog alone, without a pool: a child of a child that is killed.
    script = (
        "import os, subprocess, sys, time\n"
        "code = 'from simulator import lifeline; import time, os; "
        "lifeline.exit_with_parent(%d); print(os.getpid(), flush=True); time.sleep(60)' "
        "% os.getpid()\n"
        "child = subprocess.Popen([sys.executable, '-c', code], stdout=sys.stdout)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    with parent.stdout:
        worker = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    wait_until_gone({worker}, "the worker outlived its parent by 5 s")


# --------------------------------------------------------------------------- 4. damaged files


def damage_pages(path: Path) -> None:
    """Overwrite a Parquet file's data pages, keeping its footer (schema, metadata) sound."""
    data = bytearray(path.read_bytes())
    footer = struct.unpack("<I", data[-8:-4])[0]
    data[4 : len(data) - 8 - footer] = b"\xab" * (len(data) - 12 - footer)
    path.write_bytes(bytes(data))


def test_damaged_cell_files_are_computed_again(finished, tmp_path):
    config, out = finished
    study = load_study(config)
    for damage in (
        lambda p: p.write_bytes(p.read_bytes()[:100]),  # truncated
        lambda p: p.write_bytes(b"not parquet at all\n" * 10),  # overwritten
        damage_pages,  # sound footer, unreadable rows
    ):
        folder = copy_of(out, tmp_path / f"out{len(list(tmp_path.iterdir()))}")
        damage(folder / "cells" / "0001.summary.parquet")
        result = run_sweep(study, folder, workers=1)
        assert (result.reused, result.computed) == (1, 1)
        for name in ("replicates.parquet", "cells/0001.summary.parquet"):
            assert (folder / name).read_bytes() == (out / name).read_bytes(), name


@pytest.mark.parametrize("text", [b"\x00\xff garbage", b'{"kind": "wom sweep", "cel', b"[1, 2]"])
def test_a_damaged_manifest_does_not_stop_a_resume(finished, tmp_path, text):
    config, out = finished
    folder = copy_of(out, tmp_path / "out")
    (folder / "manifest.json").write_bytes(text)
    assert main(["sweep", str(config), "--out", str(folder), "--quiet"]) == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["reused"] == 2 and manifest["status"] == "complete"
    assert (folder / "replicates.parquet").read_bytes() == (out / "replicates.parquet").read_bytes()


# --------------------------------------------------------------------------- 5. Dask addresses


@pytest.mark.parametrize(
    "address",
    ["garbage", "tcp://", "tcp://host", "http://127.0.0.1:8786", "tcp://h:99999", "tcp://a b:1"],
)
def test_scheduler_addresses_are_checked_before_connecting(address):
    with pytest.raises(ConfigError, match="--scheduler"):
        check_scheduler_address(address)


def test_good_scheduler_addresses_pass():
    for address in ("tcp://127.0.0.1:8786", "tls://[::1]:8786", "scheduler:8786", "ucx://h-1:1"):
        assert check_scheduler_address(address) == address


def test_bad_or_unreachable_scheduler_leaves_nothing_behind(finished, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    config, _ = finished
    out = str(tmp_path / "o")
    refuse_and_keep(
        ["sweep", str(config), "--executor", "dask", "--scheduler", "garbage", "--out", out],
        tmp_path,
        mentions="SCHEME://HOST:PORT",
    )
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")  # loopback only
    started = time.perf_counter()
    refuse_and_keep(
        [
            *("sweep", str(config), "--executor", "dask"),
            *("--scheduler", "tcp://127.0.0.1:1", "--out", out),
        ],
        tmp_path,
        mentions=("tcp://127.0.0.1:1", "cannot connect"),
    )
    assert time.perf_counter() - started < 20
    # Nothing left to compute: no cluster is needed, and none is started.
    done = run_sweep(load_study(config), copy_of(finished[1], tmp_path / "done"), executor="dask")
    assert (done.reused, done.computed) == (2, 0)


# --------------------------------------------------------------------------- 6. --workers


def test_workers_above_the_cpus_warn_and_far_above_are_refused(finished, tmp_path):
    config, _ = finished
    cpus = lifeline.available_cpus()
    with pytest.warns(lifeline.WorkerCountWarning, match=f"more than the {cpus} CPUs"):
        assert lifeline.check_workers(cpus + 1) == cpus + 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lifeline.check_workers(cpus) == cpus
    for too_many in (lifeline.worker_limit() + 1, 1000, 0):
        with pytest.raises(ConfigError, match="--workers"):
            lifeline.check_workers(too_many)
    refuse_and_keep(
        ["sweep", str(config), "--workers", "1000", "--out", str(tmp_path / "o")],
        tmp_path,
        mentions="--workers 1000",
    )
    shown = wom("sweep", str(config), "--workers", str(cpus + 1), "--dry-run", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stderr.strip().splitlines()
    assert all(line.startswith("wom: warning: ") for line in lines), lines
    assert sum(line.startswith("wom: warning: --workers") for line in lines) == 1, lines
