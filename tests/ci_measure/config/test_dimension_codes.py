"""The dimension codes (sex, origin, their order and their total) live in config/model.py only.

Everything that lists, sorts or sums them imports them from there; a second copy could fall
out of step (issue 20). This scan finds a literal list of the codes, or the codes spelled
into SQL, anywhere else in the product code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ci_measure.config.model import ORIGIN_PARTS, ORIGINS, SEX_PARTS, SEXES, TOTAL

REPO = Path(__file__).resolve().parents[3]
CODES = [set(SEX_PARTS), set(ORIGIN_PARTS), set(SEXES), set(ORIGINS)]
SQL_LIST = re.compile(r"'(M|F|DK|IMM|DESC)'\s*,\s*'(M|F|DK|IMM|DESC|_T)'")


def _copies(path: Path, root: Path = REPO) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(items) == len(node.elts) and set(items) in CODES:
                found.append(f"{path.relative_to(root)}:{node.lineno} {items}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_LIST.search(node.value):
                found.append(f"{path.relative_to(root)}:{node.lineno} SQL list of codes")
    return found


def test_the_dimension_codes_are_defined_once():
    model = REPO / "ci_measure" / "config" / "model.py"
    paths = [
        p
        for folder in ("ci_measure", "indicators", "pipelines")
        for p in sorted((REPO / folder).rglob("*.py"))
        if p != model
    ]
    copies = [c for p in paths for c in _copies(p)]
    assert copies == [], "use SEX_PARTS/ORIGIN_PARTS/SEXES/ORIGINS from config.model: " + "; ".join(
        copies
    )


def test_the_scan_sees_a_copy(tmp_path):
    copy = tmp_path / "copy.py"
    copy.write_text("SEX = ('M', 'F')\nSQL = \"WHERE sex IN ('M', 'F')\"\n", encoding="utf-8")
    assert len(_copies(copy, tmp_path)) == 2


def test_the_order_is_categories_then_total():
    assert SEXES == (*SEX_PARTS, TOTAL) and ORIGINS == (*ORIGIN_PARTS, TOTAL)
    assert SEXES == ("M", "F", "_T") and ORIGINS == ("DK", "IMM", "DESC", "_T")
