"""The cells of every sheet of an .xls or .ods (hidden ones too), through python-calamine.

The submission sheet's table was judged with its headers already; here every sheet is read
whole, with the same size checks as the reader (a sheet claiming too many rows or cells is
refused before it is materialised), and every cell holding a CPR-like number is noted.
"""

from __future__ import annotations

import numpy as np
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from ci_measure.intake.cpr import cell_hits, keys_of
from ci_measure.intake.personal.workbook import Found, Sheet
from ci_measure.intake.read.excel import _cell, _check_extent


def sheets_and_cells(path: str, found: Found) -> list[Sheet]:
    """Every sheet of the workbook, in order; their cells' CPR-like numbers go to ``found``."""
    sheets: list[Sheet] = []
    with CalamineWorkbook.from_path(path) as book:
        for index, meta in enumerate(book.sheets_metadata):
            sheet = Sheet(meta.name, meta.visible != SheetVisibleEnum.Visible, index)
            sheets.append(sheet)
            found.sheets[sheet.name] = sheet
            try:
                data = book.get_sheet_by_name(meta.name)
            except Exception:  # a chart or dialog sheet holds no cells  # noqa: BLE001
                continue
            if data.start is None or data.height == 0:
                continue
            _check_extent(data)
            rows = data.to_python(skip_empty_area=False)
            for column, cells in enumerate(zip(*rows, strict=True)):
                values = np.empty(len(cells), dtype=object)
                values[:] = [_cell(v) for v in cells]
                for i in cell_hits(values):
                    for key in keys_of(values[i]):
                        found.cell(sheet.name, i + 1, column, key)
    return sheets
