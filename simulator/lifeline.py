"""Worker processes that die with the process that started them, and how many to start.

A pool of ``spawn`` processes outlives a parent killed with SIGKILL (out-of-memory killer,
``kill -9``, a lost terminal): its workers block on a queue whose write end they hold
themselves, so they never see end-of-file and keep computing, reparented to init, for as long
as their cell takes and then forever. The multiprocessing resource tracker exits once every
worker has gone (its pipe closes), so stopping the workers stops it too.

:func:`start_worker` is a pool ``initializer`` that starts :func:`exit_with_parent` and then
runs the pool's own initializer::

    ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=lifeline.start_worker,
        initargs=(os.getpid(), own_initializer, *own_args),
    )

Dask ``LocalCluster`` workers need none of this: each is started by its nanny (in the
parent process) with a pipe whose closing makes the worker exit at once.

:func:`check_workers` is the one rule for ``--workers``: at least 1, a warning above the
CPUs this process may use, refused above :data:`MAX_WORKERS` or :data:`OVERSUBSCRIPTION`
times the CPUs.
"""

from __future__ import annotations

import operator
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from simulator.errors import ConfigError, SimulatorWarning

POLL_SECONDS = 0.2
"""How often a worker checks that its parent is alive."""

MAX_WORKERS = 256
"""Most worker processes a command may start, whatever the machine."""

OVERSUBSCRIPTION = 8
"""Most worker processes per CPU: beyond it they only share the CPUs and the memory."""

_PR_SET_PDEATHSIG = 1


class WorkerCountWarning(SimulatorWarning):
    """More worker processes than CPUs: they take turns, and each holds its own town."""


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, e.g. a container's share).

    Examples
    --------
    >>> available_cpus() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS and Windows have no affinity mask
        return os.cpu_count() or 1


def worker_limit(cpus: int | None = None) -> int:
    """Most workers a command accepts on a machine with ``cpus`` CPUs.

    Examples
    --------
    >>> worker_limit(2), worker_limit(64)
    (16, 256)
    """
    cpus = available_cpus() if cpus is None else cpus
    return min(MAX_WORKERS, OVERSUBSCRIPTION * cpus)


def check_workers(workers: int, *, option: str = "--workers") -> int:
    """Check a number of worker processes before any is started; returns it.

    Refuses fewer than 1 and more than :func:`worker_limit`; warns
    (:class:`WorkerCountWarning`) above :func:`available_cpus`. Results never depend on the
    number of workers, only the time and the memory do.

    Examples
    --------
    >>> check_workers(1)
    1
    >>> check_workers(100_000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: --workers 100000: at most ... worker processes ...
    """
    try:  # int and numpy integers; not bool, float or str
        if isinstance(workers, bool):
            raise TypeError
        workers = operator.index(workers)
    except TypeError:
        raise ConfigError(
            f"{option} must be a whole number of processes, got {workers!r}"
        ) from None
    if workers < 1:
        raise ConfigError(f"{option} must be at least 1, got {workers}")
    cpus = available_cpus()
    limit = worker_limit(cpus)
    if workers > limit:
        raise ConfigError(
            f"{option} {workers}: at most {limit} worker processes on this machine "
            f"({cpus} CPUs; the limit is {OVERSUBSCRIPTION} per CPU, {MAX_WORKERS} in all); "
            f"use {cpus} or fewer"
        )
    if workers > cpus:
        warnings.warn(
            f"{option} {workers} is more than the {cpus} CPUs here: the workers take turns and "
            f"each holds its own copy of the town in memory; {cpus} is as fast",
            WorkerCountWarning,
            stacklevel=2,
        )
    return workers


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else (a reused pid is rare in 0.2 s)
        return True
    return True


def _signal_on_parent_death() -> None:
    """Linux: have the kernel SIGKILL this process when its parent goes.

    Immediate even while a compiled kernel holds the GIL (the polling thread then cannot
    run). The kernel sends it when the *thread* that started this process exits, not the
    process: fine for pools whose processes are started by the thread that uses the pool,
    which is how ``ProcessPoolExecutor`` starts ``spawn`` workers (in ``submit``).
    """
    if not sys.platform.startswith("linux"):
        return
    # ctypes and signal only in worker processes, on Linux
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl (a non-glibc libc): the poll still works
        return


def _watch(parent: int | None, ppid: int, poll_seconds: float) -> None:
    while True:
        time.sleep(poll_seconds)
        if os.getppid() != ppid or (parent is not None and not _alive(parent)):
            os._exit(1)  # no clean-up: the parent that wanted the results is gone


def exit_with_parent(parent: int | None = None, *, poll_seconds: float = POLL_SECONDS) -> None:
    """Make this process exit within ``poll_seconds`` of its parent's death.

    Starts a daemon thread that polls :func:`os.getppid` (it changes when the parent dies
    and this process is reparented) and, when ``parent`` is given, that process's
    existence; on Linux also asks the kernel for SIGKILL at the parent's death.

    Parameters
    ----------
    parent : int, optional
        Pid of the process whose death ends this one, taken *in the parent* (a worker that
        starts after its parent died would otherwise watch init). When this process was
        started through an intermediary (a forkserver), that process is watched too.
    poll_seconds : float
        Interval of the checks.
    """
    _signal_on_parent_death()
    ppid = os.getppid()
    if parent is not None and parent != ppid and not _alive(parent):
        os._exit(1)  # the parent died before this process got here
    also = None if parent == ppid else parent
    threading.Thread(
        target=_watch, args=(also, ppid, poll_seconds), name="wom-lifeline", daemon=True
    ).start()


def start_worker(
    parent: int, initializer: Callable[..., Any] | None = None, *initargs: Any
) -> None:
    """Pool initializer: :func:`exit_with_parent`, then ``initializer(*initargs)``.

    A top-level function of picklable arguments, so ``spawn`` pools can use it; pass
    ``initargs=(os.getpid(), initializer, *its_args)``.
    """
    exit_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def ignore_interrupt() -> None:
    """Ignore Ctrl-C in a worker: it is the parent's to handle (it stops the pool), and
    workers must not print tracebacks."""
    import signal  # only in a worker process

    signal.signal(signal.SIGINT, signal.SIG_IGN)
