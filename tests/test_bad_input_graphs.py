"""Bad graphs are refused before any simulation: edge-list files and CSR arrays.

Every malformed edge list gives one ConfigError line with ``file:line`` (or the file, for
whole-file problems), in-process through :func:`read_edge_list`, through a scenario with an
``edge_list`` layer, and through the ``wom`` command. CSR arrays with an index outside
``0 .. size - 1`` used to leak adopters into the next replicate of a block; they are refused.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from simulator import config as cfg
from simulator.config import load_scenario
from simulator.engine import run as engine
from simulator.engine.run import simulate
from simulator.errors import ArgumentError, ConfigError
from simulator.town.network import GraphWarning, check_edge_lists, loading, read_edge_list
from simulator.validation.cascades import cascade_scenario
from tests.refusal import refuse_and_keep

# (case, text, bad line, what the message says)
BAD_LINES = [
    ("id over 64 bits", "0 1\n123456789012345678901234567890 1\n", 2, "does not fit in 64 bits"),
    ("id just over int64", "0 1\n1 2\n9223372036854775808 1\n", 3, "does not fit in 64 bits"),
    ("double minus", "0 1\n--5 1\n", 2, "'--5' is not a whole number"),
    ("superscript digit", "0 1\n\u00b2 1\n", 2, "'\u00b2' is not a whole number"),
    ("arabic-indic digit", "0 1\n\u0663 1\n", 2, "is not a whole number"),
    ("plus sign", "# c\n0 1\n+5 1\n", 3, "'+5' is not a whole number"),
    ("decimal id", "0 1\n1.0 2\n", 2, "'1.0' is not a whole number"),
    ("words", "0 1\nalice bob\n", 2, "'alice' is not a whole number"),
    ("weight column", "0 1\n1 2 0.5\n", 2, "3 fields: weighted or timestamped"),
    ("trailing comment", "0 1\n1 2 # friends\n", 2, "4 fields"),
    ("one id", "0 1\n\n7\n", 3, "1 field"),
    ("comma separated", "0 1\n1,2\n", 2, "1 field"),
    ("no-break space", "0 1\n1\u00a02\n", 2, "1 field"),
    ("self-loops only", "# loops\n1 1\n2 2\n", 2, "all 2 edges are self-loops"),
]


def _written(content: str | bytes):
    def make(path: Path) -> Path:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return make


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


# (case, how to make the path, what the message says)
BAD_FILES = [
    ("missing", lambda path: path, "edge list not found"),
    ("folder", _folder, "is a folder"),
    ("empty", _written(""), "no edges: the file is empty"),
    ("blank lines", _written("\n \n\t\n"), "no edges: the file has only blank lines"),
    ("comments only", _written("# a\n# b\n"), "only blank and '#' comment lines"),
    ("gzip", _written(gzip.compress(b"0 1\n")), "gzip-compressed"),
]

# Binary and non-UTF-8 files are refused at the line of the first bad byte.
BAD_BYTES = [
    ("NUL byte", b"0 1\n1 2\n\x00\x01\x02\x03", 3, "NUL byte: this is a binary file"),
    ("latin-1", b"0 1\n1 caf\xe9\n", 2, "not UTF-8 text (byte 0xe9)"),
]


def _message(excinfo: pytest.ExceptionInfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("case", "text", "line", "says"), BAD_LINES, ids=[c[0] for c in BAD_LINES])
def test_bad_line_names_file_and_line(tmp_path, case, text, line, says):
    path = tmp_path / "g.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as excinfo:
        read_edge_list(path)
    message = _message(excinfo)
    assert message.startswith(f"{path}:{line}: "), message
    assert says in message, message


@pytest.mark.parametrize(("case", "data", "line", "says"), BAD_BYTES, ids=[c[0] for c in BAD_BYTES])
def test_binary_file_names_file_and_line(tmp_path, case, data, line, says):
    path = tmp_path / "g.txt"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as excinfo:
        read_edge_list(path)
    message = _message(excinfo)
    assert message.startswith(f"{path}:{line}: ") and says in message, message


@pytest.mark.parametrize(("case", "make", "says"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_names_the_file(tmp_path, case, make, says):
    path = make(tmp_path / "g.txt")
    with pytest.raises(ConfigError) as excinfo:
        read_edge_list(path)
    message = _message(excinfo)
    assert message.startswith(f"{path}: ") and says in message, message


@pytest.mark.parametrize(
    "text",
    [
        "0 1\r\n1 2\r\n",  # Windows line ends
        "\ufeff0 1\n1 2\n",  # byte-order mark
        "  0\t1  \n\n# comment\n   # indented comment\n1 2",  # tabs, no final newline
        "-10 -3\n-3 7\n",  # negative ids: labels, relabelled in increasing order
        "0000000000000000000010 0000000000000000000020\n20 9223372036854775807\n",  # 19+ digits
        "0 1\n1 2\n1 0\n2 1\n0 1\n",  # both directions and repeats are one tie
    ],
)
def test_accepted_spellings_give_the_same_path_graph(tmp_path, text):
    path = tmp_path / "g.txt"
    path.write_bytes(text.encode("utf-8"))
    indptr, indices, _ = read_edge_list(path)
    assert indptr.tolist() == [0, 1, 3, 4]
    assert indices.tolist() == [1, 0, 2, 1]


def test_self_loops_are_dropped_with_a_warning_naming_file_and_count(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("# x\n0 1\n1 1\n1 2\n2 2\n3 3\n")
    with pytest.warns(
        GraphWarning, match=r"g\.txt: dropped 3 self-loops \('u u' lines, first at line 3"
    ):
        indptr, indices, _ = read_edge_list(path)
    assert indptr.tolist() == [0, 1, 3, 4]  # node 3 had only a self-loop: not a node
    assert indices.tolist() == [1, 0, 2, 1]


def test_snap_ego_facebook_reads_whole():
    path = Path("/work/shared/data/facebook_combined.txt")
    if not path.exists():
        pytest.skip("the SNAP ego-Facebook file is not on this machine")
    indptr, indices, _ = read_edge_list(path, size=4039)
    assert indptr.size == 4040
    assert indices.size == 2 * 88_234  # undirected, no repeats, no self-loops
    assert (np.diff(indptr) > 0).all()


def test_parsed_files_are_cached_until_they_change(tmp_path, monkeypatch):
    path = tmp_path / "g.txt"
    path.write_text("0 1\n1 2\n")
    parsed = []
    parse = loading._parse
    monkeypatch.setattr(loading, "_parse", lambda p: parsed.append(p) or parse(p))
    first = read_edge_list(path)
    again = read_edge_list(path)
    assert len(parsed) == 1
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    path.write_text("0 1\n1 2\n2 3\n")  # another size: read again
    assert read_edge_list(path)[0].size == 5
    assert len(parsed) == 2


# --------------------------------------------------------------------------- through a scenario

SCENARIO = """\
title = "edge list"
[simulation]
steps = 3
replicates = 2
block_size = 2
[population]
size = {size}
[[population.segments]]
name = "everyone"
share = 1.0
[layers.friends]
kind = "edge_list"
path = "g.txt"
[channels.seeds]
kind = "seeding"
seeds = 1
[[strategies]]
name = "seed one"
channels = ["seeds"]
"""

PATH_50 = "".join(f"{i} {i + 1}\n" for i in range(49))  # a path over 50 people


def _config(root: Path, edges: str | bytes | None, size: int = 50) -> Path:
    """A tiny scenario whose only layer reads ``root/g.txt`` (written unless None)."""
    config = root / "scenario.toml"
    config.write_text(SCENARIO.format(size=size), encoding="utf-8")
    if isinstance(edges, bytes):
        (root / "g.txt").write_bytes(edges)
    elif edges is not None:
        (root / "g.txt").write_text(edges, encoding="utf-8")
    return config


def test_good_edge_list_scenario_runs_without_warnings(tmp_path):
    scenario = load_scenario(_config(tmp_path, PATH_50))
    assert check_edge_lists(scenario) == 1
    result = simulate(scenario)  # pytest turns any warning into an error
    assert result.provenance["network"]["friends"]["edges"] == 2 * 49


@pytest.mark.parametrize(
    ("case", "text", "line", "says"), BAD_LINES[::2], ids=[c[0] for c in BAD_LINES[::2]]
)
def test_bad_edge_list_refused_by_simulate_before_any_block(
    tmp_path, monkeypatch, case, text, line, says
):
    scenario = load_scenario(_config(tmp_path, text))
    monkeypatch.setattr(engine, "run_block", _no_simulation)
    path = (tmp_path / "g.txt").resolve()
    for check in (check_edge_lists, simulate):
        with pytest.raises(ConfigError) as excinfo:
            check(scenario)
        message = _message(excinfo)
        assert message.startswith(f"{path}:{line}: ") and says in message, message


def test_edge_list_larger_than_population_refused(tmp_path):
    scenario = load_scenario(_config(tmp_path, PATH_50, size=40))
    with pytest.raises(
        ConfigError,
        match=r"layers\.friends \(.*g\.txt\): the graph has 50 nodes "
        r"but population\.size is 40; set population\.size >= 50",
    ):
        simulate(scenario)


def test_edge_list_smaller_than_population_warns_how_many_have_no_ties(tmp_path):
    scenario = load_scenario(_config(tmp_path, "0 1\n1 2\n2 3\n3 4\n4 5\n", size=50))
    pattern = r"layers\.friends \(.*g\.txt\): the edge list has 6 nodes but population\.size is 50: 44 people have no ties"
    with pytest.warns(GraphWarning, match=pattern):
        check_edge_lists(scenario)
    with pytest.warns(GraphWarning, match=pattern):
        simulate(scenario)


def _no_simulation(*args, **kwargs):
    raise AssertionError("a block ran: the bad input was not refused before simulating")


# --------------------------------------------------------------------------- through the CLI


@pytest.mark.parametrize(
    ("edges", "mentions"),
    [
        ("0 1\n1 2\n3 --4\n", ("g.txt:3:", "'--4' is not a whole number")),
        ("0 1\n1 2 1.5\n", ("g.txt:2:", "3 fields")),
        (b"0 1\n\x00\x00", ("g.txt:2:", "binary")),
        ("# nothing here\n", ("g.txt:", "no edges")),
    ],
    ids=["bad id", "weights", "binary", "no edges"],
)
def test_wom_run_refuses_bad_edge_list_and_keeps_files(tmp_path, edges, mentions):
    config = _config(tmp_path, edges)
    refuse_and_keep(
        ["run", str(config), "--out", str(tmp_path / "out")], tmp_path, mentions=mentions
    )


def test_wom_run_refuses_edge_list_that_is_a_folder(tmp_path):
    config = _config(tmp_path, None)
    (tmp_path / "g.txt").mkdir()
    refuse_and_keep(["run", str(config)], tmp_path, mentions=("g.txt: is a folder",))


def test_wom_validate_opens_the_edge_list(tmp_path):
    config = _config(tmp_path, "0 1\n1 x\n")
    refuse_and_keep(["validate", str(config)], tmp_path, mentions=("g.txt:2:",))


# --------------------------------------------------------------------------- CSR arrays

SIZE = 5
PATH_INDPTR = [0, 1, 2, 3, 4, 4]  # 0 -> 1 -> 2 -> 3 -> 4: a seed at 0 reaches everyone
PATH_INDICES = [1, 2, 3, 4]


def _cascade(replicates: int, block_size: int) -> cfg.Scenario:
    return cascade_scenario(
        SIZE,
        [0],
        rule=cfg.IndependentRule(),
        persuasion=1.0,
        replicates=replicates,
        block_size=block_size,
        seed=3,
    )


def _final_sizes(result) -> list[int]:
    return result.strategies[0].series["adopters"][:, -1].tolist()


def test_path_graph_reaches_exactly_its_people_in_every_replicate():
    """With persuasion 1 the seed's cascade is the whole path, in each replicate alone.

    Leaking ``replicate * n + index`` across replicates would add adopters to the next
    replicate of the block; replicates in one block must equal replicates run one a block.
    """
    graph = {"graph": (np.array(PATH_INDPTR), np.array(PATH_INDICES))}
    together = _final_sizes(simulate(_cascade(4, 4), graphs=graph))
    alone = _final_sizes(simulate(_cascade(4, 1), graphs=graph))
    assert together == alone == [SIZE] * 4
    half = {"graph": (np.array([0, 1, 2, 2, 2, 2]), np.array([1, 2]))}  # 0 -> 1 -> 2 only
    assert _final_sizes(simulate(_cascade(4, 4), graphs=half)) == [3] * 4


BAD_CSR = [
    (
        "index = n",
        PATH_INDPTR,
        [1, 2, 3, 5],
        "indices must be in 0..4 (population.size is 5), got 5 at position 3",
    ),
    (
        "index > n",
        PATH_INDPTR,
        [17, 2, 3, 4],
        "indices must be in 0..4 (population.size is 5), got 17 at position 0",
    ),
    (
        "negative index",
        PATH_INDPTR,
        [1, -1, 3, 4],
        "indices must be in 0..4 (population.size is 5), got -1 at position 1",
    ),
    ("indptr from 1", [1, 1, 2, 3, 4, 4], PATH_INDICES, "indptr must start at 0, got 1"),
    (
        "indptr falls",
        [0, 2, 1, 3, 4, 4],
        PATH_INDICES,
        "indptr must be non-decreasing, got 2 then 1 at positions 1 and 2",
    ),
    (
        "indptr short",
        [0, 1, 2, 3, 4],
        PATH_INDICES,
        "indptr must have population.size + 1 = 6 entries, got 5",
    ),
    (
        "indptr long",
        [0, 1, 2, 3, 4, 4, 4],
        PATH_INDICES,
        "indptr must have population.size + 1 = 6 entries, got 7",
    ),
    ("indptr end", [0, 1, 2, 3, 3, 3], PATH_INDICES, "indptr must end at len(indices) = 4, got 3"),
    (
        "float indices",
        PATH_INDPTR,
        [1.0, 2.0, 3.0, 4.0],
        "indices must be an integer array, got dtype float64",
    ),
    (
        "bool indptr",
        [False, True, True, True, True, True],
        [1],
        "indptr must be an integer array, got dtype bool",
    ),
    (
        "2-D indices",
        PATH_INDPTR,
        [[1, 2], [3, 4]],
        "indices must be a one-dimensional integer array, got shape (2, 2)",
    ),
    (
        "strings",
        PATH_INDPTR,
        ["1", "2", "3", "4"],
        "indices must be an integer array, got dtype <U1",
    ),
]


@pytest.mark.parametrize(
    ("case", "indptr", "indices", "says"), BAD_CSR, ids=[c[0] for c in BAD_CSR]
)
def test_bad_csr_is_refused_before_any_block(monkeypatch, case, indptr, indices, says):
    monkeypatch.setattr(engine, "run_block", _no_simulation)
    with pytest.raises(ArgumentError) as excinfo:
        simulate(_cascade(4, 4), graphs={"graph": (np.array(indptr), np.array(indices))})
    assert _message(excinfo) == f"graphs['graph']: {says}"


def test_csr_of_other_integer_types_and_lists_is_accepted():
    for indptr, indices in [
        (np.array(PATH_INDPTR, np.uint8), np.array(PATH_INDICES, np.uint64)),
        (np.array(PATH_INDPTR, np.int32), np.array(PATH_INDICES, np.int16)),
        (PATH_INDPTR, PATH_INDICES),
    ]:
        assert _final_sizes(simulate(_cascade(2, 2), graphs={"graph": [indptr, indices]})) == [5, 5]
    empty = {"graph": (np.zeros(SIZE + 1, np.int64), [])}  # no ties: only the seed adopts
    assert _final_sizes(simulate(_cascade(2, 2), graphs=empty)) == [1, 1]
