"""CSV reading: encodings, delimiters, quoting, title rows and the row numbers partners see."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_measure.errors import FileProblem
from ci_measure.intake.read import RawTable, read_table
from ci_measure.intake.read.csv import decode, sniff_delimiter
from tests.support.realdata import real

MB = 1024 * 1024
HEADER = ["dataelement", "område", "periode", "køn", "værdi"]
ROW = ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", "M", "40"]


def write(tmp_path: Path, data: bytes | str, name: str = "f.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def read(path: Path) -> RawTable:
    return read_table(path, 100 * MB)


def cells(table: RawTable) -> list[list[object]]:
    return table.frame.to_numpy(dtype=object).tolist()


# --- real files -------------------------------------------------------------------------


def test_latin1_municipality_list_decodes_via_cp1252():
    table = read(real("dk_kommuner_regioner_latin1.csv"))
    assert (table.encoding, table.delimiter, table.decimal_comma) == ("cp1252", ",", False)
    assert table.headers == ["Kommune", "Region"]
    assert table.header_row == 1 and table.rows[:2] == [2, 3]
    assert "København" in table.frame["c0"].tolist()


def test_copenhagen_statbank_is_utf8_bom_semicolon():
    table = read(real("kk_statbank_kkbyg1_bygninger_1850_1899.csv"))
    assert (table.encoding, table.delimiter, table.decimal_comma) == ("utf-8-sig", ";", True)
    assert table.headers == ["OMRKK", "OPFØRELSESÅR", "ENHED", "TID", "INDHOLD"]
    assert table.frame.iloc[0, 0] == "København i alt"
    assert len(table.frame) == 4088 and table.rows[-1] == 4089


def test_dst_folk1a_codes_stay_text_with_leading_zeros():
    table = read(real("dst_folk1a_bulk_koder_kvartaler.csv"))
    assert (table.encoding, table.delimiter) == ("utf-8", ";")
    assert table.headers == ["OMRÅDE", "KØN", "ALDER", "TID", "INDHOLD"]
    assert cells(table)[0][:4] == ["000", "1", "0", "2008K1"]
    assert table.frame.dtypes.map(str).unique().tolist() == ["object"]


def test_statbank_export_without_header_uses_first_row_as_header():
    table = read(real("dst_statusu6_uddannelsesstatus_kommune_2024.csv"))
    assert (table.encoding, table.delimiter) == ("cp1252", ",")
    assert table.header_row == 1 and table.headers[2] == "Hele landet"
    assert table.rows[0] == 2


def test_oslo_semicolon_with_dot_decimals_keeps_district_codes():
    table = read(real("oslo_bydelsfakta_eieform_2015_2017.csv"))
    assert table.delimiter == ";" and table.headers[:2] == ["aar", "bydel_id"]
    assert cells(table)[0][1] == "01"


def test_multiline_quoted_header_rows_start_where_the_record_starts():
    table = read(real("frictionless/issue-811.csv"))
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert "\n" in table.headers[1]  # the header cell spans lines 1-3
    assert table.rows[0] == 4


# --- encodings --------------------------------------------------------------------------


def _submission(delimiter: str = ";") -> str:
    return (
        "\r\n".join(
            delimiter.join(r) for r in (HEADER, ROW, ["BEF_25", "0561", "2024", "K", "1,5"])
        )
        + "\r\n"
    )


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
        ("utf-16-le", b"\xff\xfe", "utf-16"),
        ("utf-16-be", b"\xfe\xff", "utf-16"),
        ("utf-16-le", b"", "utf-16"),
    ],
)
def test_every_encoding_gives_the_same_danish_headers(tmp_path, encoding, prefix, expected):
    table = read(write(tmp_path, prefix + _submission().encode(encoding)))
    assert table.encoding == expected
    assert table.headers == HEADER
    assert cells(table)[1] == ["BEF_25", "0561", "2024", "K", "1,5"]


def test_bytes_cp1252_cannot_decode_fall_back_to_latin1():
    text, encoding = decode("område;ø\n".encode("cp1252") + b"\x81\x8d;x\n")
    assert encoding == "cp1252" and text.endswith("\x81\x8d;x\n")


def test_nul_bytes_do_not_crash(tmp_path):
    data = _submission().encode() + b"ELEVER_AFGANG_9KL;0561;2023/24;F;3\x00\r\n"
    table = read(write(tmp_path, data))
    assert cells(table)[-1][-1] == "3"


# --- delimiters and quoting -------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_every_delimiter_is_sniffed(tmp_path, delimiter):
    table = read(write(tmp_path, _submission(delimiter).replace("1,5", "2")))
    assert table.delimiter == delimiter
    assert table.decimal_comma == (delimiter == ";")
    assert table.headers == HEADER and len(table.frame) == 2


def test_decimal_commas_do_not_fool_the_semicolon_sniffer():
    text = "område;værdi\n0561;1,5\n0562;2,25\n0563;3\n"
    assert sniff_delimiter(text) == ";"


def test_title_line_does_not_fool_the_sniffer():
    text = "Indberetning, skoleåret 2023/24\n" + _submission(";")
    assert sniff_delimiter(text) == ";"


def test_quoted_fields_with_delimiter_and_newline_keep_line_numbers(tmp_path):
    text = (
        "dataelement,område,periode,værdi,kommentar\n"
        'ELEVER_AFGANG_9KL,0561,2023/24,40,"tal, foreløbige"\n'
        'ELEVER_AFGANG_9KL,0562,2023/24,41,"første linje\nanden linje"\n'
        'ELEVER_AFGANG_9KL,0563,2023/24,"1,5","""citeret"""\n'
    )
    table = read(write(tmp_path, text))
    assert table.delimiter == ","
    assert table.rows == [2, 3, 5]
    assert cells(table)[0][4] == "tal, foreløbige"
    assert cells(table)[1][4] == "første linje\nanden linje"
    assert cells(table)[2][3:] == ["1,5", '"citeret"']


def test_unclosed_quote_is_reported_with_its_line(tmp_path):
    text = 'område,værdi\n0561,"3\n' + "0562,4\n" * 30_000
    with pytest.raises(FileProblem) as caught:
        read(write(tmp_path, text))
    assert caught.value.problem.code == "unreadable_file"
    assert "line 2" in caught.value.problem.message_en


# --- layout: title rows, blank rows and columns -----------------------------------------


def test_title_rows_blank_rows_and_blank_columns(tmp_path):
    text = (
        "Indberetning fra Østerbyens skoler;;;;;;\n"  # 1 title
        "Skoleåret 2023/24;;;;;;\n"  # 2 title
        ";;;;;;\n"  # 3 blank
        " Dataelement ;;Område;Periode;Køn;Værdi;\n"  # 4 header (blank column 2 and 7)
        "ELEVER_AFGANG_9KL;;0561-OST-N;2023/24;M; 40 ;\n"  # 5
        ";;;;;;\n"  # 6 blank
        "\n"  # 7 empty line
        "ELEVER_AFGANG_9KL;;0561-OST-N;2023/24;F;38;\n"  # 8
    )
    table = read(write(tmp_path, text))
    assert table.header_row == 4
    assert table.headers == ["Dataelement", "Område", "Periode", "Køn", "Værdi"]
    assert table.rows == [5, 8]
    assert list(table.frame.columns) == ["c0", "c1", "c2", "c3", "c4"]
    assert cells(table) == [
        ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", "M", "40"],
        ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", "F", "38"],
    ]


def test_a_column_with_data_but_no_header_is_kept(tmp_path):
    table = read(write(tmp_path, "område;værdi;\n0561;3;note\n"))
    assert table.headers == ["område", "værdi", ""]
    assert cells(table) == [["0561", "3", "note"]]


def test_ragged_rows_are_padded_with_none(tmp_path):
    table = read(write(tmp_path, "område,værdi,periode\n0561\n0562,4,2024,extra\n"))
    assert table.headers == ["område", "værdi", "periode", ""]
    assert cells(table) == [["0561", None, None, None], ["0562", "4", "2024", "extra"]]


def test_without_known_headers_the_first_non_blank_row_is_the_header(tmp_path):
    table = read(write(tmp_path, "\n\nfoo;bar\n1;2\n"))
    assert (table.header_row, table.headers, table.rows) == (3, ["foo", "bar"], [4])


def test_only_a_header_gives_an_empty_frame(tmp_path):
    table = read(write(tmp_path, ";".join(HEADER) + "\n\n"))
    assert table.headers == HEADER and table.frame.empty and table.rows == []


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", b";;;\n;;;\n", b"\xef\xbb\xbf"])
def test_empty_files(tmp_path, content):
    with pytest.raises(FileProblem) as caught:
        read(write(tmp_path, content))
    assert caught.value.problem.code == "empty_file"


# ------------------------------------------------------------------ our bugs are ours
def _bug(*args, **kwargs):
    raise KeyError("a bug in our reader")


def test_a_bug_in_our_reader_is_an_internal_error_not_an_unreadable_file(tmp_path, monkeypatch):
    from ci_measure.errors import InternalError
    from ci_measure.intake.read import read_table

    monkeypatch.setattr("ci_measure.intake.read.csv.sniff_delimiter", _bug)
    path = write(tmp_path, "dataelement;område;periode;værdi\nA;B;2024;1\n")
    with pytest.raises(InternalError, match=r"\[internal_error\].*KeyError"):
        read_table(path, 10**6)


def test_a_bug_while_ingesting_is_logged_and_the_file_stays_in_the_inbox(
    cli, workspace_dir, monkeypatch
):
    monkeypatch.setattr("ci_measure.intake.read.excel._column", _bug)
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["dataelement", "område", "periode", "værdi"])
    book.active.append(["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 40])
    inbox = workspace_dir / "inbox" / "SKOLE" / "skole.xlsx"
    book.save(inbox)
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    assert code == 2 and "Traceback" not in out, (out, err)
    assert err.count("[internal_error]") == 1 and "ikke i filen" in err and "not in the file" in err
    assert "KeyError: 'a bug in our reader'" in err  # the traceback, logged to stderr
    assert inbox.exists()  # left in the inbox, taken in once the bug is fixed
    assert (
        not any((workspace_dir / "archive").glob("*"))
        if (workspace_dir / "archive").exists()
        else True
    )
    receipts = (
        list((workspace_dir / "outbox").rglob("*")) if (workspace_dir / "outbox").exists() else []
    )
    assert not [r for r in receipts if r.is_file()]  # never an "unreadable" receipt
    log = workspace_dir / "logs" / "ci-measure.log"
    assert "Traceback" in log.read_text() and "raise KeyError" in log.read_text()
    assert log.stat().st_mode & 0o777 == 0o600


def test_a_library_error_is_still_the_files_problem(tmp_path):
    from ci_measure.errors import FileProblem
    from ci_measure.intake.read import read_table

    path = tmp_path / "fil.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(FileProblem) as raised:
        read_table(path, 10**6)
    assert raised.value.problem.code == "unreadable_file"
