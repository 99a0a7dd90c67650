"""The partner's own file returned with every offending cell highlighted and explained.

A receipt says "row 7, column værdi"; the returned workbook shows it: the cell is red and
its comment says what is wrong and how to fix it (Danish, then English). An .xlsx comes
back as the partner's own workbook (loaded with openpyxl, macros dropped and never run,
formulas kept as they were); a CSV, .ods or .xls comes back as a new .xlsx holding the
cells as read, each at the row and column where the partner wrote it, so row numbers on
the receipt and in the workbook agree. Files with personal data never come back.
"""

from __future__ import annotations

import io
import logging
import warnings
import zipfile
from collections import defaultdict
from pathlib import Path

from ci_measure import atomic
from ci_measure.config.model import Workspace
from ci_measure.errors import Problem
from ci_measure.intake.columns import canonical_header
from ci_measure.intake.read import read_table
from ci_measure.intake.read.table import RawTable, header_text
from ci_measure.intake.receipt import Receipt
from ci_measure.safe_text import is_formula_like, short_stem

log = logging.getLogger(__name__)

MARK_COLOUR = "FFC7CE"  # Excel's own "bad" red
MAX_SOURCE_BYTES = 1024 * 1024  # larger files get the receipt alone: openpyxl marks ~3k rows/s
MAX_MARKS = 5000  # cells marked; the receipt's JSON lists every problem
NOTHING_TO_MARK = ("unreadable_file", "file_too_large", "empty_file", "personal_data")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def returned_name(receipt: Receipt) -> str:
    """``<stem>.<sha8>.marked.xlsx``, next to the receipt of the same file."""
    return f"{short_stem(receipt.file)}.{receipt.sha256[:8]}.marked.xlsx"


def should_return(receipt: Receipt) -> bool:
    """Only a rejected file whose problems sit in cells, and never one with personal data."""
    if receipt.status != "rejected" or not receipt.errors:
        return False
    if any(p.code in NOTHING_TO_MARK for p in receipt.errors):
        return False
    return any(p.row is not None for p in receipt.errors)


def _is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _text_cell(cell, text: str) -> None:  # noqa: ANN001
    """A text cell that no spreadsheet evaluates (SPEC §8), even if it starts with = + - @."""
    cell.value = text
    cell.data_type = "s"
    cell.number_format = "@"
    if is_formula_like(text):
        cell.quotePrefix = True


def _csv_grid(path: Path) -> list[tuple[int, list[object]]]:
    """(line number, cells) of every record, with the reader's own decoding and delimiter."""
    from ci_measure.intake.read.csv import _records, decode, sniff_delimiter

    text, _ = decode(path.read_bytes())
    text = text.replace("\x00", "")
    records, starts = _records(text, sniff_delimiter(text))
    return [(int(n), list(r)) for n, r in zip(starts, records, strict=True)]


def _sheet_grid(path: Path, sheet: str | None) -> list[tuple[int, list[object]]]:
    """The chosen sheet of an .ods/.xls from A1 as read for validation (error cells as text)."""
    from python_calamine import CalamineWorkbook

    from ci_measure.intake.read.excel import _cell, choose_sheet, sheet_rows

    kind = "ods" if zipfile.is_zipfile(path) else "xls"
    with CalamineWorkbook.from_path(str(path)) as book:
        chosen = book.get_sheet_by_name(sheet) if sheet else choose_sheet(book)
        grid = sheet_rows(path, kind, chosen)
    return [(i, [_cell(v) for v in row]) for i, row in enumerate(grid, start=1)]


def _value_numbers(
    grid: list[tuple[int, list[object]]], table: RawTable
) -> dict[tuple[int, int], float]:
    """CSV value cells that are numbers, so the returned workbook holds numbers, not text."""
    import numpy as np
    import pandas as pd

    from ci_measure.intake.values import parse_values, uses_decimal_comma

    header = next((cells for n, cells in grid if n == table.header_row), [])
    column = next(
        (j for j, h in enumerate(header) if canonical_header(header_text(h)) == "value"), None
    )
    if column is None:
        return {}
    where = [
        (n, cells[column]) for n, cells in grid if n > table.header_row and column < len(cells)
    ]
    texts = pd.Series([str(c).strip() for _, c in where], dtype=object)
    comma = table.decimal_comma or uses_decimal_comma(texts)
    parsed = parse_values(texts, comma)
    return {
        (n, column): float(v)
        for (n, _), v, m, good in zip(where, parsed.value, parsed.missing, parsed.ok, strict=True)
        if good and not m and not np.isnan(v)
    }


def _rebuild(path: Path, table: RawTable, csv: bool):  # noqa: ANN202
    """A new workbook with the file's cells at their own positions (sheet `data`)."""
    from openpyxl import Workbook

    grid = _csv_grid(path) if csv else _sheet_grid(path, table.sheet)
    numbers = _value_numbers(grid, table) if csv else {}
    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    for n, cells in grid:
        for j, value in enumerate(cells):
            if value is None or value == "":
                continue
            cell = sheet.cell(n, j + 1)
            if (n, j) in numbers:
                number = numbers[(n, j)]
                cell.value = int(number) if number.is_integer() else number
            elif isinstance(value, str):
                _text_cell(cell, value.strip() if csv else value)
            else:
                cell.value = value
    return book, sheet


def _locate(problem: Problem, columns: dict[str, int], header_row: int) -> tuple[int, int]:
    """(row, column) of the cell a problem is about; the header row for column-level ones."""
    row = problem.row if problem.row is not None else header_row
    if problem.column and problem.column in columns:
        return row, columns[problem.column]
    if problem.code == "missing_column":  # where the missing column would go
        return header_row, max(columns.values(), default=0) + 1
    return row, 1


def mark(sheet, problems: list[Problem], header_row: int) -> int:  # noqa: ANN001
    """Fill each offending cell and comment it (all its problems, Danish then English)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    columns: dict[str, int] = {}
    for cell in sheet[header_row]:
        name = header_text(cell.value)
        if name and name not in columns:
            columns[name] = cell.column
    notes: dict[tuple[int, int], list[Problem]] = defaultdict(list)
    for problem in problems[:MAX_MARKS]:
        notes[_locate(problem, columns, header_row)].append(problem)
    fill = PatternFill("solid", fgColor=MARK_COLOUR)
    for (row, column), found in notes.items():
        cell = sheet.cell(row, column)
        cell.fill = fill
        if cell.data_type == "s" and is_formula_like(cell.value):
            cell.quotePrefix = True  # the partner edits this cell: it must stay text (SPEC §8)
        text = "\n\n".join(f"{p.message_da}\n({p.message_en}) [{p.code}]" for p in found)
        comment = Comment(text, "ci-measure")
        comment.width, comment.height = 320, min(60 + 70 * len(found), 400)
        cell.comment = comment
    return len(notes)


def mark_file(
    source: Path, problems: list[Problem], target: Path, table: RawTable | None = None
) -> Path:
    """Write ``target``: the file with the problems' cells highlighted and commented."""
    source, target = Path(source), Path(target)
    if table is None:
        table = read_table(source, MAX_SOURCE_BYTES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on features it drops
        if _is_xlsx(source):
            from openpyxl import load_workbook

            book = load_workbook(source, keep_vba=False, data_only=False, keep_links=False)
            sheet = book[table.sheet] if table.sheet in book.sheetnames else book.worksheets[0]
            book.active = book.worksheets.index(sheet)
            book.template = False  # an .xltx comes back as a plain workbook
        else:
            with source.open("rb") as handle:
                head = handle.read(8)
            spreadsheet = head.startswith((OLE2, b"PK\x03\x04"))
            book, sheet = _rebuild(source, table, csv=not spreadsheet)
        mark(sheet, problems, table.header_row)
        buffer = io.BytesIO()
        book.save(buffer)
    atomic.write_bytes(target, buffer.getvalue())
    return target


def archived_file(workspace: Workspace, receipt: Receipt) -> Path | None:
    """The archived copy of a submission's bytes (ingest archives rejected files too)."""
    exact = workspace.archive / f"{receipt.sha256}{Path(receipt.file).suffix.lower()}"
    if exact.is_file():
        return exact
    return next(iter(sorted(workspace.archive.glob(f"{receipt.sha256}*"))), None)


def write_returned(
    workspace: Workspace, receipt: Receipt, source: Path | None = None
) -> Path | None:
    """The returned workbook in ``outbox/<partner>/``, or None; never raises (the receipt matters more)."""
    if not should_return(receipt):
        return None
    target = workspace.outbox / receipt.partner / returned_name(receipt)
    try:
        if target.exists():
            return target
        source = (
            source if source is not None and source.is_file() else archived_file(workspace, receipt)
        )
        if source is None or source.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return mark_file(source, receipt.errors, target)
    except Exception as failure:  # a marked copy is a courtesy: never fail the ingest
        log.warning("no returned workbook for %s: %s", receipt.sha256[:8], type(failure).__name__)
        return None
