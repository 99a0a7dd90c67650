"""The notebook face (`import indicators`): the README's example on the demo, the workspace
first everywhere, and a clear error for an unknown code (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import indicators
from ci_measure.errors import UsageError

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A folder holding `data/`: the demo partnership with every file taken in."""
    from ci_measure.config.workspace import init_workspace, load_workspace
    from ci_measure.intake.ingest import ingest_inbox

    folder = tmp_path_factory.mktemp("notebook")
    ingest_inbox(load_workspace(init_workspace(folder / "data", demo=True)))
    return folder


def _readme_example() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```python\nimport indicators\n(.*?)```", text, re.S)
    assert block, "the README shows how to use `indicators` from a notebook"
    lines = block.group(1).splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_the_readme_example_returns_rows_on_the_demo(demo, monkeypatch):
    monkeypatch.chdir(demo)
    results = {}
    for line in _readme_example():
        call = line.split("#")[0].strip()
        name = call.split("(")[0].split("=")[-1].strip()  # indicators.history etc.
        results[name] = eval(call.split("=", 1)[1] if call.startswith("df =") else call)  # noqa: S307
    history = results["indicators.history"]
    assert history["value"].tolist() == [history["value"].iloc[0], history["value"].iloc[0] + 2]
    assert history["file_name"].tolist() == [
        "01_uu_overgang_2019-20_til_2023-24.csv",
        "02_rettelse_uu.csv",
    ]
    assert len(results["indicators.compute"]) > 0 and len(results["indicators.catalog"]) > 0
    assert len(results["indicators.submissions"]) > 0


def test_the_workspace_comes_first_and_names_still_work(demo):
    root = demo / "data"
    by_position = indicators.history(root, "ELEVER_UDD_15MD", "0561-OST-RKJ", "2022/23", "M")
    by_name = indicators.history(
        data_element="ELEVER_UDD_15MD", area="0561-OST-RKJ", period="2022/2023", sex="m",
        workspace=root,
    )  # fmt: skip
    assert by_position.equals(by_name) and len(by_position) == 2
    rows = indicators.compute(root, "UDD_OVERGANG", "0561-OST")
    assert rows.equals(
        indicators.compute(workspace=root, indicator="udd_overgang", area="0561-ost")
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda root: indicators.compute(root, indicator="UDD_OVERGAN"),
            "ukendt indikator »UDD_OVERGAN«. Mente du UDD_OVERGANG",
        ),
        (
            lambda root: indicators.compute(root, area="0561-OOST"),
            "ukendt område »0561-OOST«. Mente du 0561-OST",
        ),
        (
            lambda root: indicators.history(root, "ELEVER_UDD15MD", "0561-OST-RKJ", "2022/23"),
            "unknown data element 'ELEVER_UDD15MD'. Did you mean ELEVER_UDD_15MD",
        ),
        (
            lambda root: indicators.history(
                root, "ELEVER_UDD_15MD", "0561-OST-RKJ", "2022/23", "X"
            ),
            "ukendt køn »X«",
        ),
        (
            lambda root: indicators.history(root, "ELEVER_UDD_15MD", "0561-OST-RKJ", "skoleår"),
            "»skoleår« er ikke en periode",
        ),
    ],
)
def test_an_unknown_code_raises_in_both_languages(demo, call, message):
    with pytest.raises(UsageError, match=re.escape(message)) as raised:
        call(demo / "data")
    assert " / " in str(raised.value)  # Danish, then English


def test_a_cell_never_reported_is_an_empty_frame_not_an_error(demo):
    found = indicators.history(demo / "data", "ELEVER_UDD_15MD", "0561-OST-RKJ", "2022/23")
    assert found.empty  # the UU reports boys and girls, never the total
