"""Spreadsheet reading: sheet choice, real row numbers, typed cells, cached formula values."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from ci_measure.errors import FileProblem
from ci_measure.intake.read import RawTable, read_table
from tests.support.realdata import real

MB = 1024 * 1024


def read(path: Path) -> RawTable:
    return read_table(path, 100 * MB)


def cells(table: RawTable) -> list[list[object]]:
    return table.frame.to_numpy(dtype=object).tolist()


def problem(path: Path) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        read(path)
    return caught.value


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def write_ods(path: Path, tables: str) -> Path:
    """A minimal OpenDocument spreadsheet, built by hand (odfpy is not installed)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def ods_cell(value: str | float) -> str:
    if isinstance(value, str):
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'


def ods_row(*values: str | float, repeat: int = 1) -> str:
    return f'<table:table-row table:number-rows-repeated="{repeat}">{"".join(ods_cell(v) for v in values)}</table:table-row>'


# --- real files -------------------------------------------------------------------------


def test_institution_register_sheet_and_28_columns():
    table = read(real("stil_institutionsregister_folkeskoler.xlsx"))
    assert table.sheet == "Ark 1 - Folkeskoler"
    assert len(table.headers) == 28 and table.headers[:2] == ["HOVEDSKOLE_INST", "INST_NR"]
    assert (table.header_row, table.rows[0], table.rows[-1]) == (1, 2, 1409)
    assert (table.encoding, table.delimiter, table.decimal_comma) == (None, None, False)


def test_ods_uses_the_first_non_empty_sheet():
    table = read(real("dst_nuts_region_landsdel_kommune.ods"))
    assert table.sheet == "raw_data_from_dst"
    assert table.headers[:4] == ["SEQUENCE", "CODE", "LEVEL", "TITLE"]
    assert table.headers[-1].startswith("source: https://www.dst.dk")
    assert cells(table)[0][3] == "Region Hovedstaden"


def test_legacy_xls_reads():
    table = read(real("ons_balance_of_payments_2020q1.xls"))
    assert table.sheet == "Index"
    assert table.header_row == 5  # blank rows 1-4 above the title count
    small = read(real("frictionless/table.xls"))
    assert (small.headers, small.rows, cells(small)) == (
        ["id", "name"],
        [2, 3],
        [[1, "english"], [2, "中国人"]],
    )


def test_title_rows_in_a_real_workbook():
    table = read(real("frictionless/skip-rows.xlsx"))
    assert table.header_row == 1 and table.sheet == "Sheet 1"


# --- made-up workbooks ------------------------------------------------------------------


def test_openpyxl_workbook_with_title_blank_rows_and_columns_keeps_sheet_rows(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Indberetning"
    sheet["B1"] = "Indberetning 2024"  # title row; rows 2-3 blank; column A blank
    sheet.append([])
    for column, header in zip(
        "BCDEF", [" dataelement ", "område", "periode", "værdi", None], strict=True
    ):
        sheet[f"{column}4"] = header
    sheet.append([None, "BEF_25", "0561", "2024", 12, None])  # row 5
    sheet.append([None, "BEF_25", "0561", dt.date(2024, 1, 1), 3.5, None])  # row 6
    # row 7 blank
    sheet["B8"], sheet["C8"], sheet["D8"], sheet["E8"] = "BEF_25_UDD", " 0561 ", "2024", True
    sheet["G9"] = "note"  # a stray cell in an unheaded column keeps that column
    path = tmp_path / "f.xlsx"
    book.save(path)

    table = read(path)
    assert table.sheet == "Indberetning"
    assert table.header_row == 4
    assert table.headers == ["dataelement", "område", "periode", "værdi", ""]
    assert table.rows == [5, 6, 8, 9]
    assert cells(table) == [
        ["BEF_25", "0561", "2024", 12.0, None],
        ["BEF_25", "0561", dt.date(2024, 1, 1), 3.5, None],
        ["BEF_25_UDD", "0561", "2024", True, None],
        [None, None, None, None, "note"],
    ]
    assert isinstance(cells(table)[0][3], float)


def test_xlsxwriter_formulas_give_cached_values_and_the_data_sheet_wins(tmp_path):
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(path)
    intro = book.add_worksheet("Vejledning")
    intro.write("A1", "Udfyld arket data")
    data = book.add_worksheet(" DATA ")
    data.write_row(0, 0, ["dataelement", "område", "periode", "værdi"])
    data.write_row(1, 0, ["BEF_25", "0561", "2024"])
    data.write_formula("D2", "=40+2", None, 42)
    data.write_row(2, 0, ["BEF_25_UDD", "0561", "2024"])
    data.write_formula("D3", '="ti"', None, "ti")
    data.write_datetime(
        "C4", dt.datetime(2024, 3, 1, 12, 30), book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    )
    data.write("A4", "BEF_25")
    book.close()

    table = read(path)
    assert table.sheet == " DATA "
    assert table.rows == [2, 3, 4]
    assert cells(table)[0][3] == 42 and cells(table)[1][3] == "ti"
    assert cells(table)[2][:3] == ["BEF_25", None, dt.datetime(2024, 3, 1, 12, 30)]


def test_empty_first_sheet_is_skipped(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Forside"
    second = book.create_sheet("Tal")
    second.append(["område", "værdi"])
    second.append(["0561", 1])
    path = tmp_path / "f.xlsx"
    book.save(path)
    assert read(path).sheet == "Tal"


def test_a_hidden_first_sheet_is_passed_over(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Koder"
    book.active.append(["område", "værdi"])
    book.active.sheet_state = "hidden"
    shown = book.create_sheet("Indberetning")
    shown.append(["område", "værdi"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    assert read(path).sheet == "Indberetning"


def test_workbook_with_only_empty_sheets_is_empty(tmp_path):
    path = tmp_path / "f.xlsx"
    openpyxl.Workbook().save(path)
    assert problem(path).problem.code == "empty_file"


def test_hand_made_ods_with_an_empty_first_sheet(tmp_path):
    path = write_ods(
        tmp_path / "f.ods",
        '<table:table table:name="Tom"><table:table-row><table:table-cell/></table:table-row></table:table>'
        '<table:table table:name="Ark2"><table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        + ods_row("område", "værdi")
        + ods_row("0561", 3.0)
        + "</table:table>",
    )
    table = read(path)
    assert (table.sheet, table.header_row, table.rows, cells(table)) == (
        "Ark2",
        3,
        [4],
        [["0561", 3.0]],
    )


# --- content, not name ------------------------------------------------------------------


def test_csv_renamed_xlsx_is_read_as_csv(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_text("område;værdi\n0561;3\n", encoding="utf-8")
    table = read(path)
    assert (table.delimiter, table.headers, table.sheet) == (";", ["område", "værdi"], None)


def test_xlsx_renamed_csv_is_read_as_spreadsheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["område", "værdi"])
    book.active.append(["0561", 3])
    path = tmp_path / "f.csv"
    book.save(path)
    assert read(path).sheet == "Sheet"


def test_html_saved_as_xls_is_unreadable_with_a_hint(tmp_path):
    path = tmp_path / "eksport.xls"
    path.write_text(
        "<html><body><table><tr><td>område</td></tr></table></body></html>", encoding="utf-8"
    )
    failure = problem(path).problem
    assert failure.code == "unreadable_file"
    assert "web page (HTML)" in failure.message_en and "webside (HTML)" in failure.message_da


@pytest.mark.parametrize(
    ("members", "words"),
    [({"word/document.xml": "<w/>"}, "Word document"), ({"a.txt": "x"}, "ZIP archive")],
)
def test_zip_that_is_no_spreadsheet_is_unreadable(tmp_path, members, words):
    path = tmp_path / "f.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    failure = problem(path).problem
    assert failure.code == "unreadable_file" and words in failure.message_en


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"%PDF-1.7\n...", "PDF file"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "Excel 2003 XML",
        ),
        (bytes(range(256)) * 4, "neither text (CSV) nor a spreadsheet"),
    ],
)
def test_other_kinds_of_file_are_named(tmp_path, content, words):
    path = tmp_path / "f.xls"
    path.write_bytes(content)
    failure = problem(path).problem
    assert failure.code == "unreadable_file" and words in failure.message_en


def test_xlsb_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "f.xlsb"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x00")
    failure = problem(path).problem
    assert failure.code == "unreadable_file" and ".xlsb" in failure.message_en


def test_damaged_xlsx_is_unreadable(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["område", "værdi"])
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[:-200])
    assert problem(cut).problem.code == "unreadable_file"


def test_fake_ole2_file_is_unreadable(tmp_path):
    path = tmp_path / "f.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert problem(path).problem.code == "unreadable_file"
