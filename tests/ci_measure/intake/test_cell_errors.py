"""Spreadsheet error cells are not_a_number with a hint to fix the formula, in every format
(SPEC §4), with the row numbers the partner sees."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from ci_measure.intake.read import read_grid
from ci_measure.intake.read.cell_errors import ods_errors, xlsx_errors
from ci_measure.intake.validate import validate_file

DATA = Path(__file__).parent / "data"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
ODS = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
 office:version="1.3"><office:body><office:spreadsheet>
<table:table table:name="Forside"><table:table-row>{cover}</table:table-row></table:table>
<table:table table:name="data">
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="4"/></table:table-row>
{rows}
<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="4"/></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""


def _text(t):
    return (
        '<table:table-cell office:value-type="string" calcext:value-type="string">'
        f"<text:p>{t}</text:p></table:table-cell>"
    )


def _number(v):
    return (
        f'<table:table-cell office:value-type="float" office:value="{v}" calcext:value-type="float">'
        f"<text:p>{v}</text:p></table:table-cell>"
    )


def _error(t):
    """An error cell as LibreOffice writes it: an empty string value, the error as text."""
    return (
        '<table:table-cell table:formula="of:=1/0" office:value-type="string" '
        f'office:string-value="" calcext:value-type="error"><text:p>{t}</text:p></table:table-cell>'
    )


def write_ods(path: Path, rows: list[str]) -> Path:
    content = ODS.format(
        cover=_error("#REF!"),  # an error on another sheet is not the data sheet's
        rows="".join(f"<table:table-row>{r}</table:table-row>" for r in rows),
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def ods_file(tmp_path) -> Path:
    return write_ods(
        tmp_path / "fejl.ods",
        [
            "".join(_text(h) for h in ("dataelement", "område", "periode", "værdi")),
            _text("ELEVER_AFGANG_9KL") + _text("0561-OST-N") + _text("2023/24") + _number(40),
            _text("ELEVER_UDD_15MD") + _text("0561-OST-N") + _text("2023/24") + _error("#DIV/0!"),
            _text("ELEVER_AFGANG_9KL") + _text("0561-OST-S") + _text("2023/24") + _error("#N/A"),
        ],
    )


def xlsx_file(tmp_path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Forside"
    book.active["A1"] = "#REF!"  # an error cell on another sheet
    sheet = book.create_sheet("data")
    sheet.append(["Indberetning"])
    sheet.append([])
    sheet.append(["dataelement", "område", "periode", "værdi"])
    sheet.append(["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 40])
    sheet.append(["ELEVER_UDD_15MD", "0561-OST-N", "2023/24", "#DIV/0!"])
    sheet.append(["ELEVER_AFGANG_9KL", "0561-OST-S", "2023/24", "#N/A"])
    assert sheet["D5"].data_type == "e"  # openpyxl writes these as error cells (t="e")
    path = tmp_path / "fejl.xlsx"
    book.save(path)
    return path


def test_xlsx_error_cells_are_found_in_the_sheet_xml(tmp_path):
    assert xlsx_errors(xlsx_file(tmp_path), "data") == {(4, 3): "#DIV/0!", (5, 3): "#N/A"}
    assert xlsx_errors(xlsx_file(tmp_path), "Forside") == {(0, 0): "#REF!"}


def test_ods_error_cells_are_found_in_content_xml(tmp_path):
    assert ods_errors(ods_file(tmp_path), "data") == {(4, 3): "#DIV/0!", (5, 3): "#N/A"}


def test_the_grid_holds_the_error_text_where_calamine_reads_nothing(tmp_path):
    grid = read_grid(xlsx_file(tmp_path), 10**8)
    assert list(grid.columns[3][2:]) == ["værdi", 40, "#DIV/0!", "#N/A"]


@pytest.mark.parametrize(
    "make, expected",
    [
        (xlsx_file, [(5, "#DIV/0!"), (6, "#N/A")]),
        (ods_file, [(5, "#DIV/0!"), (6, "#N/A")]),
        (lambda tmp_path: DATA / "error_cells.xls", [(6, "#N/A"), (7, "#DIV/0!")]),
    ],
    ids=["xlsx", "ods", "xls"],
)
def test_an_error_cell_is_not_a_number_in_every_format(workspace, tmp_path, make, expected):
    receipt = validate_file(make(tmp_path), workspace, "SKOLE").receipt
    assert receipt.status == "rejected"
    assert [(p.code, p.row, p.column, p.value) for p in receipt.errors] == [
        ("not_a_number", row, "værdi", value) for row, value in expected
    ]
    assert all("Ret formlen" in p.message_da for p in receipt.errors)
    assert all("Fix the formula" in p.message_en for p in receipt.errors)


def test_the_error_scan_reads_a_sheet_without_errors_unchanged(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "data"
    book.active.append(['t="e" as text', 1])
    path = tmp_path / "plain.xlsx"
    book.save(path)
    assert xlsx_errors(path, "data") == {}
