"""DuckDB's progress bar stays off on every connection we open (issue 19).

DuckDB's Python client turns the bar on in interactive sessions (a notebook, ``python -i``:
it looks at ``sys.ps1`` when it is imported), where a long query then prints bars into the
output. The test makes a fresh process interactive the same way and reads the setting back
from a plain connection (on) and from ours (off)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SESSION = """
import json, os, sys
sys.ps1 = ">>> "  # what a notebook or python -i has before DuckDB is imported
import duckdb
from ci_measure import warehouse
from ci_measure.config.workspace import load_workspace
from ci_measure.figures import indicator_rows
from ci_measure.warehouse import connection

def bar(con):
    return con.execute("SELECT current_setting('enable_progress_bar')").fetchall()[0][0]

ws = load_workspace(sys.argv[1])
seen = {"plain": bar(duckdb.connect())}
with warehouse.writer(ws.warehouse) as con:
    seen["writer"] = bar(con)
with warehouse.reader(ws.warehouse) as con:
    seen["reader"] = bar(con)
with connection.connect() as con:
    seen["connect"] = bar(con)
    seen["cursor"] = bar(connection.configure(con.cursor()))
seen["rows"] = len(indicator_rows(ws))
with warehouse.reader(ws.warehouse) as con:
    seen["memory"] = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.execute("SET memory_limit = '50MB'")  # spill, to see the folder used and removed
    con.execute("CREATE TEMP TABLE t AS SELECT md5(range::VARCHAR) s FROM range(2000000)")
    con.execute("SELECT * FROM t ORDER BY s").fetchmany(1)
    seen["spill"] = con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    seen["spilled"] = bool(os.listdir(seen["spill"]))
print(json.dumps(seen))
"""


def test_every_connection_is_quiet_in_an_interactive_session(workspace_dir: Path) -> None:
    env = {**os.environ, "CI_MEASURE_DUCKDB_MEMORY": "300MB"}
    done = subprocess.run(
        [sys.executable, "-c", SESSION, str(workspace_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    seen = json.loads(done.stdout)
    spill = Path(seen.pop("spill"))
    assert seen.pop("spilled") and not spill.exists()  # its own folder, gone at exit
    assert seen["plain"] is True, "DuckDB no longer turns its bar on here: the test proves nothing"
    assert seen == {
        "plain": True,
        "writer": False,
        "reader": False,
        "connect": False,
        "cursor": False,
        "rows": 0,
        "memory": "286.1 MiB",  # 300MB as DuckDB shows it
    }
    assert done.stderr == ""


def test_no_connection_is_opened_elsewhere() -> None:
    """One place opens DuckDB connections (so every one has the bar off)."""
    pattern = re.compile(r"duckdb\.connect\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("ci_measure", "indicators", "pipelines")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "connection.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
