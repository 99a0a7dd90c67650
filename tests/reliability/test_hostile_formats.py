"""Hostile input in disguise: HTML saved as .xls, CSV renamed .xlsx, macros and external links,
a file that makes the spreadsheet library panic.

Part of the hostile-input tests: tests/reliability/hostile.py says what they share.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import duckdb
import xlsxwriter

from tests.helpers import write
from tests.reliability.common import GOOD
from tests.reliability.hostile import (
    HEADER,
    codes,
    ingest_one,
    receipt_of,
    replace_sheet,
)

# --- disguises: HTML as .xls, CSV as .xlsx ---------------------------------------------------


def test_html_saved_as_xls_is_unreadable_with_a_hint(workspace_dir, cli):
    html = "<html><body><table><tr><td>dataelement</td><td>værdi</td></tr></table></body></html>"
    code, receipt, _ = ingest_one(cli, workspace_dir, "eksport.xls", html.encode())
    assert code == 1 and codes(receipt) == ["unreadable_file"]
    assert "web page (HTML)" in receipt["errors"][0]["message_en"]


def test_a_csv_renamed_xlsx_is_read_as_the_csv_it_is(workspace_dir, cli):
    code, receipt, _ = ingest_one(cli, workspace_dir, "omdoebt.xlsx", GOOD.encode())
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
    code, receipt, _ = ingest_one(cli, workspace_dir, "makro.xlsm", data)
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
    data = replace_sheet(
        _workbook_with_macro_and_links(),
        lambda s: s.replace(b"0561-OST-N", b"0561-XXX", 1),
        "xl/sharedStrings.xml",
    )
    code, receipt, _ = ingest_one(cli, workspace_dir, "makro.xlsm", data)
    assert code == 1 and set(codes(receipt)) == {"unknown_code"}
    [marked] = (workspace_dir / "outbox" / "SKOLE").glob("*.marked.xlsx")
    with zipfile.ZipFile(marked) as archive:
        names = archive.namelist()
        assert not any("vba" in n.lower() for n in names)
        assert not any("externalLink" in n for n in names)
        types = archive.read("[Content_Types].xml")
    assert b"macroEnabled" not in types and b"vbaProject" not in types
    assert marked.name.endswith(".marked.xlsx")


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
    assert codes(receipt_of(workspace_dir, "SKOLE", "1-beskadiget.xls")) == ["unreadable_file"]
