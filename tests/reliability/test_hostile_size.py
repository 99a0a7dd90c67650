"""Hostile input by size and shape: zip bombs, a billion rows, huge files, 10,000 columns,
10 MB cells, NUL bytes.

Part of the hostile-input tests: tests/reliability/hostile.py says what they share.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import duckdb
import pytest
import xlsxwriter

from tests.reliability.common import xlsx_bytes
from tests.reliability.hostile import (
    HEADER,
    MB,
    cell_count,
    codes,
    ingest_one,
    replace_sheet,
)


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


# --- size: zip bombs, lying sheets, huge files --------------------------------------------


def test_a_zip_bomb_is_file_too_large_in_seconds(workspace_dir, cli):
    bomb = _zip_bomb(2048)  # 2 GB of XML in a file of about 2 MB
    assert len(bomb) < 10 * MB
    code, receipt, seconds = ingest_one(cli, workspace_dir, "bombe.xlsx", bomb)
    assert code == 1 and codes(receipt) == ["file_too_large"]
    assert "(2048 MB unpacked; the limit is 1000 MB unpacked)" in receipt["errors"][0]["message_en"]
    assert seconds < 10
    assert not (workspace_dir / "warehouse.duckdb").exists() or cell_count(workspace_dir) == 0


def test_a_zip_bomb_whose_headers_lie_about_its_size_is_refused_in_seconds(workspace_dir, cli):
    """Headers claiming 1,000 bytes for 1.2 GB: the streamed unpacking stops at the claimed size
    and the file is refused as a damaged ZIP, without unpacking the rest."""
    bomb = _zip_bomb(1200, lying=True)
    code, receipt, seconds = ingest_one(cli, workspace_dir, "loegn.xlsx", bomb)
    assert code == 1 and codes(receipt) == ["unreadable_file"]
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
    data = replace_sheet(
        xlsx_bytes([HEADER, ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 40, ""]]), change
    )
    code, receipt, seconds = ingest_one(cli, workspace_dir, name, data)
    assert code == 1 and codes(receipt) == ["file_too_large"]
    assert seconds < 10


def test_an_ods_repeating_a_row_a_billion_times_is_file_too_large(workspace_dir, cli):
    from tests.ci_measure.intake.test_read_excel import write_ods

    cell = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    rows = f'<table:table-row table:number-rows-repeated="1000000000">{cell}</table:table-row>'
    path = write_ods(
        workspace_dir / "src.ods", f'<table:table table:name="data">{rows}</table:table>'
    )
    code, receipt, seconds = ingest_one(cli, workspace_dir, "milliard.ods", path.read_bytes())
    assert code == 1 and codes(receipt) == ["file_too_large"]
    assert "1,000,000,000 rows" in receipt["errors"][0]["message_en"]
    assert seconds < 10


def test_a_file_over_max_file_mb_is_file_too_large_and_archived(workspace_dir, cli):
    config = workspace_dir / "partnership.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "max_file_mb: 1\n", encoding="utf-8")
    body = "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;40;" + "x" * 100 + "\n"
    data = (";".join(HEADER) + "\n" + body * (2 * MB // len(body))).encode()
    code, receipt, _ = ingest_one(cli, workspace_dir, "stor.csv", data)
    assert code == 1 and codes(receipt) == ["file_too_large"]
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
    code, receipt, seconds = ingest_one(cli, workspace_dir, "bred.csv", data)
    assert code == 0 and receipt["status"] == "accepted" and receipt["rows"] == 1
    warned = [w["column"] for w in receipt["warnings"] if w["code"] == "unknown_column"]
    assert warned == extra
    assert seconds < 30
    assert cell_count(workspace_dir) == 1


def test_a_10_mb_cell_in_a_spreadsheet_is_read_up_to_excels_cell_limit(workspace_dir, cli):
    """Excel holds at most 32,767 characters in a cell; a bigger one (never written by Excel)
    is read up to that limit, and the receipts stay small."""
    huge = "x" * (10 * MB)
    data = xlsx_bytes([HEADER, ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 40, huge]])
    code, receipt, seconds = ingest_one(cli, workspace_dir, "kommentar.xlsx", data)
    assert code == 0 and receipt["status"] == "accepted" and seconds < 30
    with duckdb.connect(str(workspace_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT comment FROM observations").fetchall() == [(huge[:32_767],)]
    data = xlsx_bytes([HEADER, ["ELEVER_AFGANG_9KL", "0561-OST-S", "2023/24", huge, ""]])
    code, receipt, seconds = ingest_one(cli, workspace_dir, "vaerdi.xlsx", data)
    assert code == 1 and codes(receipt) == ["not_a_number"] and seconds < 30
    assert receipt["errors"][0]["row"] == 2 and receipt["errors"][0]["column"] == "værdi"
    assert receipt["errors"][0]["value"] == "x" * 1000 + "…"  # a receipt repeats 1,000 at most
    for path in (workspace_dir / "outbox" / "SKOLE").iterdir():  # never megabytes per receipt
        assert path.stat().st_size < 100_000, path.name


def test_a_10_mb_cell_in_a_csv_is_kept_as_a_comment_and_cut_short_in_a_receipt(workspace_dir, cli):
    huge = "x" * (10 * MB)
    data = f"{';'.join(HEADER)}\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;40;{huge}\n".encode()
    code, receipt, seconds = ingest_one(cli, workspace_dir, "kommentar.csv", data)
    assert code == 0 and receipt["status"] == "accepted" and seconds < 30
    with duckdb.connect(str(workspace_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT comment FROM observations").fetchall() == [(huge,)]
    data = f"{';'.join(HEADER)}\nELEVER_AFGANG_9KL;0561-OST-S;2023/24;{huge};\n".encode()
    code, receipt, seconds = ingest_one(cli, workspace_dir, "vaerdi.csv", data)
    assert code == 1 and codes(receipt) == ["not_a_number"] and seconds < 30
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
    code, receipt, seconds = ingest_one(cli, workspace_dir, "lang.csv", data)
    assert code == 1 and codes(receipt) == ["unreadable_file"] and seconds < 30
    message = receipt["errors"][0]["message_en"]
    assert "a cell is longer than 131,072 characters" in message and "from line 2" in message


def test_nul_bytes_are_ignored_in_a_csv(workspace_dir, cli):
    data = (
        ";".join(HEADER) + "\nELEVER_AFGANG_9KL;0561-\x00OST-N;2023/24;4\x000;a\x00b\n"
    ).encode()
    code, receipt, _ = ingest_one(cli, workspace_dir, "nul.csv", data)
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
    code, receipt, _ = ingest_one(
        cli, workspace_dir, "nul.xlsx", (workspace_dir / "src.xlsx").read_bytes()
    )
    assert code in (0, 1) and receipt["status"] in ("accepted", "rejected")
