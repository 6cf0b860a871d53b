"""Output folders: checked before any work, replaced only when they hold our own output.

A research tool writes into its users' folders, so the rules are strict:

- ``--out`` is checked before simulating: its nearest existing ancestor must be a folder
  in which we can create one, so a run never ends in a traceback after the work is done;
- an existing folder is replaced (``--overwrite``, ``--fresh``) only when its
  ``manifest.json`` says it is a previous output of the same command and every entry in
  it is a file that command wrote;
- never ``/``, the home folder, the working directory or one of its ancestors, nor a
  folder that holds an input being read (the scenario file, an edge list);
- results are written into a hidden sibling ``.NAME.partial-PID`` and moved into place
  in one step; partial folders left by a killed run are removed by the next one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from simulator.errors import SimulatorError

PARTIAL_MARK = ".partial-"
PARTIAL_STAMP = ".written-by-wom"
"""A file inside every partial folder: only folders that hold it are ever cleaned up."""


def nearest_existing(path: Path) -> Path:
    """``path`` itself or its closest ancestor that exists."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_writable(out: Path, option: str = "--out") -> None:
    """Refuse an ``out`` that cannot be created, before any work is done.

    Examples
    --------
    >>> check_writable(Path("/proc/wom-results"))
    Traceback (most recent call last):
    ...
    simulator.errors.SimulatorError: --out /proc/wom-results: cannot create a folder in /proc (...)
    """
    absolute = Path(os.path.abspath(out))
    if absolute.exists() and not absolute.is_dir():
        raise SimulatorError(f"{option} {out}: exists and is not a folder")
    base = nearest_existing(absolute)
    if not base.is_dir():
        raise SimulatorError(f"{option} {out}: {base} is a file, so no folder can be made below it")
    try:  # os.access says yes to root on read-only mounts and /proc: try for real
        probe = tempfile.mkdtemp(prefix=".wom-probe-", dir=base)
    except OSError as exc:
        raise SimulatorError(
            f"{option} {out}: cannot create a folder in {base} ({exc.strerror or exc})"
        ) from None
    os.rmdir(probe)


def _protected(out: Path, inputs: Iterable[Path]) -> str | None:
    """Why ``out`` may never be replaced, or None."""
    resolved = out.resolve()
    cwd = Path.cwd().resolve()
    if resolved == Path(resolved.anchor):
        return "it is the root folder"
    if resolved == Path.home().resolve():
        return "it is the home folder"
    if cwd == resolved:
        return "it is the working directory"
    if cwd.is_relative_to(resolved):
        return "it holds the working directory"
    for source in inputs:
        if Path(source).resolve().is_relative_to(resolved):
            return f"it holds {source}, an input of this run"
    return None


def check_replaceable(
    out: Path,
    *,
    kind: str,
    inputs: Iterable[Path] = (),
    option: str = "--out",
    flag: str = "--overwrite",
    folders: Iterable[str] = (),
) -> None:
    """Refuse to replace ``out`` unless it is a previous output of the ``kind`` command.

    ``kind`` is the manifest's ``kind`` (``"wom run"``, ``"wom sweep"``); an empty folder
    or a missing one is always fine. ``folders`` names the subfolders the command writes
    (a sweep's ``cells``, ``configs``); any other subfolder, and any symbolic link, is
    refused, so replacing ``out`` can only delete what the command wrote.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "thesis.md").write_text("mine")
    >>> check_replaceable(folder, kind="wom run")
    Traceback (most recent call last):
    ...
    simulator.errors.SimulatorError: --out ...: --overwrite only replaces a folder written by wom run (it has no manifest.json); choose another folder
    """
    if out.is_symlink():
        raise SimulatorError(
            f"{option} {out}: {flag} refused: it is a symbolic link; name the real folder"
        )
    if not out.is_dir() or not any(out.iterdir()):
        return
    reason = _protected(out, inputs)
    if reason is not None:
        raise SimulatorError(f"{option} {out}: {flag} refused: {reason}; choose another folder")
    manifest = out / "manifest.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = None
    except (OSError, ValueError):
        data = {}
    if data is None:
        raise SimulatorError(
            f"{option} {out}: {flag} only replaces a folder written by {kind} (it has no "
            "manifest.json); choose another folder"
        )
    if not isinstance(data, dict) or data.get("kind", kind) != kind or "files" not in data:
        raise SimulatorError(
            f"{option} {out}: {flag} only replaces a folder written by {kind} (its "
            "manifest.json is not one); choose another folder"
        )
    written = set(data.get("files") or ())
    subfolders = set(folders)
    foreign = sorted(
        p.name
        for p in out.iterdir()
        if p.name not in written or p.is_symlink() or (p.is_dir() and p.name not in subfolders)
    )
    if foreign:
        raise SimulatorError(
            f"{option} {out}: {flag} refused: it holds files {kind} did not write "
            f"({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}); move them or "
            "choose another folder"
        )


def partial_folder(out: Path) -> Path:
    """The hidden sibling that a run writes into before moving it to ``out``."""
    out = Path(os.path.abspath(out))
    return out.with_name(f".{out.name}{PARTIAL_MARK}{os.getpid()}")


def make_partial(out: Path) -> Path:
    """Create this process's partial folder for ``out``, stamped as ours; return it.

    A leftover of an earlier process with the same pid is replaced only when it carries
    the stamp; anything else with that name is refused.
    """
    partial = partial_folder(out)
    if partial.is_symlink() or (partial.exists() and not _stamped(partial)):
        raise SimulatorError(
            f"--out {out}: {partial} exists and was not written by wom; move it away"
        )
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    (partial / PARTIAL_STAMP).touch()
    return partial


def finish_partial(partial: Path) -> None:
    """Remove the stamp, so the folder holds only the results, before it is moved in."""
    (partial / PARTIAL_STAMP).unlink(missing_ok=True)


def _stamped(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and (folder / PARTIAL_STAMP).is_file()


def remove_stale_partials(out: Path) -> list[Path]:
    """Remove ``.NAME.partial-PID`` siblings of ``out`` whose process is gone.

    Only folders stamped by :func:`make_partial` are removed: a user's folder that happens
    to have such a name is left alone.
    """
    removed: list[Path] = []
    out = Path(os.path.abspath(out))
    parent = out.parent
    if not parent.is_dir():
        return removed
    for candidate in parent.glob(f".{out.name}{PARTIAL_MARK}*"):
        pid_text = candidate.name.rpartition(PARTIAL_MARK)[2]
        if not pid_text.isdecimal() or not _stamped(candidate) or _alive(int(pid_text)):
            continue
        shutil.rmtree(candidate, ignore_errors=True)
        removed.append(candidate)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own from an earlier call in this process: finished or failed
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------- a command's folder


def check_out(out: Path | None, *, kind: str, overwrite: bool, inputs: Iterable[Path] = ()) -> None:
    """Refuse an unusable or irreplaceable ``--out`` before any work is done.

    ``out`` must be writable; a folder that already holds files needs ``overwrite`` and
    must be one this ``kind`` of command wrote (:func:`check_replaceable`).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "mine.txt").write_text("keep")
    4
    >>> check_out(folder, kind="wom run", overwrite=False)
    Traceback (most recent call last):
    ...
    simulator.errors.SimulatorError: --out ...: folder already holds files; choose a new folder or pass --overwrite
    """
    if out is None:
        return
    check_writable(out)
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise SimulatorError(
                f"--out {out}: folder already holds files; choose a new folder or pass --overwrite"
            )
        check_replaceable(out, kind=kind, inputs=inputs)


@contextlib.contextmanager
def results_folder(
    out: Path,
    *,
    kind: str,
    overwrite: bool,
    inputs: Iterable[Path] = (),
    what: str = "the results",
) -> Iterator[Path]:
    """A stamped partial folder beside ``out`` to write into; moved into place at the end.

    On leaving the block the folder replaces ``out`` in one step, after ``out`` is checked
    again (it may have changed while the command ran): a folder the user filled meanwhile
    is refused and the results are kept in the partial folder, named in the error. An OS
    error while writing (a full disk) removes the partial folder and says so in one line;
    any other failure removes it too. An OS error while moving the results in keeps both
    the previous output and the partial folder, named in the error. Only the partial
    folder, stamped by :func:`make_partial`, and a previous output of the same ``kind``
    are ever deleted, the latter only once the new results are in its place.
    """
    inputs = tuple(inputs)
    remove_stale_partials(out)
    partial = make_partial(out)
    try:
        yield partial
    except OSError as exc:  # a full disk, a folder removed while we wrote: say so, once
        shutil.rmtree(partial, ignore_errors=True)
        raise _cannot_write(out, what, exc) from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    try:
        if out.exists():
            if not overwrite and any(out.iterdir()):
                raise SimulatorError(
                    f"--out {out}: folder filled up while running; results kept in {partial}"
                )
            try:
                check_replaceable(out, kind=kind, inputs=inputs)
            except SimulatorError as exc:
                raise SimulatorError(f"{exc}; results kept in {partial}") from None
        _move_in(partial, out)
    except SimulatorError:
        raise  # the results stay in the partial folder the message names
    except OSError as exc:  # the move failed: the old output is back, the new one kept
        raise SimulatorError(
            f"--out {out}: cannot move {what} into place ({exc.strerror or exc}); "
            f"results kept in {partial}"
        ) from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _move_in(partial: Path, out: Path) -> None:
    """Put ``partial`` in place of ``out`` (an earlier output already checked replaceable).

    The earlier output is renamed aside first and deleted only once the new one is in
    place, so a failed move loses neither: it is renamed back and the error raised.
    """
    finish_partial(partial)
    aside = out.with_name(f"{partial.name}-previous") if out.exists() else None
    if aside is not None:
        out.rename(aside)
    try:
        partial.rename(out)
    except OSError:
        if aside is not None:
            aside.rename(out)
        with contextlib.suppress(OSError):  # still ours, for a later clean-up
            (partial / PARTIAL_STAMP).touch()
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def _cannot_write(out: Path, what: str, exc: OSError) -> SimulatorError:
    return SimulatorError(
        f"--out {out}: cannot write {what} ({exc.strerror or exc}); nothing was left behind"
    )


def written_files(partial: Path) -> list[str]:
    """The files written so far into ``partial``, for the manifest's ``files`` list."""
    return sorted(p.name for p in partial.iterdir() if p.name != PARTIAL_STAMP)
