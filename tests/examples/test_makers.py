"""The committed synthetic files are exactly what their makers write (issue 11, issue 20).

The examples' makers (examples/makers/<example>.py, run by examples/make_example_files.py)
and the demo's (data/demo/make_demo_files.py) share one set of helpers
(examples/makers/synthetic.py). Each is run into a temporary folder and every file it writes
is compared, byte for byte, with the committed one — and no committed file may be missing from
what it writes (a file added by hand to a submissions folder must be added to its maker).
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from ci_measure.config.examples import EXAMPLES, list_examples

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.glob("**/submissions/*/*"))
        if p.is_file()
    }


def test_the_examples_makers_write_the_committed_files(tmp_path, capsys):
    _load(EXAMPLES / "make_example_files.py").main([str(tmp_path)])
    printed = capsys.readouterr().out
    generated = _digests(tmp_path)
    committed = {k: v for k, v in _digests(EXAMPLES).items() if not k.startswith("medvind")}
    assert generated, "the makers wrote nothing"
    assert sorted(generated) == sorted(committed)
    assert generated == committed
    made = {Path(k).parts[0] for k in generated}
    assert made == {slug for slug, _, _ in list_examples()} - {"medvind-oesterbyen"}
    assert "troldhedestien/submissions/FRIVILLIG/01_frivillige_2022-2025.csv" in printed


def test_one_example_can_be_made_alone(tmp_path, capsys):
    _load(EXAMPLES / "make_example_files.py").main([str(tmp_path), "bo-trygt"])
    capsys.readouterr()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bo-trygt"]
    with pytest.raises(SystemExit, match="unknown example"):
        _load(EXAMPLES / "make_example_files.py").main([str(tmp_path), "bo-tryg"])


def test_the_demo_maker_writes_the_committed_files(tmp_path, capsys):
    _load(DEMO / "make_demo_files.py").main([str(tmp_path)])
    printed = capsys.readouterr().out
    generated = _digests(tmp_path)
    committed = _digests(DEMO)
    assert generated, "the demo's maker wrote nothing"
    assert sorted(generated) == sorted(committed)
    assert generated == committed
    assert "correction FRAVAERSDAGE 0561-OST-SPB 2023/24 M" in printed


def test_the_makers_share_one_set_of_helpers():
    """The demo's maker draws on the examples' helpers, not on a copy of them."""
    demo = _load(DEMO / "make_demo_files.py")
    examples = _load(EXAMPLES / "make_example_files.py")
    assert demo.Submissions.__module__ == "makers.synthetic"
    maker = examples.MAKERS[0]
    assert maker.Submissions is demo.Submissions
