"""Fuzzing `ci-measure check` (hypothesis): random bytes, random CSV dialects, truncated and
corrupted xlsx/ods/xls files, random cell contents. Every file gets a receipt (exit 0 or 1),
never a traceback or an internal error, and never takes more than 30 seconds.

The examples per property are modest so the suite stays quick; for a longer hunt:

    CI_MEASURE_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/reliability/test_fuzz.py

(The readers alone are fuzzed in tests/ci_measure/intake/test_read_limits.py; here it is the whole
`check`: reading, CPR search, header mapping, harmonising, the schema, the receipt.)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import signal
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ci_measure.cli import main
from tests.conftest import PARTNERSHIP, REALDATA
from tests.reliability.common import xlsx_bytes
from tests.support.realdata import require_realdata

EXAMPLES = int(os.environ.get("CI_MEASURE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the 30-second promise is checked by hand, with a watchdog
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
LIMIT_S = 30
CODES = {
    "unreadable_file", "empty_file", "missing_column", "unknown_code", "invalid_period",
    "wrong_period_type", "not_a_number", "negative_value", "not_whole_number", "duplicate_cell",
    "not_responsible", "partner_mismatch", "rule_violation", "personal_data", "file_too_large",
}  # fmt: skip
ROOT = Path(tempfile.mkdtemp(prefix="ci-measure-fuzz-")) / "ws"
ROOT.mkdir(parents=True)
(ROOT / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")


class Hang(Exception):
    pass


def _alarm(signum, frame):  # noqa: ANN001, ARG001
    raise Hang(f"no receipt within {LIMIT_S} s")


def check(data: bytes, suffix: str, partner: str = "SKOLE") -> dict:
    """`ci-measure check FILE --json` in-process; asserts the promise and returns the receipt."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fil{suffix}"
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(LIMIT_S)
        began = time.monotonic()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(
                    ["check", str(path), "--partner", partner, "--workspace", str(ROOT), "--json"]
                )
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        assert time.monotonic() - began < LIMIT_S
    assert code in (0, 1), err.getvalue()
    assert err.getvalue() == "", err.getvalue()
    receipt = json.loads(out.getvalue())
    assert receipt["status"] == ("accepted" if code == 0 else "rejected")
    assert (code == 1) == bool(receipt["errors"])
    for problem in receipt["errors"]:
        assert problem["code"] in CODES
        assert problem["message_da"] and problem["message_en"]
    return receipt


# --- random bytes ---------------------------------------------------------------------------

SUFFIXES = [".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods", ""]
MAGIC = [
    b"",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"<html>",
    b"%PDF",
]


@FUZZ
@given(st.sampled_from(MAGIC), st.binary(max_size=3000), st.sampled_from(SUFFIXES))
def test_random_bytes_get_a_receipt(magic, data, suffix):
    receipt = check(magic + data, suffix)
    if receipt["status"] == "rejected":
        assert receipt["errors"]


# --- valid content in any CSV dialect: always accepted, always the same cells --------------

HEADERS = {  # SPEC §3: the accepted headers
    "data_element": ["data_element", "dataelement", "element", "indikator", "indicator"],
    "area": ["area", "område", "omraade", "area_code"],
    "period": ["period", "periode", "år", "aar", "year", "skoleår"],
    "value": ["value", "værdi", "vaerdi", "antal", "count"],
    "sex": ["sex", "køn", "koen", "gender"],
}
SEXES = {
    "M": ["M", "mand", "dreng", "male"],
    "F": ["F", "kvinde", "pige", "female", "K"],
    "_T": ["_T", "i alt", "total", "alle"],
}
ELEMENTS = ["ELEVER_AFGANG_9KL", "KARAKTER_ANTAL_9KL"]
AREAS = ["0561-OST-N", "0561-OST-S"]


def _school_year(start: int, form: int) -> str:
    return [
        f"{start}/{(start + 1) % 100:02d}",
        f"{start}/{start + 1}",
        f"{start}-{(start + 1) % 100:02d}",
    ][form]


@st.composite
def valid_submissions(draw):  # noqa: ANN001, ANN201
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(ELEMENTS), st.sampled_from(AREAS), st.integers(2015, 2030), st.sampled_from(list(SEXES))),
            min_size=1, max_size=12, unique=True,
        )
    )  # fmt: skip
    rows = [(e, a, y, s, draw(st.integers(0, 99_999))) for e, a, y, s in keys]
    dialect = {
        "delimiter": draw(st.sampled_from([",", ";", "\t", "|"])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "quote_all": draw(st.booleans()),
        "title": draw(st.sampled_from(["", "Indberetning fra skolerna\n", "Titel\n\n"])),
        "blank_every": draw(st.sampled_from([0, 2, 3])),
        "order": draw(st.permutations(list(HEADERS))),
        "headers": {k: draw(st.sampled_from(v)) for k, v in HEADERS.items()},
        "upper": draw(st.booleans()),
        "period_form": draw(st.integers(0, 2)),
        "sex_alias": draw(st.integers(0, 10)),
        "code_case": draw(st.sampled_from([str, str.lower, str.upper])),
    }
    return rows, dialect


def _render(rows, d) -> bytes:  # noqa: ANN001
    def cell(text: str) -> str:
        return f'"{text}"' if d["quote_all"] else text

    def header(name: str) -> str:
        return name.upper() if d["upper"] else name

    lines = [d["delimiter"].join(cell(header(d["headers"][c])) for c in d["order"])]
    for i, (element, area, year, sex, value) in enumerate(rows):
        aliases = SEXES[sex]
        fields = {
            "data_element": d["code_case"](element),
            "area": d["code_case"](area),
            "period": _school_year(year, d["period_form"]),
            "value": str(value),
            "sex": aliases[d["sex_alias"] % len(aliases)],
        }
        lines.append(d["delimiter"].join(cell(fields[c]) for c in d["order"]))
        if d["blank_every"] and i % d["blank_every"] == 0:
            lines.append("")
    text = d["title"].replace("\n", d["newline"]) + d["newline"].join(lines) + d["newline"]
    return text.encode(d["encoding"])


@FUZZ
@given(valid_submissions())
def test_valid_rows_in_any_csv_dialect_are_accepted_with_the_same_cells(submission):
    from ci_measure.config.workspace import load_workspace
    from ci_measure.intake.validate import validate_file

    rows, dialect = submission
    data = _render(rows, dialect)
    receipt = check(data, ".csv")
    assert receipt["status"] == "accepted", (data[:500], receipt["errors"][:3])
    assert receipt["rows"] == len(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(data)
        frame = validate_file(path, load_workspace(ROOT), "SKOLE").observations
    got = sorted(
        zip(
            frame["data_element"],
            frame["area"],
            frame["period"],
            frame["sex"],
            frame["value"],
            strict=True,
        )
    )
    want = sorted((e, a, f"{y}/{(y + 1) % 100:02d}", s, float(v)) for e, a, y, s, v in rows)
    assert got == want


# --- random cell contents, in CSV and xlsx ---------------------------------------------------

CELL_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["..", "-", "x", "<5", "NA", "n/a", "1.234,5", "1,234.5", "-3", "1e308", "nan", "inf", "0561",
         "2023/24", "2024-Q1", "K1 2024", "2024M03", "03-2024", "010203-1234", "=1+1", "\x00", " ", "\ufeff"]
    ),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)  # fmt: skip
CELL = st.one_of(
    CELL_TEXT,
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
)
HEADER_ROW = [
    "dataelement",
    "område",
    "periode",
    "køn",
    "herkomst",
    "værdi",
    "afsender",
    "kommentar",
]


@FUZZ
@given(
    st.lists(st.lists(CELL_TEXT, min_size=0, max_size=10), max_size=15),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
def test_random_cells_in_a_csv_get_a_receipt(rows, delimiter, with_header):
    lines = ([delimiter.join(HEADER_ROW)] if with_header else []) + [
        delimiter.join(
            c.replace(delimiter, " ").replace("\n", " ").replace("\r", " ").replace('"', "")
            for c in row
        )
        for row in rows
    ]
    check(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"), ".csv")


@FUZZ
@given(st.lists(st.lists(CELL, min_size=0, max_size=10), max_size=15), st.booleans())
def test_random_cells_in_an_xlsx_get_a_receipt(rows, with_header):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "nan_inf_to_errors": True}
    )
    sheet = book.add_worksheet("data")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    start = 0
    if with_header:
        sheet.write_row(0, 0, HEADER_ROW)
        start = 1
    for i, row in enumerate(rows, start=start):
        for j, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(i, j, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(i, j, value.replace("\x00", "")[:32_000])
            else:
                sheet.write(i, j, value)
    book.close()
    check(out.getvalue(), ".xlsx")


# --- truncated and corrupted spreadsheets ----------------------------------------------------

GOOD_ROWS = [
    ["dataelement", "område", "periode", "køn", "værdi"],
    ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", "M", 40],
    ["ELEVER_UDD_15MD", "0561-OST-N", "2023/24", "M", 34],
]


REAL_SEEDS = ("dst_nuts_region_landsdel_kommune.ods", "frictionless/table.xls", "frictionless/merged-cells.xls",
              "frictionless/table-with-two-sheets.ods", "frictionless/sheets.xlsx")  # fmt: skip


def _seeds() -> dict[str, bytes]:
    seeds = {".xlsx": xlsx_bytes(GOOD_ROWS)}
    for name in REAL_SEEDS:
        path = REALDATA / name
        if path.exists():
            seeds[f"{Path(name).suffix}#{name}"] = path.read_bytes()
    return seeds


SEEDS = _seeds()


def test_every_fuzz_seed_is_there():
    """The corruption fuzzing starts from real .ods/.xls/.xlsx files: without the shared
    collection it would quietly fuzz one seed instead of six. Said locally, fatal under CI."""
    missing = [n for n in REAL_SEEDS if f"{Path(n).suffix}#{n}" not in SEEDS]
    require_realdata(
        not missing, f"fuzz seeds {', '.join(missing)} (only {len(SEEDS)} of {len(REAL_SEEDS) + 1})"
    )


@FUZZ
@given(
    st.sampled_from(sorted(SEEDS)),
    st.floats(0, 1),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
)
def test_truncated_or_corrupted_spreadsheets_get_a_receipt(seed, cut, flips):
    data = bytearray(SEEDS[seed])
    for where, value in flips:
        data[int(where * len(data))] = value
    check(bytes(data[: int(cut * len(data))]), seed.split("#")[0])


@FUZZ
@given(st.data())
def test_corrupted_members_inside_a_valid_zip_get_a_receipt(data):
    """The zip is fine; a member's XML is cut or damaged (what a crashed save leaves behind)."""
    source = zipfile.ZipFile(io.BytesIO(SEEDS[".xlsx"]))
    names = source.namelist()
    victim = data.draw(st.sampled_from(names))
    content = source.read(victim)
    cut = data.draw(st.integers(0, len(content)))
    junk = data.draw(st.binary(max_size=50))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            target.writestr(name, content[:cut] + junk if name == victim else source.read(name))
    check(out.getvalue(), ".xlsx")


# --- every real file in the shared collection ------------------------------------------------

REAL = sorted(
    p
    for p in [*REALDATA.glob("*"), *REALDATA.glob("frictionless/*")]
    if p.is_file() and p.suffix not in (".md",)
)


@pytest.mark.parametrize("path", REAL or [None], ids=lambda p: p.name if p else "none")
@pytest.mark.parametrize("partner", ["SKOLE", "KOMMUNE"])
def test_every_real_file_gets_a_receipt(path, partner):
    """None of them is a submission of this partnership: each is rejected, with a reason."""
    require_realdata(path is not None)  # skip locally, fail under CI=true
    receipt = check(path.read_bytes(), path.suffix, partner)
    assert receipt["status"] == "rejected" and receipt["errors"]
