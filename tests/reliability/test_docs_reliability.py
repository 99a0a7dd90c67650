"""docs/reliability.md names, for every promise, the test that proves it: those tests exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ci_measure import faults

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "reliability.md"


def _tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
    }


def test_every_test_named_in_docs_reliability_exists_and_every_reliability_test_is_named():
    text = DOC.read_text(encoding="utf-8")
    named = re.findall(r"`((?:tests/[\w/]+/)?test_\w+\.py)::(test_\w+)`", text)
    assert len(named) > 40
    for file, test in named:  # a bare file name is in tests/reliability/
        path = REPO / file if "/" in file else REPO / "tests" / "reliability" / file
        assert test in _tests(path), f"{file}::{test} does not exist"
    here = Path(__file__).parent
    every = {(p.name, t) for p in here.glob("test_*.py") if p != Path(__file__) for t in _tests(p)}
    assert every - set(named) == set(), "a reliability test is missing from docs/reliability.md"


def test_every_fault_point_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for point in faults.POINTS:
        assert f"`{point}`" in text, point
