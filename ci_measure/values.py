"""Value cells (SPEC §4): numbers in Danish and English formats, and source-suppression markers.

Vectorised over a whole column: a national submission has a million value cells.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# An empty cell, `..`, `-`, `x`, `<5` (any `<n`) or `NA` means missing at source, never 0.
MISSING_MARKER = re.compile(r"^(|\.\.|-|–|x|<\s*\d+|na|n/a)$", re.I)

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DANISH = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_ENGLISH = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][-+]?\d+)?$")
_DECIMAL_COMMA_HINT = re.compile(r"^[-+]?[\d.]*\d,\d+$")


def uses_decimal_comma(texts: pd.Series) -> bool:
    """True when the value column is written the Danish way (`12,5`, `1.234,5`)."""
    sample = texts.dropna().astype(str).str.strip()
    return bool(sample.str.match(_DECIMAL_COMMA_HINT).any())


def parse_values(cells: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(value float64, missing_at_source bool, ok bool) for a column of raw cells.

    Spreadsheet numbers arrive typed and are taken as they are; text is parsed with the
    file's number convention. ``ok`` is False where the cell is neither a number nor a marker.
    """
    n = len(cells)
    value = np.full(n, np.nan)
    missing = np.zeros(n, dtype=bool)
    ok = np.zeros(n, dtype=bool)
    raw = cells.to_numpy(dtype=object)

    is_none = np.array([c is None or (isinstance(c, float) and np.isnan(c)) for c in raw], dtype=bool)
    is_number = np.array(
        [isinstance(c, (int, float, np.integer, np.floating)) and not isinstance(c, bool) for c in raw],
        dtype=bool,
    ) & ~is_none
    is_text = np.array([isinstance(c, str) for c in raw], dtype=bool)

    missing |= is_none
    ok |= is_none
    if is_number.any():
        numbers = raw[is_number].astype(float)
        finite = np.isfinite(numbers)
        value[np.flatnonzero(is_number)[finite]] = numbers[finite]
        ok[np.flatnonzero(is_number)[finite]] = True

    if is_text.any():
        idx = np.flatnonzero(is_text)
        texts = pd.Series(raw[is_text], dtype=object).str.strip()
        marker = texts.str.match(MISSING_MARKER).to_numpy(dtype=bool)
        missing[idx[marker]] = True
        ok[idx[marker]] = True
        compact = texts.str.replace(_SPACES, "", regex=True)
        if decimal_comma:
            good = compact.str.match(_DANISH).to_numpy(dtype=bool) & ~marker
            normal = compact.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        else:
            good = compact.str.match(_ENGLISH).to_numpy(dtype=bool) & ~marker
            normal = compact.str.replace(",", "", regex=False)
        if good.any():
            value[idx[good]] = pd.to_numeric(normal[good], errors="coerce").to_numpy(dtype=float)
            ok[idx[good]] = np.isfinite(value[idx[good]])
    index = cells.index
    return (
        pd.Series(value, index=index, dtype="float64"),
        pd.Series(missing, index=index, dtype=bool),
        pd.Series(ok, index=index, dtype=bool),
    )
