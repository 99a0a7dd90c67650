"""CPR detection: what is flagged, what is not, and that the number never leaves the module."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ci_measure.intake.cpr import (
    find_cpr,
    is_bare_ten_digits,
    is_cpr_date,
    mask,
    names_identifier,
    number_is_cpr,
    text_has_cpr,
)
from ci_measure.intake.read import read_table
from ci_measure.intake.read.table import RawTable


def table(columns: dict[str, list[object]], *, csv: bool = False, header_row: int = 1) -> RawTable:
    frame = pd.DataFrame(
        {f"c{i}": pd.Series(v, dtype=object) for i, v in enumerate(columns.values())}
    )
    rows = list(range(header_row + 1, header_row + 1 + len(frame)))
    return RawTable(
        frame,
        list(columns),
        rows,
        header_row,
        None if csv else "data",
        csv,
        "utf-8" if csv else None,
        ";" if csv else None,
    )


@pytest.mark.parametrize(
    "text",
    [
        "010203-1234",
        "0102031234",
        "010203 1234",
        " 311299-1234 ",
        "cpr 010203-1234",
        "elev: 290200-1234, ny",
        "CPR0102031234",
        "103891234",
    ],
)
def test_text_that_is_or_contains_a_cpr(text):
    assert text_has_cpr(text)


@pytest.mark.parametrize(
    "text",
    [
        "320199-1234",  # day 32
        "310499-1234",  # 31 April
        "290201-1234",  # 29 February in a year not divisible by four
        "011399-1234",  # month 13
        "000199-1234",  # day 0
        "12345678901",  # 11 digits: not a CPR inside a longer run
        "x01020312345",  # 11 digits after a letter
        "1.0102031234",  # a decimal
        "1234",
        "2024",
        "2023/24",
        "0561-OST-N",
        "1.234,5",
        "12345678",
        "123456789",  # nine digits, but 01-23-45 is no date
        "tal 103891234 i alt",  # nine digits only count as the whole cell
    ],
)
def test_text_that_is_not_a_cpr(text):
    assert not text_has_cpr(text)


def test_calendar():
    assert is_cpr_date("290200") and is_cpr_date("290296") and is_cpr_date("311299")
    assert not is_cpr_date("300299") and not is_cpr_date("310699") and not is_cpr_date("320199")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1103891234, True),
        (1103891234.0, True),
        (103891234, True),  # 010389-1234 with the leading zero lost
        (103891234.0, True),
        (np.float64(1103891234.0), True),
        (1103891234.5, False),
        (3213891234, False),  # day 32
        (12345678901, False),
        (2024, False),
        (1234.0, False),
        (99999999, False),
    ],
)
def test_numbers(value, expected):
    assert number_is_cpr(value) is expected


def test_find_cpr_names_rows_and_headers_in_order_without_the_number():
    found = find_cpr(
        table(
            {
                "dataelement": ["BEF_25", "BEF_25", "BEF_25", "BEF_25", "BEF_25"],
                "værdi": [12.0, 1103891234.0, 103891234, True, None],
                "kommentar": [None, None, "elev 010203-1234", "2024", "0102031234"],
            },
            header_row=3,
        )
    )
    assert found == [(5, "værdi"), (6, "værdi"), (6, "kommentar"), (8, "kommentar")]
    assert not any(ch.isdigit() for _, header in found for ch in header)


def test_ordinary_counts_and_codes_are_not_flagged():
    frame = {
        "dataelement": ["ELEVER_AFGANG_9KL"] * 4,
        "område": ["0561", "0561-OST-N", "101", "0101"],
        "periode": ["2023/24", "2024-Q1", "2024K1", "2024"],
        "værdi": ["1234", "2024", "1.234,5", ".."],
    }
    assert find_cpr(table(frame, csv=True)) == []
    numbers = dict(frame, værdi=[1234.0, 2024, 601166.0, 31200])
    assert find_cpr(table(numbers)) == []


def test_a_header_that_is_a_cpr_is_reported_masked():
    found = find_cpr(table({"010203-1234": ["x"], "værdi": ["3"]}, header_row=2))
    assert found == [(2, "XXXXXX-XXXX")]
    assert mask("elev 0102031234") == "elev XXXXXX-XXXX"


def test_cpr_in_a_csv_and_in_an_excel_number_cell(tmp_path):
    csv = tmp_path / "f.csv"
    csv.write_text("område;værdi;kommentar\n0561;3;\n0561;4;010203-1234\n", encoding="utf-8")
    assert find_cpr(read_table(csv, 10**6)) == [(3, "kommentar")]

    book = openpyxl.Workbook()
    book.active.append(["område", "værdi", "Personnummer"])
    book.active.append(["0561", 3, 103891234])
    path = tmp_path / "f.xlsx"
    book.save(path)
    assert find_cpr(read_table(path, 10**6)) == [(2, "Personnummer")]


def test_a_million_rows_are_checked():
    n = 1_000_000
    comments = np.full(n, None, dtype=object)
    comments[n // 2] = "elev 010203-1234"
    frame = {
        "dataelement": np.full(n, "ELEVER_AFGANG_9KL", dtype=object),
        "område": np.full(n, "0561-OST-N", dtype=object),
        "periode": np.full(n, "2023/24", dtype=object),
        "køn": np.full(n, "M", dtype=object),
        "herkomst": np.full(n, "_T", dtype=object),
        "værdi": np.array([str(i) for i in range(n)], dtype=object),
        "kommentar": comments,
    }
    # ~0.5 s on the project's machines (measured in docs/reliability.md; no wall-clock
    # assertion here: the machine is shared)
    assert find_cpr(table(frame, csv=True)) == [(n // 2 + 2, "kommentar")]


@pytest.mark.parametrize(
    "header",
    ["P_NR", "P-nummer", "p-nr.", "CVR", "CVR-nr.", "SE-nummer", "EAN/GLN", "GLN", "Telefon",
     "TLF_NR", "Telefonnummer", "institutionsnummer", "INST_NR", "HOVEDSKOLE_INST"],
)  # fmt: skip
def test_headers_naming_another_registers_identifier(header):
    assert names_identifier(header)


@pytest.mark.parametrize(
    "header", ["", "værdi", "kommentar", "cpr", "personnummer", "elev", "P", "note", "område"]
)
def test_other_headers_are_not_identifiers(header):
    assert not names_identifier(header)


def test_a_bare_ten_digit_number_under_an_identifier_header_is_no_cpr():
    frame = {
        "dataelement": ["BEF_25"] * 5,
        "P_NR": [1003256468.0, "1017654321", "100325-6468", 103891234, "p 1003256468"],
        "CVR": [None, None, None, None, 1003256468],
        "note": [None, None, None, None, 1003256468],
    }
    assert find_cpr(table(frame)) == [(4, "P_NR"), (5, "P_NR"), (6, "P_NR"), (6, "note")]
    assert is_bare_ten_digits(" 1003256468 ") and is_bare_ten_digits(1003256468.0)
    assert not is_bare_ten_digits(103891234) and not is_bare_ten_digits(True)
