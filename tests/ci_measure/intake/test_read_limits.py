"""Limits and robustness: too large, zip bombs, lying sheets, and never any other exception."""

from __future__ import annotations

import io
import os
import resource
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font

from ci_measure.errors import FileProblem
from ci_measure.intake.read import RawTable, read_table
from ci_measure.intake.read.limits import MAX_ROWS, megabytes
from tests.support.realdata import require_realdata

REALDATA = Path(
    os.environ.get(
        "CI_MEASURE_REALDATA", Path(__file__).resolve().parents[4] / "shared" / "realdata"
    )
)
MB = 1024 * 1024
REAL_FILES = sorted(
    p
    for p in [*REALDATA.glob("*"), *REALDATA.glob("frictionless/*")]
    if p.is_file() and p.suffix != ".md"
)


def code_of(path: Path, max_bytes: int = 100 * MB) -> str:
    with pytest.raises(FileProblem) as caught:
        read_table(path, max_bytes)
    return caught.value.problem.code


def small_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["dataelement", "område", "periode", "værdi"])
    book.active.append(["BEF_25", "0561", "2024", 12])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """The same zip with one member's content swapped."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info))
    return out.getvalue()


# --- every real file --------------------------------------------------------------------


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_every_real_file_reads_or_gives_a_clear_problem(path):
    try:
        table = read_table(path, 100 * MB)
    except FileProblem as failure:
        assert failure.problem.code in {"unreadable_file", "empty_file", "file_too_large"}
        return
    assert isinstance(table, RawTable)
    assert len(table.headers) == table.frame.shape[1] == len(set(table.frame.columns))
    assert len(table.rows) == len(table.frame)
    assert all(r > table.header_row for r in table.rows) and table.rows == sorted(table.rows)
    assert all(dtype is np.dtype(object) for dtype in table.frame.dtypes)
    assert not table.frame.map(lambda c: isinstance(c, float) and c != c).any().any()  # no NaN
    if table.sheet is None:
        assert table.encoding in {"utf-8", "utf-8-sig", "cp1252", "utf-16"}
        assert table.delimiter in {",", ";", "\t", "|"}


def test_real_files_are_present():
    require_realdata(REALDATA.exists())  # fails under CI=true
    assert len(REAL_FILES) >= 30


# --- sizes ------------------------------------------------------------------------------


def test_file_over_the_limit_is_too_large(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("område;værdi\n" + "0561;3\n" * 1000, encoding="utf-8")
    with pytest.raises(FileProblem) as caught:
        read_table(path, 1000)
    failure = caught.value.problem
    assert failure.code == "file_too_large"
    assert (
        megabytes(path.stat().st_size) in failure.message_en and "0.000954 MB" in failure.message_en
    )


def test_a_csv_longer_than_excel_is_fine(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"omr\xc3\xa5de;v\xc3\xa6rdi\n" + b"1;2\n" * (MAX_ROWS + 1))
    table = read_table(path, 100 * MB)
    assert len(table.frame) == MAX_ROWS + 1 and table.rows[-1] == MAX_ROWS + 2


def test_zip_bomb_is_refused_in_seconds_and_little_memory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    zeros = bytes(MB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(1024):
                member.write(zeros)
    assert path.stat().st_size < 3 * MB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    assert code_of(path, max_bytes=100 * MB) == "file_too_large"
    assert time.perf_counter() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB


def test_sheet_claiming_two_million_rows_is_too_large(tmp_path):
    data = small_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    lying = sheet.replace(b'<dimension ref="A1:D2" />', b'<dimension ref="A1:C2000000" />')
    assert lying != sheet
    path = tmp_path / "f.xlsx"
    path.write_bytes(replace_member(data, "xl/worksheets/sheet1.xml", lying))
    with pytest.raises(FileProblem) as caught:
        read_table(path, 100 * MB)
    assert caught.value.problem.code == "file_too_large"
    assert "2,000,000 rows" in caught.value.problem.message_en


def test_sheet_with_more_rows_than_excel_is_too_large(tmp_path):
    data = small_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    many = sheet.replace(b"</sheetData>", b"<row/>" * MAX_ROWS + b"</sheetData>")
    path = tmp_path / "f.xlsx"
    path.write_bytes(replace_member(data, "xl/worksheets/sheet1.xml", many))
    assert code_of(path) == "file_too_large"


def test_two_far_apart_cells_do_not_reach_calamine(tmp_path):
    # calamine would allocate 17 billion cells for this 5 KB file and abort the process.
    book = openpyxl.Workbook()
    book.active["A1"] = "område"
    book.active["XFD1048576"] = "x"
    path = tmp_path / "f.xlsx"
    book.save(path)
    assert code_of(path) == "file_too_large"


def test_far_apart_cells_in_a_sheet_stored_under_another_name_are_caught(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "område"
    book.active["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    moved = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(moved, "w") as target:
        for info in source.infolist():
            content = source.read(info).replace(b"worksheets/sheet1.xml", b"gemt.xml")
            name = "xl/gemt.xml" if info.filename == "xl/worksheets/sheet1.xml" else info.filename
            target.writestr(name, content)
    path = tmp_path / "f.xlsx"
    path.write_bytes(moved.getvalue())
    assert code_of(path) == "file_too_large"


def test_styled_empty_cells_far_away_do_not_count(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "område"
    book.active["A3000"] = "0561"
    book.active["XFD1"].font = Font(bold=True)  # <c r="XFD1" s="1"/>: no content
    path = tmp_path / "f.xlsx"
    book.save(path)
    assert read_table(path, 100 * MB).rows == [3000]


def test_ods_with_a_cell_repeated_a_billion_times_is_too_large(tmp_path):
    from tests.ci_measure.intake.test_read_excel import write_ods

    cell = '<table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p></table:table-cell>'
    rows = f'<table:table-row table:number-rows-repeated="1000000">{cell}</table:table-row>'
    path = write_ods(tmp_path / "f.ods", f'<table:table table:name="S">{rows}</table:table>')
    assert code_of(path) == "file_too_large"


def test_ods_padded_with_a_million_empty_rows_reads(tmp_path):
    from tests.ci_measure.intake.test_read_excel import ods_row, write_ods

    padding = (
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    path = write_ods(
        tmp_path / "f.ods",
        f'<table:table table:name="S">{ods_row("område", "værdi")}{ods_row("0561", 2.0)}{padding}</table:table>',
    )
    table = read_table(path, 100 * MB)
    assert table.rows == [2]


# --- fuzzing: any bytes give a RawTable or a FileProblem ---------------------------------


def _read_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f{suffix}"
        path.write_bytes(data)
        try:
            table = read_table(path, 1 * MB)
        except FileProblem as failure:
            assert failure.problem.code in {"unreadable_file", "empty_file", "file_too_large"}
        else:
            assert isinstance(table, RawTable)


FUZZ = settings(max_examples=200, deadline=5000, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=4000), st.sampled_from([".csv", ".xlsx", ".xls", ".ods"]))
def test_random_bytes_never_raise_anything_else(data, suffix):
    _read_bytes(data, suffix)


@FUZZ
@given(
    st.sampled_from(
        [
            b"PK\x03\x04",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            b"\xff\xfe",
            b"\xef\xbb\xbf",
            b"<html>",
        ]
    ),
    st.binary(max_size=2000),
)
def test_random_bytes_behind_a_magic_number_never_raise_anything_else(magic, data):
    _read_bytes(magic + data, ".xlsx")


XLSX = small_xlsx()


@FUZZ
@given(
    st.integers(0, len(XLSX)),
    st.lists(st.tuples(st.integers(0, len(XLSX) - 1), st.integers(0, 255)), max_size=5),
)
def test_truncated_or_damaged_xlsx_never_raises_anything_else(cut, flips):
    data = bytearray(XLSX)
    for position, value in flips:
        data[position] = value
    _read_bytes(bytes(data[:cut]), ".xlsx")
