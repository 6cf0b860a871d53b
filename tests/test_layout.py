"""The house rules of the package's layout, checked on every run of the tests.

- each folder imports only from the layers below it (the import-linter contract in
  pyproject.toml, also run by CI as ``lint-imports``);
- an import inside a function is for a heavy third-party package (numba-compiled
  modules, plotly, tqdm...) and says why in a comment; our own light modules are imported
  at the top, so the import graph the contract checks is the real one;
- no module over 600 lines.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulator"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 600


def _type_checking_blocks(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            lines |= set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    typing_only = _type_checking_blocks(tree)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom) and node.lineno not in typing_only:
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_import_contract_is_kept():
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if linter is None:
        pytest.skip("import-linter is not installed (pip install '.[test]')")
    process = subprocess.run([linter], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert process.returncode == 0, process.stdout[-3000:]
    assert "0 broken" in process.stdout


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_inside_functions_say_why(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    silent = []
    for number, statement in _function_level_imports(path):
        # A comment on the line, or above the group of imports it belongs to.
        first = number
        while first > 1 and lines[first - 2].strip().startswith(("import ", "from ")):
            first -= 1
        above = lines[first - 2] if first > 1 else ""
        if "#" not in lines[number - 1] and not above.strip().startswith("#"):
            silent.append(f"{path.name}:{number}: {statement}")
    assert not silent, "an import inside a function needs a comment saying why: " + "; ".join(
        silent
    )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path):
    count = len(path.read_text(encoding="utf-8").splitlines())
    assert count <= MAX_LINES, f"{path.name} has {count} lines; split it by concept"
