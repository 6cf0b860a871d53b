"""A sweep's output folder: atomic files, cell files, resuming, and what may be replaced.

The folder::

    OUT/manifest.json        study hash, seed, versions, every cell and its status, files
    OUT/study.toml           the resolved base scenario and its [sweep] table
    OUT/configs/<cell>.toml  the resolved scenario of each cell
    OUT/cells/<cell>.parquet one row per strategy and replicate, written atomically as the
                             cell finishes (with <cell>.summary.parquet written just before)
    OUT/replicates.parquet   every cell (or summary.parquet with intervals; .csv with csv)
    OUT/report.html          figures: metric against each swept parameter, heatmaps

A folder that holds another study's cells, or cells computed with other versions of the
packages that shape the numbers, is refused unless ``fresh`` is given; ``fresh`` empties
only a folder that holds nothing but a sweep's files (the manifest's ``files`` lists them;
see :func:`simulator.outputs.check_replaceable`); a resume leaves any other file alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator import config as cfg
from simulator import lifeline, outputs
from simulator.config.study import Study
from simulator.config.toml import _value, scenario_to_toml
from simulator.errors import ConfigError, SimulatorError
from simulator.results import versions as run_versions
from simulator.studies.cells import Cell, canonical_json

if TYPE_CHECKING:
    import pandas as pd

OUTPUT_FILES = (
    "manifest.json",
    "study.toml",
    "replicates.parquet",
    "replicates.csv",
    "summary.parquet",
    "summary.csv",
    "report.html",
)
TABLES = OUTPUT_FILES[2:6]
ENTRIES = frozenset(("cells", "configs", *OUTPUT_FILES))
"""Everything a sweep writes at the top of its folder (listed in the manifest's ``files``)."""


# --------------------------------------------------------------------------- atomic files


def fsync_write(path: Path, write: Callable[[Any], None]) -> None:
    """Write through a temporary file, flush it to disk, then rename it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    fsync_write(path, lambda handle: handle.write(text.encode("utf-8")))


def write_parquet(path: Path, frame: pd.DataFrame, metadata: Mapping[str, Any] | None) -> None:
    import pyarrow as pa  # heavy: imported when a file is written

    # pyarrow is heavy: only when reading cell files
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if metadata is not None:
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), b"wom_sweep": canonical_json(metadata).encode()}
        )
    fsync_write(path, lambda handle: pq.write_table(table, handle))


def cell_metadata(path: Path) -> dict[str, Any] | None:
    """The sweep metadata of a cell file; None when the file is unreadable (half written)."""
    import pyarrow.parquet as pq  # heavy: imported when a cell file is read

    try:
        raw = (pq.read_schema(path).metadata or {}).get(b"wom_sweep")
        return json.loads(raw) if raw else None
    except Exception:
        return None


def differences(old: Mapping[str, str], new: Mapping[str, str], label: str) -> str:
    return ", ".join(
        f"{name} {old.get(name)} ({label} {new.get(name)})"
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    )


_CELL_FILE = re.compile(r"[0-9]{4,}(?:\.summary)?\.parquet")
_CONFIG_FILE = re.compile(r"[0-9]{4,}\.toml")
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.tmp")  # from fsync_write


def _our_temporary(name: str, targets: re.Pattern[str] | frozenset[str]) -> int | None:
    """The pid that wrote ``name``, when it is a temporary file of one of ``targets``."""
    match = _TEMPORARY.fullmatch(name)
    if match is None:
        return None
    target = match["name"]
    ours = targets.fullmatch(target) if isinstance(targets, re.Pattern) else target in targets
    return int(match["pid"]) if ours else None


def _stale(name: str, targets: re.Pattern[str] | frozenset[str]) -> bool:
    """A temporary file of ours whose writer is gone (killed midway through a write)."""
    pid = _our_temporary(name, targets)
    return pid is not None and pid != os.getpid() and not lifeline._alive(pid)


def _unknown_entries(folder: Path, pattern: re.Pattern[str]) -> list[str]:
    """Entries of ``cells/`` or ``configs/`` that no sweep writes."""
    if not folder.is_dir():
        return [] if not folder.exists() else [folder.name]
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if not (entry.is_file() and pattern.fullmatch(entry.name))
        and _our_temporary(entry.name, pattern) is None
    )


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest as a dict; None when it is missing or damaged (not JSON, not a dict)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None


@dataclass
class Folder:
    """What an existing output folder holds, read before any work."""

    owned: set[str] = field(default_factory=set)
    """Top-level entries a sweep wrote (the only ones ever replaced or removed)."""
    discard: bool = False
    """``fresh``: remove the owned entries before starting."""
    rewrite_configs: bool = False
    """The manifest was lost: ``configs/`` may hold another study's files."""
    stale: list[Path] = field(default_factory=list)
    """Temporary files of killed runs."""
    metadata: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    """Sweep metadata of each cell file (None: unreadable)."""


def inspect_out(
    out: Path,
    *,
    key: str,
    versions: Mapping[str, str],
    fresh: bool,
    inputs: Sequence[Path],
    writes: set[str],
) -> Folder:
    """Check that ``out`` may receive this study, changing nothing in it but our own stale
    temporary files (for ``fresh``). Whether it can be created is checked before, by
    :func:`simulator.outputs.check_writable`.

    A sweep's folder is one whose manifest says so, or, when the manifest is lost or
    damaged, one that holds only a sweep's entries (with ``cells/``). Other files in a
    sweep's folder are left alone, but a file named like one this run ``writes`` that the
    manifest does not list is refused. A folder of another study (or other package
    versions) is refused unless ``fresh``, which replaces only a folder that
    :func:`simulator.outputs.check_replaceable` accepts.
    """
    if not out.is_dir() or not any(out.iterdir()):
        return Folder()
    names = {entry.name for entry in out.iterdir()}
    stale = [out / name for name in names if _stale(name, ENTRIES)]
    names -= {path.name for path in stale}
    manifest = _read_manifest(out / "manifest.json")
    owned = _owned_entries(out, names, manifest)
    clash = sorted((writes & names) - owned)
    if clash:
        raise SimulatorError(
            f"--out {out}: holds {', '.join(clash)}, which wom sweep did not write (its "
            "manifest.json does not list it); move it or choose another --out"
        )
    folder = Folder(owned=owned, rewrite_configs=manifest is None, stale=stale)
    problem = _other_study(out, folder, manifest, key=key, versions=versions)
    if problem is not None and not fresh:
        raise SimulatorError(
            f"--out {out}: holds cells of a different study ({problem}); pass --fresh to "
            "discard them, or choose another --out"
        )
    if fresh:
        _allow_fresh(out, folder, manifest, inputs)
    return folder


def _owned_entries(out: Path, names: set[str], manifest: dict[str, Any] | None) -> set[str]:
    """The top-level entries of ``out`` that a sweep wrote; refuse a folder not a sweep's."""
    not_ours = SimulatorError(
        f"--out {out}: folder holds files that are not a sweep's; choose another folder"
    )
    if manifest is not None and manifest.get("kind") != "wom sweep":
        raise not_ours
    linked = sorted(name for name in names & ENTRIES if (out / name).is_symlink())
    if linked:  # a sweep never writes links: deleting or writing through one could reach
        raise SimulatorError(  # a folder that is not the sweep's
            f"--out {out}: {', '.join(linked)} is a symbolic link, which wom sweep never "
            "writes; choose another folder"
        )
    if manifest is None:
        # Lost or damaged manifest: a sweep's folder only if nothing else is in it.
        if (
            names - ENTRIES
            or not (out / "cells").is_dir()
            or _unknown_entries(out / "cells", _CELL_FILE)
            or _unknown_entries(out / "configs", _CONFIG_FILE)
        ):
            raise not_ours
        return names & ENTRIES
    if isinstance(manifest.get("files"), list):
        return (names & ENTRIES & {str(name) for name in manifest["files"]}) | {"manifest.json"}
    return names & ENTRIES  # written before manifests listed their files: all are a sweep's


def _other_study(
    out: Path,
    folder: Folder,
    manifest: dict[str, Any] | None,
    *,
    key: str,
    versions: Mapping[str, str],
) -> str | None:
    """Why the cells in ``out`` belong to another study (or versions), or None.

    Reads the footers of the cell files into ``folder.metadata`` on the way.
    """
    old_key = manifest.get("study_hash") if manifest is not None else None
    if isinstance(old_key, str) and old_key != key:
        return f"the config changed: study hash {old_key}, now {key}"
    cells = sorted((out / "cells").glob("*.parquet")) if "cells" in folder.owned else []
    for path in cells:
        meta = folder.metadata[path.name] = cell_metadata(path)
        if meta is None or path.name.endswith(".summary.parquet"):
            continue
        if meta.get("study_hash") != key:
            return f"the config changed: study hash {meta.get('study_hash')}, now {key}"
        if meta.get("versions") != versions:
            return f"made with {differences(meta.get('versions') or {}, versions, 'now')}"
    return None


def _allow_fresh(
    out: Path, folder: Folder, manifest: dict[str, Any] | None, inputs: Sequence[Path]
) -> None:
    """Check that ``fresh`` may empty ``out`` and mark ``folder`` to be discarded."""
    if manifest is not None and not isinstance(manifest.get("files"), list):
        raise SimulatorError(
            f"--out {out}: --fresh refused: its manifest.json was written by an older wom "
            "sweep that did not list its files; remove the folder yourself or choose another "
            "--out"
        )
    for path in folder.stale:  # ours by name and by writer, and in the way of the check below
        path.unlink(missing_ok=True)
    folder.stale = []
    outputs.check_replaceable(
        out,
        kind="wom sweep",
        inputs=inputs,
        option="--out",
        flag="--fresh",
        folders=("cells", "configs"),
    )
    for name, pattern in (("cells", _CELL_FILE), ("configs", _CONFIG_FILE)):
        unknown = _unknown_entries(out / name, pattern)
        if unknown:
            raise SimulatorError(
                f"--out {out}: --fresh refused: {name}/ holds files wom sweep did not write "
                f"({', '.join(unknown[:3])}{', ...' if len(unknown) > 3 else ''}); move them "
                "or choose another folder"
            )
    folder.discard = True
    folder.metadata = {}


def make_out(out: Path, folder: Folder) -> None:
    """Create ``out`` (or empty it of its sweep, for ``fresh``) and remove stale files."""
    if folder.discard:
        for name in sorted(folder.owned):
            path = out / name
            if path.is_dir():  # cells/ and configs/, checked to hold only a sweep's files
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        folder.owned = set()
    for path in folder.stale:
        path.unlink(missing_ok=True)
    (out / "cells").mkdir(parents=True, exist_ok=True)
    (out / "configs").mkdir(exist_ok=True)
    for name, pattern in (("cells", _CELL_FILE), ("configs", _CONFIG_FILE)):
        for entry in (out / name).iterdir():
            if _stale(entry.name, pattern):
                entry.unlink(missing_ok=True)


def finished_cells(
    out: Path, cells: Sequence[Cell], key: str, known: Mapping[str, dict[str, Any] | None]
) -> tuple[dict[str, dict[str, Any]], list[Path]]:
    """Metadata of the cells already on disk for this study, and the files to discard.

    A cell is finished when both its files are readable Parquet files of this study (their
    footers are read; ``known`` holds those read already). Anything else (half written by
    a lost machine, truncated, overwritten) is computed again.
    """
    found = {}
    discard = []
    for cell in cells:
        path = out / "cells" / f"{cell.id}.parquet"
        summary = out / "cells" / f"{cell.id}.summary.parquet"
        if not path.exists():
            continue
        meta = known[path.name] if path.name in known else cell_metadata(path)
        brief = known[summary.name] if summary.name in known else cell_metadata(summary)
        if (
            meta is None
            or meta.get("study_hash") != key
            or meta.get("cell") != cell.id
            or brief is None
            or brief.get("study_hash") != key
            or brief.get("cell") != cell.id
        ):
            discard += [path, summary]
            continue
        found[cell.id] = meta
    return found, discard


def with_parameters(frame: pd.DataFrame, cell: Cell, columns: Mapping[str, Any]) -> pd.DataFrame:
    frame = frame.copy()
    for position, (path, value) in enumerate([("cell", cell.index), *columns.items()]):
        if path in frame.columns:
            raise ConfigError(f"swept path '{path}' clashes with a metric column of that name")
        frame.insert(position, path, value)
    return frame


def study_toml(study: Study) -> str:
    lines = [scenario_to_toml(study.scenario, comments=False).rstrip(), "", "[sweep]"]
    for name, value in study.sweep.model_dump(exclude_none=True).items():
        if name == "sample":
            continue
        lines.append(f"{name} = {_value(value)}")
    if study.sweep.sample is not None:
        lines += ["", "[sweep.sample]"]
        lines += [f"{k} = {_value(v)}" for k, v in study.sweep.sample.model_dump().items()]
    return "\n".join(lines) + "\n"


def sweep_versions() -> dict[str, str]:
    """Versions recorded in the manifest: those of a run, plus the sweep's file and cluster packages."""
    found = run_versions()
    for package in ("pyarrow", "dask", "distributed"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def read_cells(
    out: Path, cells: Sequence[Cell], done: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Both tables of the finished cells (replicates, summary) and the cells that cannot be
    read back (damaged on disk although their footers are sound)."""
    import pandas as pd  # heavy: imported when the tables are read

    replicates, summaries, unreadable = [], [], []
    for cell in cells:
        if cell.id not in done:
            continue
        try:
            replicate_rows = pd.read_parquet(out / "cells" / f"{cell.id}.parquet")
            summary_rows = pd.read_parquet(out / "cells" / f"{cell.id}.summary.parquet")
        except Exception:  # pyarrow raises several kinds for a damaged file
            unreadable.append(cell.id)
            continue
        replicates.append(replicate_rows)
        summaries.append(summary_rows)

    def combined(frames: list[pd.DataFrame]) -> pd.DataFrame:
        if not frames:
            return pd.DataFrame({"cell": pd.Series(dtype="int64")})
        return pd.concat(frames, ignore_index=True)

    return combined(replicates), combined(summaries), unreadable


def study_inputs(study: Study, cells: Sequence[Cell]) -> list[Path]:
    """Files the study reads (its config and every edge list): never inside what --fresh
    replaces."""
    paths = [Path(study.source)] if study.source else []
    seen: set[str] = set()
    for scenario in (study.scenario, *(cell.scenario for cell in cells)):
        for layer in scenario.layers.values() if scenario is not None else ():
            if isinstance(layer, cfg.EdgeListLayer) and layer.path not in seen:
                seen.add(layer.path)
                paths.append(Path(layer.path))
    return paths


# --------------------------------------------------------------------------- writing a sweep


def start_out(
    out: Path, folder: Folder, *, study: Study, cells: Sequence[Cell], damaged: Sequence[Path]
) -> None:
    """Make ``out`` ready for the cells: emptied (``fresh``), damaged cell files removed,
    every cell's config and ``study.toml`` written."""
    make_out(out, folder)
    for path in damaged:
        path.unlink(missing_ok=True)
    for cell in cells:
        path = out / "configs" / f"{cell.id}.toml"
        if cell.scenario is not None and (folder.rewrite_configs or not path.exists()):
            write_text(path, scenario_to_toml(cell.scenario, comments=False))
    write_text(out / "study.toml", study_toml(study))


def write_cell(
    out: Path, cell: Cell, summary: pd.DataFrame, replicates: pd.DataFrame, meta: Mapping[str, Any]
) -> None:
    """Write a finished cell's two files; the summary first, as the replicates file is the
    mark of a finished cell."""
    write_parquet(out / "cells" / f"{cell.id}.summary.parquet", summary, meta)
    write_parquet(out / "cells" / f"{cell.id}.parquet", replicates, meta)


def discard_cell(out: Path, cell_id: str) -> None:
    """Remove both files of a cell (to compute it again)."""
    for suffix in (".parquet", ".summary.parquet"):
        (out / "cells" / f"{cell_id}{suffix}").unlink(missing_ok=True)


def write_table(out: Path, table: pd.DataFrame, table_file: str, files: set[str]) -> None:
    """Write the study's table as ``table_file`` and remove an earlier run's other table
    (never a file the sweep did not write: only those in ``files``, updated)."""
    for stale in TABLES:
        if stale != table_file and stale in files:
            (out / stale).unlink(missing_ok=True)
            files.discard(stale)
    if table_file.endswith(".csv"):
        write_text(out / table_file, table.to_csv(index=False))
    else:
        write_parquet(out / table_file, table, None)


def write_manifest(out: Path, data: Mapping[str, Any]) -> None:
    """Write ``manifest.json``: one line per cell, so that it diffs and greps well."""
    write_text(out / "manifest.json", canonical_json(data).replace("},{", "},\n{") + "\n")
