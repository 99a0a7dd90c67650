"""Find cells that look like Danish CPR numbers, so such a file is deleted, not stored (SPEC §8).

A CPR number is DDMMYY-XXXX (or without the dash, or with a space) whose first six digits
are a real calendar date. Excel turns an undashed CPR typed into a cell into a number, and
drops the leading zero of days 01-09, so 10- and 9-digit whole numbers are checked too.
The numbers themselves never leave this module: results name rows and headers only.

Speed: a vectorised regex (pyarrow) prefilters each text column; only the few candidate
cells are checked in Python.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ci_measure.read.table import RawTable

# Six digits, optional separator, four digits, not inside a longer run of digits or a decimal.
_CPR = re.compile(r"(?<!\d)(?<!\d[.,])(\d{6})[-– ]?(\d{4})(?!\d)(?![.,]\d)")
# A whole cell of nine digits: a CPR whose leading 0 was lost on the way through Excel.
_NINE = re.compile(r"^\s*(\d{9})\s*$")
_PREFILTER = r"\d{6}[-– ]?\d{4}|^\s*\d{9}\s*$"  # RE2 syntax, no look-arounds
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MASK = "XXXXXX-XXXX"


def is_cpr_date(ddmmyy: str) -> bool:
    """True when DDMMYY is a real date; 29 February only in years divisible by four."""
    day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    if not 1 <= month <= 12 or day < 1 or day > _DAYS[month - 1]:
        return False
    return not (month == 2 and day == 29 and year % 4 != 0)


def text_has_cpr(text: str) -> bool:
    """The text is, or contains as a separate token, a CPR number."""
    if any(is_cpr_date(m.group(1)) for m in _CPR.finditer(text)):
        return True
    nine = _NINE.match(text)
    return bool(nine) and is_cpr_date("0" + nine.group(1)[:5])


def number_is_cpr(value: float | int) -> bool:
    """A numeric cell holding a CPR number typed without its dash (9 or 10 digits)."""
    if isinstance(value, float) and not value.is_integer():
        return False
    number = int(value)
    if not 100_000_000 <= number < 10_000_000_000:
        return False
    return is_cpr_date(f"{number:010d}"[:6])


def mask(text: str) -> str:
    """The text with every CPR-like run replaced, so a header can be shown safely."""
    return _NINE.sub(_MASK, _CPR.sub(_MASK, text))


def _matches(texts: pa.Array) -> np.ndarray:
    hits = pc.match_substring_regex(texts, _PREFILTER).fill_null(False)
    return np.flatnonzero(hits.to_numpy(zero_copy_only=False))


def _numeric_hits(values: np.ndarray) -> list[int]:
    """Positions of whole numbers of 9-10 digits that are CPR numbers (vectorised range test)."""
    try:
        numbers = pa.array(values, type=pa.float64(), from_pandas=True).to_numpy(
            zero_copy_only=False
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        numeric = (int, float, np.number)
        numbers = np.array(
            [
                float(v) if isinstance(v, numeric) and not isinstance(v, bool) else np.nan
                for v in values
            ],
            dtype=float,
        )
    candidates = np.flatnonzero(
        (numbers >= 1e8) & (numbers < 1e10) & (numbers == np.floor(numbers))
    )
    return [int(i) for i in candidates if number_is_cpr(float(numbers[i]))]


def _column_hits(values: np.ndarray) -> set[int]:
    """Positions of the cells of one column that hold a CPR number, as text or as a number."""
    try:
        texts = pa.array(values, type=pa.string(), from_pandas=True)
        mixed = False  # text and empty cells only: no numeric pass needed
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        texts = pa.array([v if isinstance(v, str) else None for v in values], type=pa.string())
        mixed = True
    hits = {int(i) for i in _matches(texts) if text_has_cpr(values[i])}
    if mixed:
        hits.update(_numeric_hits(values))
    return hits


def find_cpr(table: RawTable) -> list[tuple[int, str]]:
    """(row number, header as written) of every cell that looks like a CPR number.

    A header cell that itself looks like one is reported at the header row. Headers that
    contain a CPR-like run are returned masked, so the result never holds the number.
    """
    found: list[tuple[int, int, str]] = []
    shown = [mask(h) for h in table.headers]
    for position, header in enumerate(table.headers):
        if header and text_has_cpr(header):
            found.append((table.header_row, position, shown[position]))
    for position, column in enumerate(table.frame.columns):
        hits = _column_hits(table.frame[column].to_numpy(dtype=object))
        found.extend((table.rows[i], position, shown[position]) for i in hits)
    found.sort()
    return [(row, header) for row, _, header in found]
