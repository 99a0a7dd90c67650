"""Value cells (SPEC §4): numbers in Danish and English formats, and source-suppression markers.

Vectorised over a whole column: a national submission has a million value cells.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

# `..`, `-`, `x`, `<5` (any `<n`) or `NA` typed in a value cell: missing at source, never 0.
# An EMPTY value cell is no marker: it means "not reported" (SPEC §4) and the row is skipped.
MISSING_MARKER = re.compile(r"^(\.\.|-|–|x|<\s*\d+|na|n/a)$", re.I)
SMALL_MARKER = re.compile(r"^<\s*\d+$")
# What a spreadsheet shows for a formula that failed (Excel, LibreOffice): never a figure.
FORMULA_ERROR = re.compile(
    r"^(#(N/A|DIV/0!|REF!|VALUE!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!"
    r"|CONNECT!|BUSY!|UNKNOWN!|PYTHON!)|Err:\d{3})$",
    re.I,
)

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DANISH = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_ENGLISH = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][-+]?\d+)?$")
_POINT = re.compile(r"^[-+]?\d+\.\d+$")
_DECIMAL_COMMA_HINT = re.compile(r"^[-+]?[\d.]*\d,\d+$")


class ParsedValues(NamedTuple):
    """A value column read (SPEC §4); every field is a Series aligned with the cells."""

    value: pd.Series  # float64; NaN unless a number
    missing: pd.Series  # a source-suppression marker (`..`, `x`, `<5`, …)
    ok: pd.Series  # a number, a marker or empty: anything else is not_a_number
    empty: pd.Series  # nothing in the cell: the row is not reported
    small: pd.Series  # `<n`: accepted as missing, with a warning to send the exact number
    formula_error: pd.Series  # `#N/A`, `#DIV/0!`, …: a formula that failed


def format_number(number: float) -> str:
    """A number the Danish way, as every message shows it: ``5,12``, ``1.234``, ``-1.234,5``."""
    if not math.isfinite(number):
        return str(number)
    text = format(Decimal(repr(abs(float(number)))), "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    groups = f"{int(whole):,}".replace(",", ".")
    sign = "-" if number < 0 else ""
    return f"{sign}{groups},{fraction}" if fraction else f"{sign}{groups}"


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


def parse_values(
    cells: pd.Series, decimal_comma: bool, spreadsheet: bool = False, text: object = None
) -> ParsedValues:
    """Read a column of raw value cells (SPEC §4).

    Spreadsheet numbers arrive typed and are taken as they are. Text follows the file's
    convention: ``decimal_comma`` (a ``;`` CSV, or one whose numbers have a decimal comma)
    reads ``1.234,5``; else ``1,234.5``. Text typed into a spreadsheet (``spreadsheet``)
    follows the Danish convention, where a dot before groups of exactly three digits
    (``5.120``) is a thousands separator and any other dot (``152.5``) a decimal point.
    A column of text is parsed once per distinct cell; ``text``: the same cells as Arrow
    text, when the reader had them.
    """
    if len(cells) >= PER_UNIQUE_MIN:
        found = text_dictionary(cells if text is None else text)
        if found is not None:
            distinct, positions = found
            parsed = _parse(pd.Series(distinct, dtype=object), decimal_comma, spreadsheet)
            index = cells.index
            return ParsedValues(
                *(
                    pd.Series(part.to_numpy()[positions], index=index, dtype=part.dtype)
                    for part in parsed
                )
            )
    return _parse(cells, decimal_comma, spreadsheet)


def _kinds(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(empty, typed number, text) masks of raw cells."""
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
    return is_none, is_number, is_text


def _text_numbers(
    compact: pd.Series, decimal_comma: bool, spreadsheet: bool
) -> tuple[np.ndarray, pd.Series]:
    """(readable mask, the texts rewritten as plain ``1234.5``) under the file's convention."""
    danish = compact.str.match(_DANISH).to_numpy(dtype=bool)
    as_danish = compact.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    english = compact.str.match(_ENGLISH).to_numpy(dtype=bool)
    as_english = compact.str.replace(",", "", regex=False)
    if decimal_comma and not spreadsheet:
        return danish, as_danish
    if not spreadsheet:
        return english, as_english
    point = compact.str.match(_POINT).to_numpy(dtype=bool) & ~danish
    other = english & ~danish & ~point
    normal = as_danish.where(danish, compact).where(~other, as_english)
    return danish | point | other, normal


def _parse(cells: pd.Series, decimal_comma: bool, spreadsheet: bool) -> ParsedValues:
    n = len(cells)
    value = np.full(n, np.nan)
    missing = np.zeros(n, dtype=bool)
    small = np.zeros(n, dtype=bool)
    formula = np.zeros(n, dtype=bool)
    raw = cells.to_numpy(dtype=object)
    empty, is_number, is_text = _kinds(raw)
    ok = empty.copy()
    if is_number.any():
        numbers = raw[is_number].astype(float)
        finite = np.isfinite(numbers)
        value[np.flatnonzero(is_number)[finite]] = numbers[finite]
        ok[np.flatnonzero(is_number)[finite]] = True

    if is_text.any():
        idx = np.flatnonzero(is_text)
        texts = pd.Series(raw[is_text], dtype=object).str.strip()
        blank = (texts == "").to_numpy(dtype=bool)
        empty[idx[blank]] = ok[idx[blank]] = True
        marker = texts.str.match(MISSING_MARKER).to_numpy(dtype=bool)
        missing[idx[marker]] = ok[idx[marker]] = True
        small[idx[marker]] = texts[marker].str.match(SMALL_MARKER).to_numpy(dtype=bool)
        formula[idx] = texts.str.match(FORMULA_ERROR).to_numpy(dtype=bool)
        compact = texts.str.replace(_SPACES, "", regex=True)
        good, normal = _text_numbers(compact, decimal_comma, spreadsheet)
        good = good & ~marker & ~blank
        if good.any():
            value[idx[good]] = pd.to_numeric(normal[good], errors="coerce").to_numpy(dtype=float)
            ok[idx[good]] = np.isfinite(value[idx[good]])
    index = cells.index
    return ParsedValues(
        pd.Series(value, index=index, dtype="float64"),
        pd.Series(missing, index=index, dtype=bool),
        pd.Series(ok, index=index, dtype=bool),
        pd.Series(empty, index=index, dtype=bool),
        pd.Series(small, index=index, dtype=bool),
        pd.Series(formula, index=index, dtype=bool),
    )
