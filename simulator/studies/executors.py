"""Where cells run: this process, a pool of ``spawn`` processes that die with it, or Dask.

An executor takes :class:`~simulator.studies.worker.CellTask` objects and yields
:class:`~simulator.studies.worker.CellOutcome` objects as cells finish, in any order;
closing the generator stops the workers. Worker processes exit when the sweep's process
dies, even by ``kill -9`` (:mod:`simulator.lifeline`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
from collections.abc import Generator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from simulator import lifeline
from simulator.errors import ArgumentError, ConfigError, SimulatorError
from simulator.studies import worker
from simulator.studies.worker import CellOutcome, CellTask

MAX_WORKER_DEATHS = 3
"""Attempts of a cell whose worker process dies (out of memory, killed) before it fails."""

Outcomes = Generator[CellOutcome, None, None]
"""What an executor yields, cell by cell as they finish; closing it stops the workers."""


def check_options(executor: str, workers: int | None, scheduler: str | None) -> int:
    """The executor options, checked before any work; returns the number of workers.

    Examples
    --------
    >>> check_options("local", 1, None)
    1
    >>> check_options("threads", 1, None)
    Traceback (most recent call last):
    ...
    simulator.errors.ArgumentError: The 'executor' parameter of run_sweep must be 'local' or 'dask'. Got 'threads'.
    """
    if executor not in ("local", "dask"):
        raise ArgumentError(
            f"The 'executor' parameter of run_sweep must be 'local' or 'dask'. Got {executor!r}."
        )
    if scheduler and executor != "dask":
        raise ConfigError("--scheduler needs --executor dask")
    if scheduler:
        check_scheduler_address(scheduler)
    return lifeline.check_workers(lifeline.available_cpus() if workers is None else workers)


def _stop_pool(pool: Any, *, abort: bool) -> None:
    if abort:
        terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
        if terminate is not None:
            terminate()
        else:  # older Pythons: stop the running cells rather than wait for them
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


_NO_WORKER = (
    "the worker processes stopped before finishing any cell: from a script, call run_sweep "
    "under 'if __name__ == \"__main__\":' (workers start with spawn, which imports the main "
    "module again); otherwise a cell may need more memory than a worker has (lower "
    "population.size or simulation.block_size, or use one worker)"
)


def run_local(tasks: Sequence[CellTask], workers: int) -> Outcomes:
    """Cells in this process (one worker) or in a pool of ``spawn`` processes."""
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            # worker.run_cell is looked up when called, so a test may replace it.
            yield worker.run_cell(task)
        return
    context = multiprocessing.get_context("spawn")
    deaths: dict[str, int] = {}
    finished_any = False
    queue = list(tasks)
    while queue:
        # Workers exit with this process, even when it is killed (no orphans computing on).
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(queue)),
            mp_context=context,
            initializer=lifeline.start_worker,
            initargs=(os.getpid(), lifeline.ignore_interrupt),
        )
        finished = False
        try:
            futures = {pool.submit(worker.run_cell, task): task for task in queue}
            queue = []
            for future in as_completed(futures):
                task = futures[future]
                try:
                    outcome = future.result()
                    finished_any = True
                except BrokenProcessPool:
                    if not finished_any:
                        raise SimulatorError(_NO_WORKER) from None
                    # Every cell still in the pool lands here; run them again in a new pool.
                    deaths[task.id] = deaths.get(task.id, 0) + 1
                    if deaths[task.id] < MAX_WORKER_DEATHS:
                        queue.append(task)
                        continue
                    outcome = CellOutcome(
                        task.id,
                        error=f"its worker process died {MAX_WORKER_DEATHS} times "
                        "(out of memory? lower population.size or simulation.block_size)",
                    )
                except Exception as exc:
                    outcome = CellOutcome(task.id, error=f"{type(exc).__name__}: {exc}")
                yield outcome
            finished = True
        finally:
            _stop_pool(pool, abort=not finished)
        queue.sort(key=lambda task: task.id)


SCHEDULER_SCHEMES = ("tcp", "tls", "ucx", "inproc")
"""Dask comm protocols a ``--scheduler`` address may name."""

_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
_ADDRESS = re.compile(rf"(?:(?P<scheme>[A-Za-z0-9]+)://)?(?P<host>{_HOST}):(?P<port>[0-9]{{1,5}})")
_INPROC = re.compile(rf"inproc://{_HOST}/[0-9]+/[0-9]+")


def check_scheduler_address(address: str, *, option: str = "--scheduler") -> str:
    """Check the form of a Dask scheduler address, ``SCHEME://HOST:PORT``, before connecting.

    A missing scheme is ``tcp`` (as Dask reads it). Returns the address.

    Examples
    --------
    >>> check_scheduler_address("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> check_scheduler_address("garbage")
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: --scheduler 'garbage': expected SCHEME://HOST:PORT with SCHEME one of tcp, tls, ucx, inproc, e.g. tcp://10.0.0.5:8786
    """
    expected = (
        f"{option} {address!r}: expected SCHEME://HOST:PORT with SCHEME one of "
        f"{', '.join(SCHEDULER_SCHEMES)}, e.g. tcp://10.0.0.5:8786"
    )
    if not isinstance(address, str):
        raise ConfigError(expected)
    if _INPROC.fullmatch(address):
        return address
    match = _ADDRESS.fullmatch(address.strip())
    if match is None:
        raise ConfigError(expected)
    scheme = (match["scheme"] or "tcp").lower()
    if scheme not in SCHEDULER_SCHEMES or scheme == "inproc":
        raise ConfigError(expected)
    if not 1 <= int(match["port"]) <= 65535:
        raise ConfigError(f"{option} {address!r}: the port must be 1 to 65535")
    return address.strip()


def import_dask() -> Any:
    try:
        import dask.distributed  # heavy and optional (the dask extra)
    except ImportError:
        raise SimulatorError(
            "--executor dask needs dask.distributed: pip install 'wom-simulator[dask]'"
        ) from None
    return dask.distributed


def connect_dask(workers: int, scheduler: str | None, timeout: float | None) -> tuple[Any, Any]:
    """A client of ``scheduler``'s cluster, or of a new LocalCluster: ``(client, cluster)``.

    Called before the output folder is touched, so a scheduler that cannot be reached
    leaves nothing behind. ``timeout`` (seconds) defaults to Dask's
    ``distributed.comm.timeouts.connect`` (30 s unless configured, e.g. by the environment
    variable ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``).
    """
    distributed = import_dask()
    if scheduler:
        extra = {} if timeout is None else {"timeout": timeout}
        try:
            client = distributed.Client(scheduler, **extra)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise SimulatorError(f"--scheduler {scheduler}: cannot connect ({reason})") from None
        return client, None
    try:
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,  # cancelling on Ctrl-C logs warnings by design
        )
    except Exception as exc:  # e.g. a script without a main guard
        reason = " ".join(str(exc).split())
        raise SimulatorError(f"cannot start a Dask LocalCluster ({reason}); {_NO_WORKER}") from None
    # Its workers need no lifeline: each nanny (here) holds a pipe whose closing ends them.
    try:
        client = distributed.Client(cluster)
        client.run(lifeline.ignore_interrupt)  # our own workers: Ctrl-C is the client's
    except BaseException:
        cluster.close()
        raise
    return client, cluster


def run_dask(tasks: Sequence[CellTask], client: Any, key: str) -> Outcomes:
    """Cells on a Dask cluster through ``client`` (closed by the caller)."""
    from dask.distributed import as_completed as dask_completed  # heavy, optional

    futures = []
    finished = False
    try:
        by_key = {}
        for task in tasks:
            # Keys name the study and the cell: a resumed client reuses in-flight cells.
            future = client.submit(worker.run_cell, task, key=f"wom-{key}-{task.id}", pure=False)
            by_key[future.key] = task
            futures.append(future)
        for future in dask_completed(futures):
            task = by_key[future.key]
            try:
                outcome = future.result()
            except Exception as exc:  # a worker died repeatedly, or cannot import simulator
                outcome = CellOutcome(
                    task.id, error=f"the Dask task failed: {type(exc).__name__}: {exc}"
                )
            future.release()
            yield outcome
        finished = True
    finally:
        if not finished:
            client.cancel(futures)


def close_dask(client: Any, cluster: Any) -> None:
    client.close()
    if cluster is not None:
        cluster.close()
