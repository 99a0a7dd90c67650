"""`indicators --format json` is joined by Arrow; the text is what the record-by-record
``json.dumps`` wrote before (issue 19), on the demo and on edge values."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ci_measure.figures import present


def _before(rows: pd.DataFrame) -> str:
    """The writer before issue 19, record by record (the reference)."""
    records = [
        {k: (None if present._empty(v) else v) for k, v in record.items()}
        for record in rows.astype(object).to_dict(orient="records")
    ]
    return json.dumps(records, ensure_ascii=False, indent=1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from ci_measure.config.workspace import init_workspace, load_workspace
    from ci_measure.intake.ingest import ingest_inbox

    workspace = load_workspace(init_workspace(tmp_path_factory.mktemp("json") / "d", demo=True))
    ingest_inbox(workspace)
    return workspace


@pytest.mark.parametrize("published", [False, True])
def test_the_demo_is_written_as_before(demo, published, cli):
    from ci_measure.figures import indicator_rows

    rows = indicator_rows(demo, published=published)
    assert len(rows) > 500 and present._json_parts(rows) is not None  # the Arrow path ran
    text = present.to_json(rows)
    assert text == _before(rows)
    flags = ["--published"] if published else []
    code, out, _ = cli("indicators", "--workspace", demo.root, "--format", "json", "--all", *flags)
    assert code == 0 and out == text + "\n"
    first = json.loads(out)[0]
    assert list(first) == list(rows.columns) and first["indicator"] == rows.at[0, "indicator"]


def test_edge_values_are_written_as_before():
    numbers = [0.1 + 0.2, 1 / 3, -0.0, 0.0, 1e16, 123456789012345.6, 2.5e-7, 40.0, math.nan]
    numbers += [math.inf, -math.inf, 5e-324, 1.7976931348623157e308, 1e22]
    n = len(numbers)
    rows = pd.DataFrame(
        {
            "indicator": ["UDD"] * n,
            "area": pd.array(
                ["0561", None, 'Nord, "gamle"\n\\', "Ærø/Å\t\u2028", *["DK"] * (n - 4)]
            ),
            "value": numbers,
            "count": np.arange(n, dtype="int64") - 3,
            "flag": [True, False] * (n // 2),
            "status": pd.array([None, *["ok"] * (n - 1)], dtype="string"),
        }
    )
    assert present._json_parts(rows) is not None
    text = present.to_json(rows)
    assert text == _before(rows)
    assert '"area": "Nord, \\"gamle\\"\\n\\\\"' in text and '"area": "Ærø/Å\\t\u2028"' in text
    assert '"value": -0.0' in text and '"value": Infinity' in text and '"status": null' in text
    assert '"value": null' in text and '"count": -3' in text and '"flag": true' in text


def test_no_rows_and_odd_frames():
    empty = pd.DataFrame({"indicator": pd.Series([], dtype="string"), "value": []})
    assert present.to_json(empty) == _before(empty) == "[]"
    no_columns = pd.DataFrame(index=range(2))
    assert present.to_json(no_columns) == _before(no_columns) == "[\n {},\n {}\n]"
    mixed = pd.DataFrame({"cell": ["a", 1, 2.5, None]}, dtype=object)  # not one type: as before
    assert present.to_json(mixed) == _before(mixed)


def test_text_in_several_arrow_chunks_is_written_as_before():
    """A million-row result arrives as pandas text over several Arrow chunks."""
    parts = [
        pd.Series(["0561", None, "DK"], dtype="string[pyarrow]"),
        pd.Series(["Æ"] * 2, dtype="string[pyarrow]"),
    ]
    rows = pd.DataFrame({"area": pd.concat(parts, ignore_index=True), "value": [1.0] * 5})
    assert isinstance(pa.array(rows["area"], from_pandas=True), pa.ChunkedArray)
    assert present._json_parts(rows) is not None
    assert present.to_json(rows) == _before(rows)


def test_pieces_of_any_batch_size_join_to_the_same_text():
    rows = pd.DataFrame({"area": ["DK", "0561", None, "Ø", "N"], "value": [1.5, None, 0.0, 2, 3]})
    for batch in (1, 2, 4, 5, 100):
        assert "".join(present.json_pieces(rows, batch=batch)) == _before(rows)
    assert len(list(present.json_pieces(rows, batch=2))) == 5  # "[", three batches, "]"
