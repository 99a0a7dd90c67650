"""Value cells (SPEC §4): numbers in Danish and English formats, and source-suppression markers.

Vectorised over a whole column: a national submission has a million value cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

# An empty cell, `..`, `-`, `x`, `<5` (any `<n`) or `NA` means missing at source, never 0.
MISSING_MARKER = re.compile(r"^(|\.\.|-|–|x|<\s*\d+|na|n/a)$", re.I)

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DANISH = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_ENGLISH = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][-+]?\d+)?$")
_DECIMAL_COMMA_HINT = re.compile(r"^[-+]?[\d.]*\d,\d+$")


# Below this many cells the per-unique route is not worth its set-up.
PER_UNIQUE_MIN = 256


def text_dictionary(cells: object) -> tuple[list[str | None], np.ndarray] | None:
    """(distinct cells, position of each cell among them) when every cell is text or None.

    The distinct cells end with None (for the empty cells). None when any cell is something
    else (a spreadsheet number, a date, NaN): callers then go cell by cell. A column of a
    national submission has a million cells but only a few thousand distinct ones, so a
    per-cell function applied to the distinct cells gives the same result, much faster.
    """
    if isinstance(cells, pa.Array):  # already Arrow text (the CSV reader's columns)
        encoded = cells.dictionary_encode()
    else:
        values = cells.to_numpy(dtype=object) if isinstance(cells, pd.Series) else cells
        try:
            encoded = pa.array(values, type=pa.string()).dictionary_encode()
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
    distinct = encoded.dictionary.to_pylist() + [None]
    return distinct, encoded.indices.fill_null(len(distinct) - 1).to_numpy(zero_copy_only=False)


def map_cells(cells: object, function: Callable[[object], object]) -> np.ndarray | None:
    """``function`` of every cell, computed once per distinct text (None: not all text)."""
    found = text_dictionary(cells)
    if found is None:
        return None
    distinct, positions = found
    results = np.empty(len(distinct), dtype=object)
    results[:] = [function(d) for d in distinct]
    return results[positions]


def uses_decimal_comma(texts: pd.Series) -> bool:
    """True when the value column is written the Danish way (`12,5`, `1.234,5`)."""
    sample = pd.Series(
        pd.unique(texts.dropna().astype(str).to_numpy(dtype=object)), dtype=object
    ).str.strip()
    return bool(sample.str.match(_DECIMAL_COMMA_HINT).any())


def parse_values(cells: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(value float64, missing_at_source bool, ok bool) for a column of raw cells.

    Spreadsheet numbers arrive typed and are taken as they are; text is parsed with the
    file's number convention. ``ok`` is False where the cell is neither a number nor a marker.
    A column of text is parsed once per distinct cell.
    """
    if len(cells) >= PER_UNIQUE_MIN:
        found = text_dictionary(cells)
        if found is not None:
            distinct, positions = found
            value, missing, ok = _parse(pd.Series(distinct, dtype=object), decimal_comma)
            index = cells.index
            return (
                pd.Series(value.to_numpy()[positions], index=index, dtype="float64"),
                pd.Series(missing.to_numpy()[positions], index=index, dtype=bool),
                pd.Series(ok.to_numpy()[positions], index=index, dtype=bool),
            )
    return _parse(cells, decimal_comma)


def _parse(cells: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    n = len(cells)
    value = np.full(n, np.nan)
    missing = np.zeros(n, dtype=bool)
    ok = np.zeros(n, dtype=bool)
    raw = cells.to_numpy(dtype=object)

    is_none = np.array(
        [c is None or (isinstance(c, float) and np.isnan(c)) for c in raw], dtype=bool
    )
    is_number = (
        np.array(
            [
                isinstance(c, (int, float, np.integer, np.floating)) and not isinstance(c, bool)
                for c in raw
            ],
            dtype=bool,
        )
        & ~is_none
    )
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
