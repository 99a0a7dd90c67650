"""Shared by the reliability tests: a small inbox, the CLI as a real process, and checks
that a warehouse is consistent and that two workspaces hold exactly the same figures."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from openpyxl import Workbook

from tests.helpers import write

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "ci_measure.cli"]
CPR = "0102031234"  # 1 February 2003: a real date, so a CPR number by SPEC §8

GOOD = (
    "dataelement;område;periode;køn;værdi\n"
    "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;34\n"
    "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;F;38\nELEVER_UDD_15MD;0561-OST-N;2023/24;F;35\n"
)
BAD = "dataelement;område;periode;køn;værdi\nELEVER_AFGANG_9KL;0561-OST-S;2023/24;M;tolv\n"
CORRECTION = "dataelement;område;periode;køn;værdi\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;36\n"
PERSONAL = (
    f"dataelement;område;periode;værdi;kommentar\nINKL_DELTAGERE;0561-OST-N;2024-Q1;12;{CPR}\n"
)
NGO = "data_element,area,period,value\nINKL_DELTAGERE,0561-OST-N,2024-Q1,12\nINKL_DELTAGERE,0561-OST-N,2024-Q2,9\n"


def xlsx_bytes(rows: list[list[object]], sheet: str = "data") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


KOMMUNE_XLSX = [
    ["data_element", "area", "period", "value"],
    ["BEF_25", "0561-OST", "2024", 400],
    ["BEF_25_UDD", "0561-OST", "2024", 300],
    ["BEF_25", "0561", "2024", 4000],
    ["BEF_25_UDD", "0561", "2024", 3100],
]


def fill_inbox(root: Path) -> list[Path]:
    """Five files, oldest first: accepted, accepted (xlsx), rejected, deleted (CPR), a correction."""
    files = [
        write(root / "inbox" / "SKOLE" / "1-skole.csv", GOOD),
        root / "inbox" / "KOMMUNE" / "2-kommune.xlsx",
        write(root / "inbox" / "SKOLE" / "3-fejl.csv", BAD),
        write(root / "inbox" / "NGO" / "4-cpr.csv", PERSONAL),
        write(root / "inbox" / "SKOLE" / "5-rettelse.csv", CORRECTION),
        write(root / "inbox" / "NGO" / "6-ngo.csv", NGO),
    ]
    files[1].parent.mkdir(parents=True, exist_ok=True)
    files[1].write_bytes(xlsx_bytes(KOMMUNE_XLSX))
    for n, path in enumerate(files):
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    return files


def run_cli(
    *args: object, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """`ci-measure ARGS` as its own process (what a partner's cron job or a second terminal runs)."""
    full_env = {**os.environ, **(env or {})}
    for name in ("CI_MEASURE_CRASH_AT", "CI_MEASURE_FAIL_AT", "CI_MEASURE_DEBUG"):
        if env is None or name not in env:
            full_env.pop(name, None)
    return subprocess.run(
        [*CLI, *map(str, args)],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def waiting(root: Path) -> list[str]:
    """Files a partner left in the inbox that are still to be processed (what ingest would take)."""
    from ci_measure.config.workspace import load_workspace
    from ci_measure.intake.ingest import pending_files

    return sorted(p.name for _, p in pending_files(load_workspace(root)))


def check_consistent(root: Path) -> None:
    """Every submission fully loaded or not at all; nothing lost; nothing from personal data kept."""
    db = root / "warehouse.duckdb"
    if not db.exists():
        return
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        if not tables:  # killed between creating the file and creating its tables
            return
        subs = con.execute(
            "SELECT id, sha256, status, rows, archive_path, receipt FROM submissions ORDER BY id"
        ).fetchall()
        counts = dict(
            con.execute("SELECT submission_id, count(*) FROM observations GROUP BY ALL").fetchall()
        )
    ids = {s[0] for s in subs}
    assert set(counts) <= ids, "observations without a submission"
    for sid, sha, status, rows, archive_path, receipt in subs:
        stored = json.loads(receipt)
        assert stored["sha256"] == sha and stored["status"] == status and stored["rows"] == rows
        if status == "accepted":
            assert counts.get(sid, 0) == rows, (
                f"submission {sid}: {counts.get(sid, 0)} of {rows} cells"
            )
        else:
            assert counts.get(sid, 0) == 0, f"{status} submission {sid} has cells"
        if status == "deleted":
            assert archive_path is None
            assert not list((root / "archive").glob(f"{sha}*")), "personal data archived"
        else:
            archived = root / archive_path
            assert archived.is_file(), f"{archive_path} missing"
            from ci_measure.intake.validate import sha256_of

            assert sha256_of(archived) == sha


def snapshot(root: Path) -> dict:
    """Everything a rerun must reproduce exactly: figures, audit trail, receipts, inbox."""
    from ci_measure.config.workspace import load_workspace
    from ci_measure.figures import indicator_rows, present

    ws = load_workspace(root)
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        trail = con.execute(
            "SELECT partner, file_name, sha256, status, rows, archive_path FROM submissions ORDER BY id"
        ).fetchall()
        cells = con.execute(
            "SELECT s.file_name, o.data_element, o.area, o.period, o.sex, o.origin, o.value,"
            " o.missing_at_source, o.row FROM observations o JOIN submissions s ON s.id = o.submission_id"
            " ORDER BY ALL"
        ).fetchall()
    receipts = {}
    for path in sorted((root / "outbox").rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            if path.suffix == ".json":
                data = json.loads(path.read_text(encoding="utf-8"))
                data.pop("received_at", None)
                receipts[str(path.relative_to(root))] = data
            else:
                receipts[str(path.relative_to(root))] = None
    return {
        "indicators": present.to_csv(indicator_rows(ws)),
        "published": present.to_csv(indicator_rows(ws, published=True)),
        "trail": trail,
        "cells": cells,
        "receipts": receipts,
        "inbox": waiting(root),
        "archive": sorted(
            p.name for p in (root / "archive").iterdir() if not p.name.startswith(".")
        ),
    }


def copy_workspace(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target
