"""``wom lab``: the teacher notebooks as web apps with the code hidden (served by Voilà), or,
with ``--export DIR``, executed and written as self-contained HTML hand-outs.

Where the notebooks are: ``--notebooks DIR`` (a folder with ``es/`` and ``en/``), else the
source tree's ``notebooks/`` (a checkout or an editable install), else the copy a wheel
installs under ``<prefix>/share/wom-simulator/notebooks``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import simulator
from simulator.errors import ConfigError
from simulator.views.handout import render_handout

LANGS = ("es", "en")
DEFAULT_PORT = 8866
"""Voilà's own default port."""

INSTALLED_NOTEBOOKS = Path("share", "wom-simulator", "notebooks")
"""Where a wheel puts the notebooks, under the environment's prefix (pyproject data-files)."""

_DUMP = """
import json as _wom_json
import ipywidgets as _wom_widgets
from ipywidgets.widgets import widget as _wom_widget_module
from plotly.basewidget import BaseFigureWidget as _WomFigure
_wom_figures = {key: _wom_json.loads(item.to_json())
                for key, item in list(_wom_widget_module._instances.items())
                if isinstance(item, _WomFigure)}
_wom_state = _wom_widgets.Widget.get_manager_state(drop_defaults=False)["state"]
with open(%r, "w", encoding="utf-8") as _wom_file:
    _wom_json.dump({"figures": _wom_figures, "widgets": _wom_state}, _wom_file, default=str)
"""
"""Run in the kernel once the notebook has finished: the last figure of every chart widget
and every widget's state, which the hand-out is drawn from (see simulator.views.handout)."""


def add_lab_parser(commands: Any) -> None:
    """The ``lab`` subcommand's options."""
    parser = commands.add_parser(
        "lab",
        help="serve the teacher notebooks as web pages without code (or --export hand-outs)",
        description="Serve the teacher notebooks with the code hidden (Voilà): controls, "
        "charts and text only. --host 0.0.0.0 makes them reachable from the classroom "
        "network. With --export DIR, run every notebook and write one HTML hand-out each.",
    )
    parser.add_argument("--lang", choices=LANGS, default="es", help="notebooks' language")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this computer only; 0.0.0.0 for "
        "the students' browsers on the classroom network)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--notebooks", type=Path, help="folder with es/ and en/ notebooks")
    parser.add_argument(
        "--export", type=Path, metavar="DIR", help="write HTML hand-outs to DIR instead"
    )
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds a notebook cell may take (export)"
    )


def notebooks_folder(chosen: Path | None) -> Path:
    """The folder holding ``es/`` and ``en/`` notebooks (see the module docstring).

    Examples
    --------
    >>> (notebooks_folder(None) / "es").is_dir()
    True
    >>> notebooks_folder(Path("/nowhere"))
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: --notebooks must be a folder with es/ and en/ notebooks (*.ipynb); got '/nowhere'
    """
    if chosen is not None:
        candidates = [chosen]
    else:
        source_tree = Path(simulator.__file__).resolve().parents[1] / "notebooks"
        candidates = [source_tree, Path(sys.prefix) / INSTALLED_NOTEBOOKS]
    for folder in candidates:
        if all(any((folder / lang).glob("*.ipynb")) for lang in LANGS):
            return folder
    if chosen is not None:
        raise ConfigError(
            f"--notebooks must be a folder with es/ and en/ notebooks (*.ipynb); got '{chosen}'"
        )
    raise ConfigError(
        "no teacher notebooks found (looked in "
        + ", ".join(str(folder) for folder in candidates)
        + "); pass --notebooks DIR, the notebooks/ folder of the project's source"
    )


def _kernel_path(folder: Path, lang: str | None = None) -> str:
    """A JUPYTER_PATH whose ``python3`` kernel is this interpreter (so the notebooks import
    this installation of the simulator, whatever ``python`` is on PATH); with ``lang``, the
    kernel draws plotly figures with :mod:`simulator.views.lab_renderer`."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    argv.append("--IPKernelApp.log_level=ERROR")  # not the warning about local TCP
    if lang is not None:
        startup = f"from simulator.views.lab_renderer import use; use({lang!r})"
        argv.append(f"--IPKernelApp.exec_lines={[startup]!r}")
    kernel = {"argv": argv, "display_name": "Python 3", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    return os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")]))


def _offline_template(folder: Path) -> None:
    """Voilà's ``lab`` template as template ``wom`` under ``folder``, without the links to a
    CDN's copy of Font Awesome (Voilà's own bundle already carries the icons), so the pages
    ask nothing of the internet."""
    # Jupyter comes with the notebooks extra, needed only to serve
    from jupyter_core.paths import jupyter_path

    roots = [Path(root) for root in jupyter_path("voila", "templates")]
    lab = next((root / "lab" for root in roots if (root / "lab" / "index.html.j2").is_file()), None)
    base = next((root / "base" for root in roots if (root / "base" / "page.html").is_file()), None)
    if lab is None or base is None:
        raise ConfigError("wom lab: Voilà's lab template is missing; reinstall voila")
    target = folder / "voila" / "templates" / "wom"
    target.mkdir(parents=True, exist_ok=True)
    for source in [*sorted(lab.iterdir()), base / "page.html"]:
        if source.is_file() and not (target / source.name).exists():
            lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
            kept = [line for line in lines if "cdn.jsdelivr.net" not in line]
            (target / source.name).write_text("".join(kept), encoding="utf-8")
    # found after wom: the lab template's other files, and nbconvert's lab template it extends
    (target / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")


def _check_address(host: str, port: int) -> None:
    """Refuse a port out of range, an address this computer cannot listen on, a port in use."""
    if not 1 <= port <= 65535:
        raise ConfigError(f"--port must be an integer from 1 to 65535; got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ConfigError(
            f"--host must be an address of this computer (127.0.0.1, 0.0.0.0, ...); got {host!r}"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as error:
            raise ConfigError(
                f"--host {host} --port {port}: cannot listen there ({error.strerror}); "
                "choose another --port, or --host 127.0.0.1"
            ) from None


def _classroom_address() -> str:
    """This computer's address on the local network (a UDP socket's local end; connecting a
    UDP socket sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def _voila_available() -> None:
    try:
        import voila  # noqa: F401
    except ImportError:
        raise ConfigError(
            "wom lab needs Voilà and Jupyter widgets: pip install 'wom-simulator[notebooks]'"
        ) from None


def serve_command(args: argparse.Namespace, folder: Path) -> int:
    """Serve ``folder`` with Voilà until interrupted; returns Voilà's exit status."""
    _check_address(args.host, args.port)
    _voila_available()
    with tempfile.TemporaryDirectory(prefix="wom-lab-") as scratch:
        env = {**os.environ, "JUPYTER_PATH": _kernel_path(Path(scratch), args.lang)}
        _offline_template(Path(scratch))
        command = [
            sys.executable,
            "-m",
            "voila",
            str(folder),
            f"--port={args.port}",
            f"--Voila.ip={args.host}",
            "--theme=light",
            "--template=wom",
            "--show_tracebacks=False",
            "--VoilaConfiguration.strip_sources=True",
            # a closed tab frees its simulation after 15 minutes idle
            "--MappingKernelManager.cull_idle_timeout=900",
            "--MappingKernelManager.cull_interval=60",
        ]
        if args.no_browser:
            command.append("--no-browser")
        shown = _classroom_address() if args.host in ("0.0.0.0", "::") else args.host
        print(f"wom lab: the {args.lang} notebooks at http://{shown}:{args.port}/", flush=True)
        if shown != args.host:
            print("wom lab: students on this network open that address; Ctrl-C stops", flush=True)
        process = subprocess.Popen(command, env=env, cwd=scratch)

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)  # a terminated wom stops Voilà too
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()  # Voilà shuts its kernels down on SIGTERM
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)


def export_notebook(path: Path, out: Path, lang: str, *, timeout: int, scratch: Path) -> int:
    """Run the notebook at ``path`` and write its hand-out to ``out``; the figures drawn."""
    # the notebooks extra; only --export runs notebooks
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    workdir = Path(tempfile.mkdtemp(prefix=path.stem, dir=scratch))
    state_file = workdir / "wom-widgets.json"
    notebook.cells.append(nbformat.v4.new_code_cell(_DUMP % str(state_file)))
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=timeout,
        resources={"metadata": {"path": str(workdir)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        first = str(error).strip().splitlines()[-1] if str(error).strip() else "error"
        raise ConfigError(f"{path}: a cell failed while exporting: {first}") from None
    notebook.cells.pop()
    state = json.loads(state_file.read_text(encoding="utf-8"))
    page, drawn = render_handout(
        notebook, figures=state["figures"], widgets=state["widgets"], lang=lang
    )
    out.write_text(page, encoding="utf-8")
    return drawn


def export_command(args: argparse.Namespace, folder: Path) -> int:
    """Write one hand-out per notebook of ``folder`` into ``args.export``."""
    _voila_available()
    out = args.export
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--export must be a folder; got '{out}', which is a file")
    if args.timeout <= 0:
        raise ConfigError(f"--timeout must be a positive number of seconds; got {args.timeout}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wom-export-") as scratch:
        previous = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = _kernel_path(Path(scratch))
        try:
            for path in sorted(folder.glob("*.ipynb")):
                target = out / f"{path.stem}.html"
                drawn = export_notebook(
                    path, target, args.lang, timeout=args.timeout, scratch=Path(scratch)
                )
                print(f"wom lab: {target} ({drawn} charts)", flush=True)
        finally:
            if previous is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = previous
    return 0


def lab_command(args: argparse.Namespace) -> int:
    """``wom lab``: serve the notebooks, or export them with ``--export``."""
    folder = notebooks_folder(args.notebooks) / args.lang
    if args.export is not None:
        return export_command(args, folder)
    return serve_command(args, folder)
