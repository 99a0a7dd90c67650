"""No function in the product code is longer than a reader can hold (issue 20): about 120
lines at most, counted from its `def` to its last line, docstring and comments included."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("ci_measure", "indicators", "pipelines")
LIMIT = 120


def long_functions(root: Path = REPO, limit: int = LIMIT) -> list[str]:
    """'path:line name (N lines)' for every function or method over ``limit`` lines."""
    found = []
    for folder in PRODUCT:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    if length > limit:
                        where = path.relative_to(root)
                        found.append(f"{where}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_in_the_product_code_is_over_120_lines():
    assert long_functions() == []


def test_the_scan_finds_a_long_function(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(LIMIT))
    (tmp_path / "ci_measure").mkdir()
    (tmp_path / "ci_measure" / "long.py").write_text(f"def long():\n{body}", encoding="utf-8")
    assert long_functions(tmp_path) == [f"ci_measure/long.py:1 long ({LIMIT + 1} lines)"]
