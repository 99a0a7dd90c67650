"""Small .ods and .xls workbooks built in memory, for tests that hide things in them.

.xlsx files are built with openpyxl directly; an .ods is a zip of XML written here (the
parts a reader needs, plus page headers and document properties), an .xls is written by
xlwt (BIFF8), so every format a partner may send can be tested without an office suite.
"""

from __future__ import annotations

import io
import zipfile
from html import escape

Rows = list[list[object]]

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"'
)


class Note(str):
    """A cell value with a comment (an .ods annotation): ``Note("12", "the comment")``."""

    def __new__(cls, value: str, note: str) -> Note:
        made = super().__new__(cls, value)
        made.note = note
        return made


def _ods_cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    note = ""
    if isinstance(value, Note):
        note = f"<office:annotation><text:p>{escape(value.note)}</text:p></office:annotation>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"{note}<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string">{note}'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def ods_bytes(
    sheets: dict[str, Rows],
    *,
    header: str = "",
    title: str = "",
    names: dict[str, str] | None = None,
) -> bytes:
    """An .ods with the given sheets (name -> rows), page header text, document title and
    named ranges (name -> cell address)."""
    body = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets.items()
    )
    ranges = "".join(
        f'<table:named-range table:name="{escape(n)}" table:cell-range-address="{escape(a)}"/>'
        for n, a in (names or {}).items()
    )
    if ranges:
        body += f"<table:named-expressions>{ranges}</table:named-expressions>"
    parts = {
        "content.xml": f"<office:document-content {_NS}><office:body><office:spreadsheet>"
        f"{body}</office:spreadsheet></office:body></office:document-content>",
        "styles.xml": f"<office:document-styles {_NS}><office:master-styles>"
        f'<style:master-page style:name="Default"><style:header><text:p>{escape(header)}'
        "</text:p></style:header></style:master-page></office:master-styles>"
        "</office:document-styles>",
        "meta.xml": f"<office:document-meta {_NS}><office:meta><dc:title>{escape(title)}"
        "</dc:title></office:meta></office:document-meta>",
        "META-INF/manifest.xml": '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/></manifest:manifest>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        for name, xml in parts.items():
            text = '<?xml version="1.0" encoding="UTF-8"?>' + xml
            archive.writestr(name, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def xls_bytes(sheets: dict[str, Rows], *, header: str = "", hidden: tuple[str, ...] = ()) -> bytes:
    """An .xls (BIFF8) with the given sheets, a page header (ASCII) on the first sheet, and
    the named sheets hidden."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for index, (name, rows) in enumerate(sheets.items()):
        sheet = book.add_sheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(i, j, value)
        if index == 0 and header:
            sheet.header_str = header.encode("ascii")
        if name in hidden:
            sheet.visibility = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
