"""A CPR number anywhere in a file (SPEC §8): every place of every format is found and
named, the number is never repeated, and P-numbers under their header are no CPR numbers."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from ci_measure.errors import FileProblem
from ci_measure.intake.personal import personal_data
from ci_measure.intake.read import read_table
from ci_measure.intake.validate import validate_file
from tests.support.realdata import real
from tests.support.workbooks import Note, ods_bytes, xls_bytes

CPR = "160377-4822"  # 16 March 1977
HEAD = ["dataelement", "område", "periode", "værdi"]
ROW = ["INKL_DELTAGERE", "0561-OST-N", "2024-Q1", 12]
LIMIT = 10 * 1024 * 1024
TABLE = "(a cell of the table, with the usual message)"


def found(path: Path) -> list[tuple[int | None, str | None, str]]:
    """(row, column, where the Danish message says it is) of every personal_data problem; a
    cell of the submission table is named by its row and header (message: TABLE)."""
    try:
        table = read_table(path, LIMIT)
    except FileProblem:
        table = None
    problems = personal_data(path, table, LIMIT)
    for p in problems:
        assert p.code == "personal_data" and p.value is None
        for text in (p.message_da, p.message_en, p.column or ""):
            assert not re.search(r"\d{6}.?\d{4}|\d{9}", text), text
    return [
        (p.row, p.column, TABLE if p.column else p.message_da.split(" indeholder")[0])
        for p in problems
    ]


def xlsx(tmp_path: Path, change) -> Path:  # noqa: ANN001
    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append(HEAD)
    sheet.append(ROW)
    change(book, sheet)
    path = tmp_path / "f.xlsx"
    book.save(path)
    return path


def _hidden(book, name: str, cell: str, value: object) -> None:  # noqa: ANN001
    sheet = book.create_sheet(name)
    sheet.sheet_state = "hidden"
    sheet[cell] = value


XLSX_PLACES = {
    "title line above the header": (
        lambda b, s: (s.insert_rows(1), s.cell(1, 1, f"Elevliste udarbejdet af {CPR}")),
        [(1, None, "Cellen A1 på arket »data«")],
    ),
    "a note line below the table": (
        lambda b, s: s.cell(5, 1, f"Anm.: spørg {CPR}"),
        [(5, "dataelement", TABLE)],
    ),
    "another sheet": (
        lambda b, s: b.create_sheet("noter").cell(3, 2, CPR),
        [(3, None, "Cellen B3 på arket »noter«")],
    ),
    "a hidden sheet, as a number without its leading zero": (
        lambda b, s: _hidden(b, "opslag", "C4", 102031234),
        [(4, None, "Cellen C4 på det skjulte ark »opslag«")],
    ),
    "a cell comment": (
        lambda b, s: setattr(s["D2"], "comment", Comment(f"spørg {CPR}", "kontor")),
        [(None, None, "Kommentaren i cellen D2 på arket »data«")],
    ),
    "a comment on another sheet": (
        lambda b, s: setattr(b.create_sheet("noter")["B7"], "comment", Comment(CPR, "x")),
        [(None, None, "Kommentaren i cellen B7 på arket »noter«")],
    ),
    "the page header": (
        lambda b, s: setattr(s.oddHeader.center, "text", f"Elev {CPR}"),
        [(None, None, "Sidehovedet eller sidefoden på arket »data«")],
    ),
    "the page footer": (
        lambda b, s: setattr(s.evenFooter.left, "text", CPR),
        [(None, None, "Sidehovedet eller sidefoden på arket »data«")],
    ),
    "the document title": (
        lambda b, s: setattr(b.properties, "title", f"Elev {CPR}"),
        [(None, None, "Dokumentets egenskaber (fx titel, emne, forfatter eller kommentarer)")],
    ),
    "the document's author": (
        lambda b, s: setattr(b.properties, "creator", CPR.replace("-", "")),
        [(None, None, "Dokumentets egenskaber (fx titel, emne, forfatter eller kommentarer)")],
    ),
    "a sheet name": (
        lambda b, s: b.create_sheet(CPR),
        [(None, None, "Et arknavn")],
    ),
    "a defined name": (
        lambda b, s: b.defined_names.add(DefinedName("elev", attr_text=f'"{CPR}"')),
        [(None, None, "Et navngivet område (et defineret navn)")],
    ),
    "a formula's text": (
        lambda b, s: s.cell(2, 6, f'=IF(A2="{CPR}",1,0)'),
        [(2, None, "Formlen i cellen F2 på arket »data«")],
    ),
}


@pytest.mark.parametrize("place", list(XLSX_PLACES))
def test_a_cpr_number_anywhere_in_an_xlsx_is_found_and_named(tmp_path, place):
    change, expected = XLSX_PLACES[place]
    assert found(xlsx(tmp_path, change)) == expected


def test_a_sheet_named_after_a_person_is_shown_masked(tmp_path):
    path = xlsx(tmp_path, lambda b, s: b.create_sheet(f"elev {CPR}").cell(1, 1, CPR))
    assert found(path) == [
        (1, None, "Cellen A1 på arket »elev XXXXXX-XXXX«"),
        (None, None, "Et arknavn"),
    ]


def excel_like(tmp_path: Path, sheets: dict[str, dict[str, object]]) -> Path:
    """A workbook as Excel writes it: text in the shared strings (xlsxwriter does that)."""
    import xlsxwriter

    path = tmp_path / "excel.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, cells in sheets.items():
        sheet = book.add_worksheet(name)
        for ref, value in cells.items():
            sheet.write(ref, value)
    book.close()
    return path


TABLE_CELLS = {"A1": "dataelement", "B1": "område", "C1": "periode", "D1": "værdi", "E1": "P_NR",
               "A2": "INKL_DELTAGERE", "B2": "0561-OST-N", "C2": "2024-Q1", "D2": 12,
               "E2": "1003256468"}  # fmt: skip


def test_shared_strings_are_traced_to_their_cells(tmp_path):
    """Excel keeps text once, in the shared strings: the cells showing it are named, and a
    P-number (text) under its header stays allowed."""
    path = excel_like(tmp_path, {"data": TABLE_CELLS, "noter": {"B3": f"elev {CPR}"}})
    assert b"sharedStrings" in path.read_bytes()
    assert found(path) == [(3, None, "Cellen B3 på arket »noter«")]
    assert found(excel_like(tmp_path, {"data": TABLE_CELLS})) == []


def test_a_shared_string_no_cell_shows_is_found(tmp_path):
    """A text left in the shared strings (a deleted cell's) is still in the file."""
    path = excel_like(tmp_path, {"data": TABLE_CELLS, "noter": {"A5": f"elev {CPR}"}})
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/worksheets/sheet2.xml"] = re.sub(
        rb'<row r="5".*?</row>', b"", parts["xl/worksheets/sheet2.xml"]
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert found(path) == [
        (None, None, "En tekst, der er gemt i projektmappen uden at stå i nogen celle")
    ]


def test_a_text_box_is_searched(tmp_path):
    """openpyxl cannot draw a text box, so one is put into the package as Excel writes it."""
    path = xlsx(tmp_path, lambda b, s: None)
    drawing = (
        '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
        'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f"<xdr:sp><xdr:txBody><a:p><a:r><a:t>Ring til {CPR}</a:t></a:r></a:p></xdr:txBody>"
        "</xdr:sp></xdr:wsDr>"
    )
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/drawings/drawing1.xml", drawing)
    assert found(path) == [(None, None, "Et tekstfelt, en figur eller et diagram")]


ODS_PLACES = {
    "title line": (
        {"sheets": {"data": [[f"Liste ved {CPR}"], HEAD, ROW]}},
        [(1, None, "Cellen A1 på arket »data«")],
    ),
    "another sheet": (
        {"sheets": {"data": [HEAD, ROW], "noter": [[None, None], [None, CPR]]}},
        [(2, None, "Cellen B2 på arket »noter«")],
    ),
    "a comment": (
        {"sheets": {"data": [HEAD, [*ROW[:3], Note("12", f"spørg {CPR}")]]}},
        [(None, None, "En kommentar på arket »data«")],
    ),
    "the page header": (
        {"sheets": {"data": [HEAD, ROW]}, "header": f"Elev {CPR}"},
        [(None, None, "Et sidehoved eller en sidefod")],
    ),
    "the document title": (
        {"sheets": {"data": [HEAD, ROW]}, "title": CPR},
        [(None, None, "Dokumentets egenskaber (fx titel, emne, forfatter eller kommentarer)")],
    ),
    "a sheet name": (
        {"sheets": {"data": [HEAD, ROW], CPR: [["x"]]}},
        [(None, None, "Et arknavn")],
    ),
    "a named range": (
        {"sheets": {"data": [HEAD, ROW]}, "names": {f"elev_{CPR[:6]}{CPR[7:]}": "$data.$A$1"}},
        [(None, None, "Et navngivet område (et defineret navn)")],
    ),
}


@pytest.mark.parametrize("place", list(ODS_PLACES))
def test_a_cpr_number_anywhere_in_an_ods_is_found_and_named(tmp_path, place):
    spec, expected = ODS_PLACES[place]
    path = tmp_path / "f.ods"
    path.write_bytes(ods_bytes(spec.pop("sheets"), **spec))
    assert found(path) == expected


XLS_PLACES = {
    "a note line below the table": (
        {"data": [HEAD, ROW, [], [f"Anm.: {CPR}"]]},
        {},
        [(4, "dataelement", TABLE)],
    ),
    "another sheet": (
        {"data": [HEAD, ROW], "noter": [[], [], [None, CPR]]},
        {},
        [(3, None, "Cellen B3 på arket »noter«")],
    ),
    "a hidden sheet": (
        {"data": [HEAD, ROW], "skjult": [[1103891234]]},
        {"hidden": ("skjult",)},
        [(1, None, "Cellen A1 på det skjulte ark »skjult«")],
    ),
    "the page header": (
        {"data": [HEAD, ROW]},
        {"header": f"Elev {CPR}"},
        [(None, None, "Projektmappen uden for cellerne (fx en kommentar, et sidehoved, et navn eller dokumentets egenskaber)")],
    ),
    "a sheet name": (
        {"data": [HEAD, ROW], CPR: [["x"]]},
        {},
        [(None, None, "Et arknavn")],
    ),
}  # fmt: skip


@pytest.mark.parametrize("place", list(XLS_PLACES))
def test_a_cpr_number_anywhere_in_an_xls_is_found_and_named(tmp_path, place):
    sheets, options, expected = XLS_PLACES[place]
    path = tmp_path / "f.xls"
    path.write_bytes(xls_bytes(sheets, **options))
    assert found(path) == expected


def test_the_raw_search_reads_latin_1_and_utf_16_text_at_any_alignment():
    from ci_measure.intake.personal.scan import raw_keys

    assert raw_keys(b"\x00\x01" + CPR.encode("latin-1") + b"\x02") == {"1603774822"}
    for pad in (b"", b"\x07"):
        assert raw_keys(pad + f"Ø {CPR}".encode("utf-16-le") + b"\x00\x00") == {"1603774822"}
    assert raw_keys("ordre 12345678901 og 3201031234".encode("utf-16-le")) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Elevliste {CPR}\n" + ";".join(HEAD) + "\nINKL_DELTAGERE;0561-OST-N;2024-Q1;12\n",
         [(1, None, "Linje 1 (uden for tabellen)")]),
        (";".join(HEAD) + "\nINKL_DELTAGERE;0561-OST-N;2024-Q1;12\n\nKilde: elev 1603774822\n",
         [(4, "dataelement", TABLE)]),
        (";".join(HEAD) + ";kommentar\nINKL_DELTAGERE;0561-OST-N;2024-Q1;12;\"to\nlinjer " + CPR + "\"\n",
         [(2, "kommentar", TABLE)]),
    ],
    ids=["title line", "note line", "a quoted cell over two lines is reported once"],
)  # fmt: skip
def test_a_cpr_number_anywhere_in_a_csv_is_found_once(tmp_path, text, expected):
    for encoding in ("utf-8", "cp1252", "utf-16"):
        path = tmp_path / f"f-{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert found(path) == expected, encoding


def test_an_unreadable_or_empty_file_is_searched_too(tmp_path, workspace):
    """A file refused for another reason is archived: it must not hold a CPR number."""
    empty_data = xlsx(tmp_path, lambda b, s: (s.delete_rows(1, 2), b.create_sheet("noter")))
    book = load_workbook(empty_data)
    book["noter"]["A1"] = CPR
    book.save(empty_data)
    receipt = validate_file(empty_data, workspace, "NGO").receipt
    assert [(e.code, e.row) for e in receipt.errors] == [("personal_data", 1)]

    word = tmp_path / "brev.docx"
    with zipfile.ZipFile(word, "w") as archive:
        archive.writestr("word/document.xml", f"<w:t>Elev {CPR}</w:t>")
    receipt = validate_file(word, workspace, "NGO").receipt
    assert [(e.code, e.message_da.split(" indeholder")[0]) for e in receipt.errors] == [
        ("personal_data", "Filen")
    ]


def test_nothing_is_found_in_ordinary_files(tmp_path):
    path = xlsx(
        tmp_path, lambda b, s: (s.cell(3, 5, "ordre 12345678901"), s.cell(4, 5, 3201031234))
    )
    assert found(path) == []
    ods = tmp_path / "f.ods"
    ods.write_bytes(ods_bytes({"data": [HEAD, ROW]}, header="Side 1", title="Fravær 2024"))
    assert found(ods) == []
    xls = tmp_path / "f.xls"
    xls.write_bytes(xls_bytes({"data": [HEAD, ROW], "noter": [["Kilde: UVM"]]}, header="Side"))
    assert found(xls) == []


# --- P-numbers and other register identifiers (SPEC §8 exception, issue 15) -------------

STIL_NAME = "stil_institutionsregister_folkeskoler.xlsx"


def test_the_institution_registers_p_numbers_are_not_cpr_numbers(workspace):
    receipt = validate_file(real(STIL_NAME), workspace, "SKOLE").receipt
    assert "personal_data" not in {e.code for e in receipt.errors}
    assert "P_NR" in {w.column for w in receipt.warnings if w.code == "unknown_column"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda b, s: setattr(s["C5"], "value", f"Skole ved {CPR}"), [(5, "INST_NAVN")]),
        (lambda b, s: setattr(s["Y6"], "value", CPR), [(6, "P_NR")]),  # a dash: no P-number
        (lambda b, s: setattr(s["Y7"], "value", 102031234), [(7, "P_NR")]),  # nine digits
        (lambda b, s: setattr(s["B9"], "comment", Comment(CPR, "x")), [(None, None)]),
        (lambda b, s: b.create_sheet("noter").cell(1, 1, 1003256468), [(1, None)]),
    ],
    ids=["other column", "dashed in P_NR", "nine digits in P_NR", "comment", "other sheet"],
)
def test_a_cpr_number_elsewhere_in_the_register_is_still_refused(tmp_path, change, expected):
    book = load_workbook(real(STIL_NAME))
    change(book, book.worksheets[0])
    path = tmp_path / "register.xlsx"
    book.save(path)
    assert [(row, column) for row, column, _ in found(path)] == expected


def test_identifier_columns_in_a_submission_are_an_unknown_column_with_a_warning(
    tmp_path, workspace
):
    text = "dataelement;område;periode;værdi;P-nummer;CVR-nr.;Telefon\n" + "".join(
        f"INKL_DELTAGERE;0561-OST-N;2024-Q{q};{q};{p};12345678;1003256468\n"
        for q, p in ((1, 1003256468), (2, 1017654321))
    )
    path = tmp_path / "med-p-nummer.csv"
    path.write_text(text, encoding="utf-8")
    receipt = validate_file(path, workspace, "NGO").receipt
    assert receipt.status == "accepted", receipt.errors
    assert {w.column for w in receipt.warnings if w.code == "unknown_column"} >= {
        "P-nummer",
        "Telefon",
    }
    bad = tmp_path / "cpr-i-note.csv"
    bad.write_text(text.replace(";12345678;", f";12345678;{CPR} ", 1), encoding="utf-8")
    assert [(e.code, e.row) for e in validate_file(bad, workspace, "NGO").receipt.errors] == [
        ("personal_data", 2)
    ]


def test_a_workbook_built_in_memory_reads_back():
    """The .xls helper writes what calamine reads (a control for the tests above)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(xls_bytes({"a": [["x", 1]]})))
    assert book.get_sheet_by_name("a").to_python() == [["x", 1.0]]
