"""Exported text cells never start a formula (SPEC §8)."""

from __future__ import annotations

import pytest

from ci_measure.safe_text import escape_formula, is_formula_like


@pytest.mark.parametrize(
    "text", ["=1+1", "+45 12 34", "-3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")']
)
def test_formula_starts_get_an_apostrophe(text: str):
    assert is_formula_like(text)
    assert escape_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["Østerbyen", "0561-OST", "a=b", " =1", "", "'quoted"])
def test_plain_text_is_unchanged(text: str):
    assert not is_formula_like(text)
    assert escape_formula(text) == text


def test_non_strings():
    assert escape_formula(None) == ""
    assert (
        escape_formula(-3) == "'-3"
    )  # as text it would be a formula start; numbers are exported as numbers
    assert not is_formula_like(-3)
