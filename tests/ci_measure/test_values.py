import math

import pandas as pd
import pytest

from ci_measure.values import parse_values, uses_decimal_comma


def one(cell, decimal_comma):
    value, missing, ok = parse_values(pd.Series([cell], dtype=object), decimal_comma)
    return value[0], bool(missing[0]), bool(ok[0])


@pytest.mark.parametrize(
    "cell, decimal_comma, expected",
    [
        ("1.234,5", True, 1234.5),
        ("1.234", True, 1234.0),
        ("12,5", True, 12.5),
        ("-3", True, -3.0),
        ("1 234", True, 1234.0),
        ("1\u00a0234", True, 1234.0),
        ("1,234.5", False, 1234.5),
        ("1234.5", False, 1234.5),
        ("42", False, 42.0),
        (42, True, 42.0),
        (12.5, True, 12.5),
    ],
)
def test_numbers(cell, decimal_comma, expected):
    value, missing, ok = one(cell, decimal_comma)
    assert ok and not missing and value == pytest.approx(expected)


@pytest.mark.parametrize("cell", [None, "", "..", "-", "x", "X", "<5", "< 3", "NA", "n/a"])
def test_missing_markers_are_missing_never_zero(cell):
    value, missing, ok = one(cell, True)
    assert ok and missing and math.isnan(value)


@pytest.mark.parametrize("cell", ["12x", "tolv", "1,2,3", True, "1.23.4,5", float("inf")])
def test_not_numbers(cell):
    value, missing, ok = one(cell, True)
    assert not ok and not missing


def test_decimal_comma_is_detected_from_the_values():
    assert uses_decimal_comma(pd.Series(["12", "12,5"]))
    assert not uses_decimal_comma(pd.Series(["12", "12.5"]))
