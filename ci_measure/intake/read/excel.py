"""Spreadsheets (.xlsx, .xlsm, .xlsb, .xls, .ods) through python-calamine (SPEC §3).

calamine never runs macros and returns the cached value of every formula. Cells keep their
type (numbers stay numbers, Excel dates stay dates) so validation can tell a typed date
from a period written as text. Row numbers are the sheet's own: the grid is read from A1
(``skip_empty_area=False``) so leading blank rows count.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetVisibleEnum,
)

from ci_measure.errors import FileProblem, Problem
from ci_measure.intake.read.cell_errors import ods_errors, xls_errors, xlsx_errors
from ci_measure.intake.read.limits import MAX_CELLS, MAX_ROWS, too_large
from ci_measure.intake.read.table import Grid

DATA_SHEET = "data"


def _cell(value: object) -> object:
    """One calamine cell as RawTable wants it: '' -> None, text stripped, NaN -> None."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)  # a time of day or a duration is no figure; keep it readable
    return value


def _column(cells: tuple[object, ...]) -> np.ndarray:
    column = np.empty(len(cells), dtype=object)
    column[:] = [_cell(v) for v in cells]
    return column


def _filled(sheet: CalamineSheet) -> bool:
    return sheet.start is not None and sheet.height > 0


def _check_extent(sheet: CalamineSheet) -> None:
    """Refuse before building Python objects for a grid that would not fit in memory."""
    end = sheet.end
    if end is None:
        return
    rows, cols = end[0] + 1, end[1] + 1
    if rows > MAX_ROWS:
        raise too_large(f"{rows:,} rows", f"{MAX_ROWS:,} rows")
    if rows * cols > MAX_CELLS:
        raise too_large(f"{rows:,} rows x {cols:,} columns", f"{MAX_CELLS:,} cells")


def choose_sheet(book: CalamineWorkbook) -> CalamineSheet | None:
    """The sheet named 'data' (any case, trimmed), else the first non-empty sheet the partner
    can see (hidden sheets, often lookup lists, come after the visible ones)."""
    for name in book.sheet_names:
        if name.strip().lower() == DATA_SHEET:
            return book.get_sheet_by_name(name)
    meta = book.sheets_metadata
    visible = [m.name for m in meta if m.visible == SheetVisibleEnum.Visible]
    for name in visible + [m.name for m in meta if m.name not in visible]:
        try:
            sheet = book.get_sheet_by_name(name)
        except CalamineError:  # a chart sheet or dialog sheet holds no cells
            continue
        if _filled(sheet):
            return sheet
    return None


def error_cells(path: Path, kind: str, sheet: CalamineSheet) -> dict[tuple[int, int], str]:
    """The sheet's error cells (``#N/A`` …), which ``to_python`` reads as empty."""
    if kind == "xlsx":
        return xlsx_errors(path, sheet.name)
    if kind == "ods":
        return ods_errors(path, sheet.name)
    return xls_errors(path, sheet.name, sheet.start)


def sheet_rows(path: Path, kind: str, sheet: CalamineSheet) -> list[list[object]]:
    """The sheet from A1 as calamine reads it (cached values), error cells as their text."""
    grid = sheet.to_python(skip_empty_area=False)
    for (r, c), text in error_cells(path, kind, sheet).items():
        if r < len(grid) and c < len(grid[r]):
            grid[r][c] = text
    return grid


def read_workbook(path: Path, kind: str = "xlsx") -> Grid | None:
    """Read the submission sheet; None when the workbook holds no non-blank cell.

    ``kind``: "xlsx" (also .xlsm), "ods" or "xls", as the file's bytes say.
    """
    try:
        book = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise _unreadable(
            "projektmappen er beskyttet med adgangskode / the workbook is password protected"
        ) from None
    with book:
        sheet = choose_sheet(book)
        if sheet is None:
            return None
        _check_extent(sheet)
        grid = sheet_rows(path, kind, sheet)
        columns = [_column(cells) for cells in zip(*grid, strict=True)]
        return Grid(columns, np.arange(1, len(grid) + 1), sheet=sheet.name)


def _unreadable(detail: str) -> FileProblem:
    return FileProblem(Problem.make("unreadable_file", detail=detail))
