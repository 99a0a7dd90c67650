"""A large partnership.yaml is checked once per content (issue 19): the next command takes
the checked result from the cache, any change to the file or the catalog checks it again,
and a file with a mistake is refused with its line every time."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_measure.config import checked, partnership
from ci_measure.config.workspace import load_workspace
from ci_measure.errors import ConfigError
from tests.conftest import PARTNERSHIP

DISTRICTS = "".join(
    f'  - code: "0561-D{n:04d}"\n    name: Skoledistrikt {n} på Fanø\n    parent: "0561"\n'
    for n in range(1500)
)
LARGE = PARTNERSHIP.replace("partners:\n", DISTRICTS + "partners:\n", 1)
LARGE += """baselines:
  - {indicator: UDD_OVERGANG, area: "0561", period: "2019/20", value: 81.5}
"""


@pytest.fixture
def large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "ws"
    root.mkdir()
    (root / "partnership.yaml").write_text(LARGE, encoding="utf-8")
    assert len(LARGE.encode()) >= checked.CACHE_FROM
    return root


def test_the_second_load_takes_the_checked_partnership_from_the_cache(large, monkeypatch):
    first = load_workspace(large).partnership
    kept = list(checked.folder().glob("*.json"))
    assert len(kept) == 1 and len(first.areas) == 1504 and first.baselines[0].value == 81.5

    def not_again(*args: object) -> None:
        raise AssertionError("checked again")

    monkeypatch.setattr(partnership, "parse_partnership", not_again)
    again = load_workspace(large).partnership
    assert again == first and again.area("0561-D0007").name == "Skoledistrikt 7 på Fanø"
    assert again.children("0561-OST") == ["0561-OST-N", "0561-OST-S"]
    assert again.partners[0].reports[0].areas == ("0561-OST-N", "0561-OST-S")


def test_a_changed_file_is_checked_again_and_its_mistake_named(large):
    load_workspace(large)
    path = large / "partnership.yaml"
    path.write_text(LARGE.replace('parent: "0561"\n', 'parent: "0562"\n', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_workspace(large)
    assert "partnership.yaml, line 8: unknown parent area of 0561-OST '0562'" in str(error.value)
    assert len(list(checked.folder().glob("*.json"))) == 1  # the bad file was not kept
    path.write_text(LARGE.replace("Fanø", "Rømø"), encoding="utf-8")
    assert load_workspace(large).partnership.area("0561-D0001").name == "Skoledistrikt 1 på Rømø"
    assert len(list(checked.folder().glob("*.json"))) == 2


def test_a_damaged_cache_entry_is_ignored(large):
    first = load_workspace(large).partnership
    (entry,) = checked.folder().glob("*.json")
    entry.write_text('{"name": "not a partnership"', encoding="utf-8")
    assert load_workspace(large).partnership == first


def test_a_small_file_is_not_kept(workspace_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    load_workspace(workspace_dir)
    assert not checked.folder().exists()
