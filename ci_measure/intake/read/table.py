"""The reader's result, and the layout rules shared by CSV and spreadsheets (SPEC §3).

Both readers hand over a grid of cells plus the row number the partner sees for each grid
row; :func:`shape_table` then finds the header row below any title rows and drops blank rows
and blank columns, so CSV and Excel files follow exactly the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ci_measure.intake.columns import canonical_header

# The header is searched for among this many non-blank rows from the top.
HEADER_SEARCH_ROWS = 30
# A row is the header when at least this many of its cells are known column names.
HEADER_MIN_KNOWN = 2


@dataclass(frozen=True)
class Grid:
    """A sheet or a CSV exactly as read: every cell, before any header is looked for.

    ``columns`` are object arrays of equal length (None for an empty cell); ``numbers`` the
    row number (1-based, as the partner sees it) of each grid row. Readers of other layouts
    (Statistikbanken exports, the personal-data scan) start from here.
    """

    columns: list[np.ndarray]
    numbers: np.ndarray
    sheet: str | None = None
    decimal_comma: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    # The same columns as Arrow text (stripped, null for empty), when the reader had them
    # (a CSV parsed by Arrow): the checks then read the columns without Python objects.
    arrow: list[pa.Array] | None = None


@dataclass(frozen=True)
class RawTable:
    """A file's cells as the partner wrote them, with the positions the partner sees."""

    frame: pd.DataFrame  # object dtype, columns "c0", "c1", ...; cells None/str/int/float/bool/date
    headers: list[str]  # header cell of each kept column as written (stripped), "" if blank
    rows: list[int]  # row number (1-based, as in the editor/spreadsheet) of each frame row
    header_row: int  # row number of the header row
    sheet: str | None  # sheet name used (spreadsheets)
    decimal_comma: bool  # CSV: ';'-separated; always False for spreadsheets
    encoding: str | None  # CSV: 'utf-8', 'utf-8-sig', 'cp1252', 'utf-16'
    delimiter: str | None  # CSV: ',', ';', '\t', '|'
    arrow: dict[str, pa.Array] | None = None  # frame columns as Arrow text, when known

    def text_column(self, column: str) -> pd.Series | pa.Array:
        """A frame column for per-distinct-text work: its Arrow text when the reader had it
        (no Python object per cell), else the frame's column."""
        if self.arrow is not None and column in self.arrow:
            return self.arrow[column]
        return self.frame[column]


def header_text(cell: object) -> str:
    """A header cell as text: Excel's 2024.0 is the header "2024", a date its ISO form."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


def _row(columns: Sequence[np.ndarray], index: int) -> list[object]:
    return [column[index] for column in columns]


def find_header(columns: Sequence[np.ndarray], filled: np.ndarray) -> int | None:
    """Index of the header row: the first row with two known column names among the first
    non-blank rows, else the first non-blank row; None if every row is blank."""
    candidates = np.flatnonzero(filled)[:HEADER_SEARCH_ROWS]
    for index in candidates:
        known = sum(
            1 for c in _row(columns, index) if c is not None and canonical_header(header_text(c))
        )
        if known >= HEADER_MIN_KNOWN:
            return int(index)
    return int(candidates[0]) if len(candidates) else None


def shape_table(grid: Grid) -> RawTable | None:
    """The submission table of a grid: the header row below any title rows, blank rows and
    blank columns dropped.

    Returns None when there is no non-blank row at all (the caller reports empty_file).
    Vectorised: a million-row CSV must not spend seconds here.
    """
    columns, numbers = grid.columns, grid.numbers
    height = len(numbers)
    filled = np.zeros(height, dtype=bool)
    for i, column in enumerate(columns):
        filled |= _filled(column, None if grid.arrow is None else grid.arrow[i])
    start = find_header(columns, filled)
    if start is None:
        return None
    body = np.flatnonzero(filled[start + 1 :]) + start + 1
    frame: dict[str, np.ndarray] = {}
    arrow: dict[str, pa.Array] = {}
    headers: list[str] = []
    for i, column in enumerate(columns):
        header = header_text(column[start])
        cells = column[body]
        if header or pd.notna(cells).any():
            if grid.arrow is not None:
                arrow[f"c{len(frame)}"] = _rows_of(grid.arrow[i], body)
            frame[f"c{len(frame)}"] = cells
            headers.append(header)
    return RawTable(
        frame=pd.DataFrame(frame, index=pd.RangeIndex(len(body)), dtype=object),
        headers=headers,
        rows=np.asarray(numbers)[body].tolist(),
        header_row=int(numbers[start]),
        sheet=grid.sheet,
        decimal_comma=grid.decimal_comma,
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        arrow=arrow if grid.arrow is not None else None,
    )


def _filled(column: np.ndarray, text: pa.Array | None) -> np.ndarray:
    """Which cells of a column hold something (Arrow's validity bits when known)."""
    if text is None:
        return pd.notna(column)
    return text.is_valid().to_numpy(zero_copy_only=False)


def _rows_of(array: pa.Array, body: np.ndarray) -> pa.Array:
    """The body rows of an Arrow column: a slice when they are consecutive (no copy)."""
    if len(body) and int(body[-1]) - int(body[0]) + 1 == len(body):
        return array.slice(int(body[0]), len(body))
    return array.take(pa.array(body))
