"""Teacher notebooks: stored clean, the same in Spanish and English, and run end to end.

Every notebook is executed with nbclient on a ``python3`` kernel that is this interpreter,
with ``WOM_NOTEBOOK_QUICK=1`` (a smaller town and fewer runs). A cell that raises, prints to
stderr or shows a warning fails the test. Interactive charts are built and their callbacks
called once by the notebooks themselves, so no browser is needed.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import sys
import tokenize
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LANGUAGES = ("es", "en")
PATHS = sorted(path for lang in LANGUAGES for path in (NOTEBOOKS / lang).glob("*.ipynb"))
PUBLIC_API = re.compile(r"^\s*(?:from|import)\s+(simulator[\w.]*)(?:\s+import\s+(.+))?", re.M)
PRIVATE = re.compile(r"\b_\w")
# Shown before the notebook runs, so that warnings raised inside libraries are printed too
# (Python hides DeprecationWarning outside __main__ by default).
SHOW_WARNINGS = "import warnings\nwarnings.simplefilter('default')"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_every_notebook_exists_in_both_languages():
    numbered = {
        lang: sorted(p.name[:3] for p in PATHS if p.parent.name == lang) for lang in LANGUAGES
    }
    assert numbered["es"], "no notebooks found"
    assert numbered["es"] == numbered["en"]
    for spanish in (p for p in PATHS if p.parent.name == "es"):
        english = next((NOTEBOOKS / "en").glob(f"{spanish.name[:3]}*.ipynb"))
        kinds = [[cell.cell_type for cell in read(path).cells] for path in (spanish, english)]
        assert kinds[0] == kinds[1], f"{spanish.name} and {english.name} differ in their cells"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_stored_without_outputs_and_with_public_api_only(path):
    notebook = read(path)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear outputs"
        for module, names in PUBLIC_API.findall(cell.source):
            assert not PRIVATE.search(module), f"{path.name}: private module {module}"
            assert not PRIVATE.search(names), f"{path.name}: private name in {names}"
        assert not re.search(r"simulator[\w.]*\._", cell.source), f"{path.name}: private name"


FIRST_SCREEN_LINES = 40
"""Lines a first screen shows: a laptop's JupyterLab or Voilà page at 1366 x 768."""

QUESTION = {"es": "**La pregunta.**", "en": "**The question.**"}


def visible_lines(cell: nbformat.NotebookNode) -> int:
    """Lines a reader sees of a cell before running it: a collapsed code cell is one line."""
    if cell.cell_type == "code" and cell.metadata.get("jupyter", {}).get("source_hidden"):
        return 1
    return len(cell.source.splitlines())


@pytest.mark.parametrize("path", PATHS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_opens_with_the_question_and_a_control(path):
    """The first cell asks the lesson's question; the first control panel comes within the
    first screen (markdown lines plus code lines left open), before any output of its own."""
    cells = read(path).cells
    assert cells[0].cell_type == "markdown"
    assert QUESTION[path.parent.name] in cells[0].source, f"{path.name}: no question first"
    first_panel = next(i for i, cell in enumerate(cells) if "lab_panel(" in cell.source)
    before = sum(visible_lines(cell) for cell in cells[:first_panel])
    assert before <= FIRST_SCREEN_LINES, f"{path.name}: {before} lines before the first control"


THINGS_TO_TRY = {"es": "## Cosas que probar", "en": "## Things to try"}


def things_to_try(path: Path) -> list[str]:
    """The numbered items of a notebook's "things to try" section, one string each."""
    cell = next(c for c in read(path).cells if THINGS_TO_TRY[path.parent.name] in c.source)
    return re.split(r"\n(?=\d+\. )", cell.source.split("\n", 1)[1].strip())


@pytest.mark.parametrize("path", [p for p in PATHS if p.parent.name == "en"], ids=lambda p: p.stem)
def test_things_to_try_are_done_with_the_controls(path):
    """``wom lab`` shows no code, so what a lesson asks a student to try is done with its
    controls: no item names code (`...`), except in notebook 05, the researchers'. Both
    languages list the same items."""
    spanish = next((NOTEBOOKS / "es").glob(f"{path.name[:3]}*.ipynb"))
    items = {lang: things_to_try(p) for lang, p in (("en", path), ("es", spanish))}
    assert len(items["en"]) == len(items["es"]) >= 4, items
    for lang, listed in items.items():
        assert all(item.startswith(f"{n}. ") for n, item in enumerate(listed, 1)), listed
        if not path.name.startswith("05"):
            with_code = [item for item in listed if "`" in item]
            assert not with_code, f"{lang} {path.stem}: {with_code}"


CODE_EDIT = re.compile(
    r"\b(?:set|change|edit|replace|assign|type|cambia|pon|escribe|sustituye|modifica|asigna)\b"
    r"[^.!?\n]*`[^`]+`",
    re.I,
)
"""A sentence that asks the reader to edit code: a verb of editing, then a name in code."""


def code_edits(path: Path) -> list[str]:
    """Sentences of a notebook's text that ask the reader to edit code to see something."""
    text = " ".join(
        c.source.replace("\n", " ") for c in read(path).cells if c.cell_type == "markdown"
    )
    return [found.group(0) for found in CODE_EDIT.finditer(text)]


def test_code_edits_finds_the_old_map_instructions():
    old = {
        "en": "Press **Play**. To see another strategy, set `ANIMATED` to another of the names",
        "es": "Para ver otra estrategia, cambia `ANIMATED` por otro de los nombres",
    }
    for sentence in old.values():
        assert CODE_EDIT.search(sentence), sentence
    assert not CODE_EDIT.search("Set the **budget** to €100. Then `wom run` it.")


@pytest.mark.parametrize(
    "path",
    [p for p in PATHS if not p.name.startswith("05")],
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_no_lesson_asks_the_student_to_edit_code(path):
    """``wom lab`` hides the code: what a lesson shows is chosen with its controls (notebook
    05, the researchers', may ask for code)."""
    assert not code_edits(path), f"{path.name}: {code_edits(path)}"


def typed_numbers(source: str) -> list[str]:
    """String literals of ``source`` holding a digit outside an f-string's replacement
    fields: a number typed into a sentence instead of computed."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        # Python 3.12 splits an f-string into tokens; FSTRING_MIDDLE holds its literal text.
        if token.type not in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)):
            continue
        literal = token.string
        while re.search(r"\{[^{}]*\}", literal):
            literal = re.sub(r"\{[^{}]*\}", "", literal)
        if re.search(r"\d", literal):
            found.append(token.string)
    return found


def test_typed_numbers_finds_digits_in_sentences_only():
    source = 'f"{number(p, LANG, 3)} of them"\nx = values[1:]\n"about 4 times"'
    assert typed_numbers(source) == ['"about 4 times"']


@pytest.fixture(scope="module")
def jupyter_path(tmp_path_factory) -> str:
    """A JUPYTER_PATH whose ``python3`` kernel is this interpreter."""
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return str(folder)


@pytest.fixture(scope="module")
def executed(tmp_path_factory, jupyter_path) -> Callable[[Path], tuple]:
    """Run notebooks in quick mode; ``executed(path)`` gives ``(notebook, error or None)``.

    In a plain run the first call runs every notebook, two at a time (one per core of CI's
    machine). Under pytest-xdist each worker runs only the notebooks of its own tests, since
    the workers already share the cores.
    """
    done: dict[Path, tuple] = {}

    async def run(path: Path, slots: asyncio.Semaphore) -> None:
        notebook = read(path)
        notebook.cells.insert(0, nbformat.v4.new_code_cell(SHOW_WARNINGS))
        workdir = tmp_path_factory.mktemp(path.stem)
        client = NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=300,
            resources={"metadata": {"path": str(workdir)}},
        )
        async with slots:
            try:
                await client.async_execute()
            except Exception as error:  # a failing cell, a timeout or a dead kernel
                done[path] = (notebook, error)
                return
        done[path] = (notebook, None)

    async def run_all(paths: list[Path]) -> None:
        slots = asyncio.Semaphore(2)
        await asyncio.gather(*(run(path, slots) for path in paths))

    def get(path: Path) -> tuple:
        if path not in done:
            alone = "PYTEST_XDIST_WORKER" in os.environ
            with pytest.MonkeyPatch.context() as patch:
                # This kernelspec comes first on JUPYTER_PATH: "python3" is this interpreter.
                patch.setenv("JUPYTER_PATH", jupyter_path)
                patch.setenv("WOM_NOTEBOOK_QUICK", "1")
                asyncio.run(run_all([path] if alone else [p for p in PATHS if p not in done]))
        return done[path]

    return get


def problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Errors, stderr output and warnings shown by any cell."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"cell {index} wrote to stderr: {output.text[:500]}")
            elif output.output_type == "stream" and "Warning" in output.text:
                found.append(f"cell {index} shows a warning: {output.text[:500]}")
    return found


@pytest.mark.parametrize("path", PATHS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_notebook_runs_clean(path, executed):
    notebook, error = executed(path)
    found = problems(notebook)
    assert error is None and not found, "\n".join([*found, repr(error)])
    uses_widgets = any("widgets." in cell.source for cell in notebook.cells)
    assert notebook.metadata.get("widgets") or not uses_widgets, "widget state was not saved"


PICK_EACH_STRATEGY = """
import json as _json
import ipywidgets as _widgets
from ipywidgets.widgets.widget import _instances as _all

_names = list(STRATEGIES.values())
_lists = [w for w in list(_all.values())
          if isinstance(w, _widgets.Dropdown) and list(w.options) == _names]
_maps = [w for w in list(_all.values()) if isinstance(w, _widgets.Output)]
_seen = {"lists": len(_lists), "maps": len(_maps), "drawn": []}
for _name in [*_names[1:], _names[0]]:
    _lists[0].value = _name
    (_shown,) = _maps[0].outputs
    _figure = _shown["data"]["application/vnd.plotly.v1+json"]
    _seen["drawn"].append([_name, _figure["layout"]["title"]["text"], len(_figure["frames"])])
print(_json.dumps(_seen))
"""
"""Run after notebook 02: pick each strategy in the map's list and say what the map shows."""


@pytest.mark.parametrize(
    "path", [p for p in PATHS if p.name.startswith("02")], ids=lambda p: p.parent.name
)
def test_the_map_shows_the_strategy_picked_in_its_list(path, jupyter_path, monkeypatch):
    """Notebook 02's map has a list of the strategies (no code to edit) and redraws the
    spread of the one picked: one list, one map, and after each pick an animation whose
    title names that strategy."""
    notebook = read(path)
    notebook.cells.append(nbformat.v4.new_code_cell(PICK_EACH_STRATEGY))
    monkeypatch.setenv("JUPYTER_PATH", jupyter_path)
    monkeypatch.setenv("WOM_NOTEBOOK_QUICK", "1")
    client = NotebookClient(notebook, kernel_name="python3", timeout=300)
    client.execute(cwd=str(path.parent))
    printed = "".join(
        o.get("text", "") for o in notebook.cells[-1].outputs if o.output_type == "stream"
    )
    seen = json.loads(printed)
    assert seen["lists"] == 1 and seen["maps"] == 1, seen
    assert len(seen["drawn"]) == 4, seen
    for name, title, frames in seen["drawn"]:
        assert name in title and frames > 1, (name, title, frames)


def test_problems_reports_errors_stderr_and_warnings():
    cell = nbformat.v4.new_code_cell("print('hello')")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
        nbformat.v4.new_output("stream", name="stderr", text="oops\n"),
        nbformat.v4.new_output("stream", name="stdout", text="FutureWarning: careful\n"),
        nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=[]),
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    found = problems(notebook)
    assert [line.split(":")[0] for line in found] == [
        "cell 0 wrote to stderr",
        "cell 0 shows a warning",
        "cell 0",
    ]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_closes_with_the_answer_measured_by_the_run(path, executed):
    """The last cell states the answer as markdown computed from the notebook's results:
    no number typed into its text, at least one number in what it shows."""
    notebook, error = executed(path)
    assert error is None, repr(error)
    last = notebook.cells[-1]
    assert last.cell_type == "code", f"{path.name}: the last cell is not the answer"
    assert not typed_numbers(last.source), f"{path.name}: {typed_numbers(last.source)}"
    shown = [
        output["data"]["text/markdown"]
        for output in last.outputs
        if output.output_type == "execute_result" and "text/markdown" in output.get("data", {})
    ]
    assert shown, f"{path.name}: the last cell shows no markdown"
    assert re.search(r"\d", shown[0]), f"{path.name}: the answer holds no number"
    phrase = {"es": "intervalo del 95 %", "en": "95 % interval"}[path.parent.name]
    assert phrase in shown[0], f"{path.name}: the answer gives no interval"
