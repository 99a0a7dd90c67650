"""Spreadsheet error cells (``#N/A``, ``#DIV/0!`` …), which python-calamine reads as empty.

calamine's ``to_python()`` turns an error cell into ``''`` and has no cell-type API, so an
``#N/A`` would be read as "not reported". The error cells are found where each format keeps
them, and the grid gets their text back, so they are refused as ``not_a_number`` like the
same text in a CSV (SPEC §4):

* .xlsx: the sheet's XML, cells with ``t="e"`` (streamed; only rows holding ``t="e"`` are
  parsed, so a sheet without errors costs one decompression);
* .ods: ``content.xml``, cells with ``calcext:value-type="error"`` and their text;
* .xls: fastexcel (calamine with cell types), whose conversion errors name ``Error(NA)``.

Positions are 0-based (row, column) from A1.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

CHUNK = 1 << 20
MAX_REPEAT = 1000  # repeated error rows marked (LibreOffice repeats identical rows)
Cells = dict[tuple[int, int], str]

# calamine's CellErrorType names -> what the spreadsheet shows.
XLS_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
_XLS_DETAIL = re.compile(r"Error\((\w+)\)")
_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]+)"')
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>|/>")


def _column_index(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n - 1


def _xlsx_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the worksheet named ``sheet`` (workbook.xml + its relations)."""
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    rel_id = None
    for element in workbook.iter():
        if element.tag.endswith("}sheet") and element.get("name") == sheet:
            rel_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
    if rel_id is None:
        return None
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _xlsx_scan(data: bytes, found: Cells) -> None:
    """Add the error cells of complete rows of sheet XML in ``data``."""
    pos = data.find(b't="e"')
    while pos != -1:
        start = data.rfind(b"<", 0, pos)
        close = data.find(b">", pos)
        tag = data[start : close + 1]
        ref = _REF.search(tag)
        if re.match(rb"<(?:[\w.-]+:)?c\s", tag) and ref and not tag.endswith(b"/>"):
            end = _CELL_END.search(data, close)
            value = _VALUE.search(data, close, end.start() if end else len(data))
            if value:
                text = value.group(1).decode("utf-8", "replace").strip()
                found[int(ref.group(2)) - 1, _column_index(ref.group(1))] = text
        pos = data.find(b't="e"', close)


def xlsx_errors(path: Path, sheet: str) -> Cells:
    """Error cells of the worksheet ``sheet`` of an .xlsx/.xlsm."""
    found: Cells = {}
    with zipfile.ZipFile(path) as archive:
        member = _xlsx_member(archive, sheet)
        if member is None or member not in archive.namelist():
            return found
        tail = b""
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                data = tail + chunk
                cut = max(data.rfind(b"</row>"), data.rfind(b":row>"))
                if cut == -1:
                    tail = data
                    continue
                cut = data.find(b">", cut) + 1
                if b't="e"' in data[:cut]:
                    _xlsx_scan(data[:cut], found)
                tail = data[cut:]
        if b't="e"' in tail:
            _xlsx_scan(tail, found)
    return found


_ODS_TOKEN = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>"
)
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="([0-9]+)"')
_COLS_REPEATED = re.compile(rb'number-columns-repeated="([0-9]+)"')
_TABLE_NAME = re.compile(rb'table:name="([^"]*)"')
_PARAGRAPH = re.compile(rb"<text:p[^>]*>(.*?)</text:p>", re.S)
_TAGS = re.compile(rb"<[^>]+>")
ODS_ERROR = b'value-type="error"'


def _xml_text(raw: bytes) -> str:
    text = _TAGS.sub(b"", raw).decode("utf-8", "replace")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&").strip()


def _ods_has_errors(archive: zipfile.ZipFile) -> bool:
    tail = b""
    with archive.open("content.xml") as stream:
        while chunk := stream.read(CHUNK):
            if ODS_ERROR in tail + chunk:
                return True
            tail = chunk[-len(ODS_ERROR) :]
    return False


def _escaped(name: str) -> bytes:
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        name = name.replace(char, entity)
    return name.encode("utf-8")


def ods_errors(path: Path, sheet: str) -> Cells:
    """Error cells of the table ``sheet`` of an .ods (rows and cells may repeat)."""
    found: Cells = {}
    with zipfile.ZipFile(path) as archive:
        if not _ods_has_errors(archive):
            return found
        content = archive.read("content.xml")
    inside, row, span, col = False, 0, 1, 0
    wanted = _escaped(sheet)
    for token in _ODS_TOKEN.finditer(content):
        closing, kind, attrs, empty = token.groups()
        if kind == b"table":
            name = _TABLE_NAME.search(attrs)
            inside = not closing and bool(name) and name.group(1) == wanted
            row = 0
            continue
        if not inside:
            continue
        if kind == b"table-row" and not closing:
            repeated = _ROWS_REPEATED.search(attrs)
            span, col = (int(repeated.group(1)) if repeated else 1), 0
            if empty:
                row += span
        elif kind == b"table-row":
            row += span
        elif not closing:  # a cell, or a covered cell
            repeated = _COLS_REPEATED.search(attrs)
            width = int(repeated.group(1)) if repeated else 1
            if ODS_ERROR in attrs and not empty:
                end = content.find(b"</table:table-cell>", token.end())
                paragraph = _PARAGRAPH.search(content, token.end(), end)
                text = _xml_text(paragraph.group(1)) if paragraph else "#VALUE!"
                for r in range(row, row + min(span, MAX_REPEAT)):
                    for c in range(col, col + width):
                        found[r, c] = text
            col += width
    return found


def xls_errors(path: Path, sheet: str, start: tuple[int, int] | None) -> Cells:
    """Error cells of the sheet ``sheet`` of a legacy .xls, via fastexcel's cell types.

    fastexcel counts from the first non-empty cell (``start``, as python-calamine reports it).
    """
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    loaded = reader.load_sheet(sheet, header_row=None, dtypes="float")
    _, errors = loaded.to_arrow_with_errors()
    top, left = start or (0, 0)
    found: Cells = {}
    for error in errors.errors if errors is not None else ():
        kind = _XLS_DETAIL.search(error.detail)
        if kind:
            r, c = error.position
            found[top + r, left + c] = XLS_ERRORS.get(kind.group(1), "#VALUE!")
    return found
