"""A rejected file comes back with exactly the offending cells marked and explained."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from ci_measure.intake import ingest, returned, template
from ci_measure.intake.validate import validate_file
from tests.ci_measure.intake.test_template import TODAY, fill, make_workspace
from tests.helpers import write

RED = "00FFC7CE"


@pytest.fixture
def ws(tmp_path: Path):
    return make_workspace(tmp_path / "ws")


def marks(path: Path) -> dict[str, str]:
    """cell -> comment text of every marked cell (and no cell is red without a comment)."""
    sheet = openpyxl.load_workbook(path)["data"]
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            red = cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == RED
            assert red == (cell.comment is not None), cell.coordinate
            if cell.comment:
                found[cell.coordinate] = cell.comment.text
    return found


def row_of(sheet, element: str, sex: str = "M", area: str = "0561-OST-N") -> int:
    return next(
        r
        for r in range(2, sheet.max_row + 1)
        if (sheet.cell(r, 1).value, sheet.cell(r, 2).value, sheet.cell(r, 4).value)
        == (element, area, sex)
    )


def test_wrong_code_text_and_negative_count_are_named_and_marked_exactly(ws, tmp_path):
    blank, filled = tmp_path / "skole.xlsx", tmp_path / "Skole 2024.xlsx"
    template.write_template(ws, "SKOLE", blank, TODAY)
    fill(blank, filled, ws)
    book = openpyxl.load_workbook(filled)
    sheet = book["data"]
    code_row = row_of(sheet, "KARAKTER_ANTAL_9KL", "F")
    text_row = row_of(sheet, "ELEVER_AFGANG_9KL", "F", "0561-OST-S")
    negative_row = row_of(sheet, "ELEVER_UDD_15MD")
    sheet.cell(code_row, 1).value = "KARAKTER_ANTAL"
    sheet.cell(text_row, 6).value = "tolv"
    sheet.cell(negative_row, 6).value = -4
    book.save(filled)

    receipt = ingest.ingest_external(ws, filled, "SKOLE")
    assert receipt.status == "rejected"
    assert [(p.row, p.column, p.value, p.code) for p in receipt.errors] == sorted(
        [
            (code_row, "dataelement", "KARAKTER_ANTAL", "unknown_code"),
            (text_row, "værdi", "tolv", "not_a_number"),
            (negative_row, "værdi", "-4", "negative_value"),
        ]
    )
    outbox = ws.outbox / "SKOLE"
    stem = f"Skole 2024.{receipt.sha256[:8]}"
    marked = outbox / f"{stem}.marked.xlsx"
    found = marks(marked)
    assert set(found) == {f"A{code_row}", f"F{text_row}", f"F{negative_row}"}
    assert "KARAKTER_ANTAL_9KL" in found[f"A{code_row}"]  # the closest valid code
    assert "ikke et tal" in found[f"F{text_row}"] and "is not a number" in found[f"F{text_row}"]
    assert "negativt" in found[f"F{negative_row}"] and "negative" in found[f"F{negative_row}"]
    # It is still the partner's own workbook: the guide, the dropdowns and its values are there.
    again = openpyxl.load_workbook(marked)
    assert "vejledning" in again.sheetnames and again["data"].data_validations.dataValidation
    assert again["data"].cell(text_row, 6).value == "tolv"
    page = (outbox / f"{stem}.html").read_text(encoding="utf-8")
    assert f'href="{marked.name}"' in page
    for row in (code_row, text_row, negative_row):
        assert f"<tr><td>{row}</td>" in page
    assert json.loads((outbox / f"{stem}.json").read_text())["status"] == "rejected"


def test_fixing_the_marked_cells_of_a_returned_csv_makes_it_acceptable(ws, tmp_path):
    text = (
        "Indberetning fra skolerne\n\n"
        "dataelement;område;periode;køn;værdi;kommentar\n"
        'ELEVER_AFGANG_9KL;0561-OST-N;2024/25;M;1.234;"to\nlinjer"\n'
        'ELEVER_AFGANG_9KL;0561-OST-N;2024/25;F;12;=HYPERLINK("x")\n'
        "ELEVER_UDD_15MD;0561-OST-N;2024/25;M;tolv;\n"
        "ELEVER_UDD_15MD;0561-OSTN;2024/25;F;5;@SUM(A1)\n"
    )
    source = write(tmp_path / "skole.csv", text)
    receipt = validate_file(source, ws, "SKOLE").receipt
    assert [(p.row, p.column) for p in receipt.errors] == [(7, "værdi"), (8, "område")]
    target = tmp_path / "out.marked.xlsx"
    returned.mark_file(source, receipt.errors, target)
    assert set(marks(target)) == {"E7", "B8"}  # rows as on the receipt, after the two-line record
    sheet = openpyxl.load_workbook(target)["data"]
    assert sheet["A1"].value == "Indberetning fra skolerne" and sheet["A3"].value == "dataelement"
    assert sheet["E4"].value == 1234 and sheet["F4"].value == "to\nlinjer"  # 1.234 in a ;-file
    for cell in (sheet["F6"], sheet["F8"]):  # formula-like text is text, never evaluated
        assert cell.data_type == "s" and cell.value.startswith(("=", "@")) and cell.quotePrefix
    assert sheet["B4"].data_type == "s" and sheet["C4"].value == "2024/25"
    sheet["E7"], sheet["B8"] = 30, "0561-OST-N"
    fixed = tmp_path / "fixed.xlsx"
    sheet.parent.save(fixed)
    assert validate_file(fixed, ws, "SKOLE").receipt.accepted


def test_a_missing_column_is_marked_where_it_should_go(ws, tmp_path):
    source = write(tmp_path / "a.csv", "dataelement;område;værdi\nELEVER_AFGANG_9KL;0561-OST-N;4\n")
    receipt = validate_file(source, ws, "SKOLE").receipt
    target = returned.mark_file(source, receipt.errors, tmp_path / "a.marked.xlsx")
    assert list(marks(target)) == ["D1"]


def test_personal_data_and_unreadable_files_never_come_back(ws, tmp_path):
    cpr = write(
        tmp_path / "cpr.csv",
        "dataelement;område;periode;værdi;kommentar\nBEF_25;0561;2024;4;010203-1234\n",
    )
    receipt = ingest.ingest_external(ws, cpr, "KOMMUNE")
    assert receipt.status == "deleted"
    damaged = write(tmp_path / "broken.xlsx", "PK\x03\x04 not really a zip")
    assert ingest.ingest_external(ws, damaged, "KOMMUNE").status == "rejected"
    outbox = ws.outbox / "KOMMUNE"
    assert not list(outbox.glob("*.marked.xlsx"))
    assert all("010203" not in p.read_text(encoding="utf-8") for p in outbox.iterdir())
    assert not returned.should_return(receipt)


def test_a_failure_while_marking_never_fails_the_ingest(ws, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret cell content")

    monkeypatch.setattr(returned, "mark_file", boom)
    source = write(tmp_path / "b.csv", "dataelement;område;periode;værdi\nBEF_25;0561;2024;-1\n")
    receipt = ingest.ingest_external(ws, source, "KOMMUNE")
    assert receipt.status == "rejected"
    stem = f"b.{receipt.sha256[:8]}"
    page = (ws.outbox / "KOMMUNE" / f"{stem}.html").read_text(encoding="utf-8")
    assert "marked.xlsx" not in page and "negative_value" in page
    assert not (ws.outbox / "KOMMUNE" / f"{stem}.marked.xlsx").exists()


def test_an_ods_comes_back_as_xlsx_with_cells_where_the_partner_put_them(ws, tmp_path):
    from tests.ci_measure.intake.test_read_excel import ods_cell, write_ods

    def row(*values) -> str:
        cells = "".join("<table:table-cell/>" if v is None else ods_cell(v) for v in values)
        return f"<table:table-row>{cells}</table:table-row>"

    sheet = (
        '<table:table table:name="Ark1">'
        + row("Tal fra Mødestedet")
        + row(None, "dataelement", "område", "periode", "værdi")
        + row(None, "INKL_DELTAGERE", "0561-OST-N", "2024-Q4", 12.0)
        + row(None, "INKL_DELTAGERE_HANDICAP", "0561-OST-N", "2024-Q4", 2.5)
        + "</table:table>"
    )
    source = write_ods(tmp_path / "ngo.ods", sheet)
    receipt = validate_file(source, ws, "NGO").receipt
    assert [(p.row, p.column, p.code) for p in receipt.errors] == [(4, "værdi", "not_whole_number")]
    target = returned.mark_file(source, receipt.errors, tmp_path / "ngo.marked.xlsx")
    assert list(marks(target)) == ["E4"]
    data = openpyxl.load_workbook(target)["data"]
    assert (data["A1"].value, data["B2"].value, data["E3"].value, data["E4"].value) == (
        "Tal fra Mødestedet",
        "dataelement",
        12,
        2.5,
    )
