"""`indicators --format csv` is written by Arrow; the text is what pandas' to_csv wrote (issue 19)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ci_measure.figures import present


def _pandas(rows: pd.DataFrame) -> str:
    return rows.to_csv(index=False, lineterminator="\n", float_format="%.15g")


def test_numbers_are_written_as_pandas_wrote_them():
    numbers = [0.1 + 0.2, 1 / 3, -0.0, 0.0, 1e16, 123456789012345.6, 2.5e-7, 40.0, math.nan]
    rows = pd.DataFrame(
        {
            "indicator": ["UDD"] * len(numbers),
            "area": pd.array(["0561", None, *["DK"] * (len(numbers) - 2)], dtype="str"),
            "value": numbers,
            "numerator": np.arange(len(numbers), dtype=float),
            "status": ["ok"] * len(numbers),
        }
    )
    text = present.to_csv(rows)
    assert text == _pandas(rows)
    assert text.splitlines()[1:4] == [
        "UDD,0561,0.3,0,ok",
        "UDD,,0.333333333333333,1,ok",
        "UDD,DK,-0,2,ok",
    ]


def test_a_cell_that_needs_quotes_is_quoted_like_pandas_does():
    rows = pd.DataFrame({"area": ['Nord, "gamle"', "Syd"], "value": [1.5, math.nan]})
    assert present.to_csv(rows) == _pandas(rows) == 'area,value\n"Nord, ""gamle""",1.5\nSyd,\n'


def test_no_rows_is_the_header_only():
    rows = pd.DataFrame(
        {"indicator": pd.Series([], dtype=object), "value": pd.Series([], dtype=float)}
    )
    assert present.to_csv(rows) == _pandas(rows) == "indicator,value\n"
