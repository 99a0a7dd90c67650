import math

import pandas as pd
import pytest

from ci_measure.intake.values import format_number, parse_values, uses_decimal_comma


def one(cell, decimal_comma, spreadsheet=False):
    parsed = parse_values(pd.Series([cell], dtype=object), decimal_comma, spreadsheet)
    return parsed.value[0], bool(parsed.missing[0]), bool(parsed.ok[0])


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


@pytest.mark.parametrize("cell", ["..", "-", "x", "X", "<5", "< 3", "NA", "n/a"])
def test_missing_markers_are_missing_never_zero(cell):
    value, missing, ok = one(cell, True)
    assert ok and missing and math.isnan(value)


@pytest.mark.parametrize("cell", [None, "", "  ", float("nan")])
def test_an_empty_cell_is_not_reported_and_no_marker(cell):
    parsed = parse_values(pd.Series([cell, "..", 5], dtype=object), True)
    assert parsed.empty.tolist() == [True, False, False]
    assert parsed.missing.tolist() == [False, True, False]
    assert parsed.ok.tolist() == [True, True, True]


def test_only_less_than_markers_are_small_numbers():
    parsed = parse_values(pd.Series(["<5", "< 3", "..", "x", "4"], dtype=object), True)
    assert parsed.small.tolist() == [True, True, False, False, False]


@pytest.mark.parametrize(
    "cell", ["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#n/a", "Err:502"]
)
@pytest.mark.parametrize(
    "decimal_comma, spreadsheet", [(True, False), (False, False), (False, True)]
)
def test_spreadsheet_error_values_are_not_numbers(cell, decimal_comma, spreadsheet):
    parsed = parse_values(pd.Series([cell], dtype=object), decimal_comma, spreadsheet)
    assert not parsed.ok[0] and not parsed.missing[0] and parsed.formula_error[0]


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("5.120", 5120.0),
        ("12.345.678", 12345678.0),
        ("1.234,5", 1234.5),
        ("152.5", 152.5),
        ("12,5", 12.5),
        ("1234.567", 1234.567),
        ("1,234,567", 1234567.0),
        ("-3", -3.0),
        ("1 234", 1234.0),
    ],
)
def test_text_in_a_spreadsheet_follows_the_danish_convention(cell, expected):
    value, missing, ok = one(cell, False, spreadsheet=True)
    assert ok and not missing and value == pytest.approx(expected)


def test_many_cells_are_parsed_per_distinct_text_with_the_same_result():
    cells = pd.Series(["5.120", "", "<5", "#N/A", "7"] * 100, dtype=object)
    many = parse_values(cells, False, spreadsheet=True)
    few = parse_values(cells[:5], False, spreadsheet=True)
    for part_many, part_few in zip(many, few, strict=True):
        assert part_many[:5].tolist() == pytest.approx(part_few.tolist(), nan_ok=True)


@pytest.mark.parametrize(
    "number, text",
    [
        (5.12, "5,12"),
        (1234, "1.234"),
        (1234.5, "1.234,5"),
        (-1234.5, "-1.234,5"),
        (12345678, "12.345.678"),
        (0.1, "0,1"),
        (253.0, "253"),
    ],
)
def test_numbers_are_shown_the_danish_way(number, text):
    assert format_number(number) == text


@pytest.mark.parametrize("cell", ["12x", "tolv", "1,2,3", True, "1.23.4,5", float("inf")])
def test_not_numbers(cell):
    value, missing, ok = one(cell, True)
    assert not ok and not missing


def test_decimal_comma_is_detected_from_the_values():
    assert uses_decimal_comma(pd.Series(["12", "12,5"]))
    assert not uses_decimal_comma(pd.Series(["12", "12.5"]))
