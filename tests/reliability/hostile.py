"""Shared by the hostile-input tests (tests/reliability/test_hostile_*.py, SPEC §8).

Each file is dropped in an inbox and taken in by `ci-measure ingest`; it gets the right receipt,
quickly, and leaves the warehouse as it should. The readers' own limits are unit-tested in
tests/ci_measure/intake/test_read_limits.py and test_read_excel.py; here the whole path (read,
validate, archive, warehouse, receipts, marked workbook) meets the file.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from tests.reliability.common import check_consistent

MB = 1024 * 1024
HEADER = ["dataelement", "område", "periode", "værdi", "kommentar"]


def receipt_of(root: Path, partner: str, name: str) -> dict:
    """The JSON receipt of the file ``name`` that ``partner`` sent."""
    [path] = (root / "outbox" / partner).glob(f"{Path(name).stem}.*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def ingest_one(
    cli, root: Path, name: str, data: bytes, partner: str = "SKOLE"
) -> tuple[int, dict, float]:
    """Drop one file in the partner's inbox and take it in: (exit code, receipt, seconds)."""
    path = root / "inbox" / partner / name
    path.write_bytes(data)
    began = time.monotonic()
    code, out, err = cli("ingest", "--workspace", root)
    seconds = time.monotonic() - began
    assert err == "" and "Traceback" not in out, err
    assert not path.exists(), "every file leaves the inbox with a receipt"
    check_consistent(root)
    return code, receipt_of(root, partner, name), seconds


def codes(receipt: dict) -> list[str]:
    """The error codes of a receipt, in order."""
    return [e["code"] for e in receipt["errors"]]


def cell_count(root: Path) -> int:
    """How many cells the warehouse holds."""
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT count(*) FROM observations").fetchall()[0][0]


def replace_sheet(
    data: bytes, change: Callable[[bytes], bytes], member: str = "xl/worksheets/sheet1.xml"
) -> bytes:
    """A copy of the workbook ``data`` with one of its parts rewritten by ``change``."""
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
