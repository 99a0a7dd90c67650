"""Personal data anywhere in a partner's file (SPEC §8): refused, never kept, never repeated.

:func:`personal_data` looks at the submission table first (row and header of each cell,
with the identifier-column exception for P-numbers and the like), then at everything else
the file holds: every cell of every sheet (title lines, note lines, other and hidden
sheets), comments, page headers and footers, document properties, sheet and defined names,
text boxes and charts; for a CSV its whole text. The result names rows, headers and places,
never the number.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ci_measure.errors import FileProblem, Problem
from ci_measure.intake.cpr import TableScan, keys_of, scan_table
from ci_measure.intake.personal import places
from ci_measure.intake.personal.scan import raw_keys
from ci_measure.intake.read.limits import UNPACK_FACTOR
from ci_measure.intake.read.table import RawTable

__all__ = ["personal_data"]

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def personal_data(
    path: Path, table: RawTable | None, max_bytes: int, refused: Problem | None = None
) -> list[Problem]:
    """Every place in the file at ``path`` that holds a CPR number, as ``personal_data``
    problems (table cells first, by row; then other places as a reader meets them).

    ``table`` is the submission table as read, or None when the file could not be read as
    one (``refused`` says why): it is searched all the same, unless it is too large to look
    into (a zip bomb must cost seconds, not a second unpacking).
    """
    if refused is not None and refused.code == "file_too_large":
        return []
    scan = scan_table(table) if table is not None else TableScan()
    problems = [Problem.make("personal_data", row=row, column=col) for row, col in scan.found]
    try:
        found = _elsewhere(Path(path), table, scan, max_bytes)
    except FileProblem:  # too large to look into; the reader refuses it as such
        found = set()
    return problems + [place.problem() for place in sorted(found)]


def _elsewhere(
    path: Path, table: RawTable | None, scan: TableScan, max_bytes: int
) -> set[places.Place]:
    size = path.stat().st_size
    if size == 0 or size > max_bytes:
        return set()
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zipped(path, table, scan, max_bytes)
    if head.startswith(OLE2):
        return _ole(path, table, scan)
    from ci_measure.intake.personal.text import text_places

    return text_places(path.read_bytes(), table, scan.seen)


def _judged(found, table: RawTable | None, scan: TableScan) -> set[places.Place]:  # noqa: ANN001
    """The places of a workbook scan: cells not already judged in the table, the places
    found outside cells, and copies of cells whose number is in no cell at all."""
    result = set(found.places)
    for (sheet, row, column), keys in found.cells.items():
        if table is not None and sheet == table.sheet and all((row, k) in scan.seen for k in keys):
            continue
        info = found.sheets.get(sheet)
        hidden, index = (info.hidden, info.index) if info else (False, 0)
        result.add(places.cell(sheet, hidden, index, row, column))
    seen = {key for _, key in scan.seen}
    for name in found.sheets:
        seen |= keys_of(name)
    result |= found.uncovered_copies(seen)
    return result


def _zipped(
    path: Path, table: RawTable | None, scan: TableScan, max_bytes: int
) -> set[places.Place]:
    from ci_measure.intake.personal.workbook import Budget, Found, OdsScan, XlsxScan

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return set()  # not a readable zip: the reader says unreadable_file
    with archive:
        budget = Budget(UNPACK_FACTOR * max_bytes)
        if "xl/workbook.xml" in archive.NameToInfo:
            return _judged(XlsxScan(archive, budget).run(), table, scan)
        if "content.xml" in archive.NameToInfo:
            cells = Found()
            sheets = _calamine(path, cells)
            seen = {key for _, key in scan.seen}.union(*cells.cells.values())
            found = OdsScan(archive, budget, sheets, seen).run()
            found.cells = cells.cells
            return _judged(found, table, scan)
        keys = set()  # another kind of zip (a Word document ...): its text, as raw bytes
        for info in archive.infolist():
            if not info.is_dir():
                keys |= raw_keys(budget.read(archive, info.filename))
        return {places.FILE} if keys else set()


def _calamine(path: Path, found) -> list:  # noqa: ANN001
    """Every sheet's cells via calamine; nothing when the workbook cannot be read (the raw
    scan still looks at its bytes)."""
    from ci_measure.intake.personal.sheets import sheets_and_cells
    from ci_measure.intake.read.limits import native_panics_silenced

    try:
        with native_panics_silenced():
            return sheets_and_cells(str(path), found)
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001 - a damaged workbook: its bytes are still searched
        return list(found.sheets.values())
    except BaseException as failure:  # calamine's Rust panics (pyo3 PanicException)
        if type(failure).__name__ != "PanicException":
            raise
        return list(found.sheets.values())


def _ole(path: Path, table: RawTable | None, scan: TableScan) -> set[places.Place]:
    """An .xls: every sheet's cells, then its bytes as text (comments, headers, names and
    properties are kept as Latin-1 or UTF-16LE text in its streams)."""
    from ci_measure.intake.personal.workbook import Found

    found = Found()
    _calamine(path, found)
    for name in found.sheets:
        if keys_of(name):
            found.places.add(places.SHEET_NAME)
    found.copies = [(key, places.WORKBOOK) for key in raw_keys(path.read_bytes())]
    return _judged(found, table, scan)
