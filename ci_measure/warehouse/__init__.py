"""The DuckDB warehouse: append-only submissions and observations (SPEC §7.1-2).

DuckDB allows one read-write process *or* several readers. Connections are held only for
one transaction and every opener waits, for a bounded time, for its turn.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from ci_measure import faults
from ci_measure.errors import WarehouseBusy
from ci_measure.intake.receipt import Receipt
from ci_measure.warehouse import migrations

LOCK_TIMEOUT_S = float(os.environ.get("CI_MEASURE_LOCK_TIMEOUT", "120"))

KEY = ("data_element", "area", "period", "sex", "origin")


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text and ("could not set" in text or "conflicting" in text)


def _open(path: Path, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if not _is_lock_error(error):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"the warehouse {path} is still in use by another process after {timeout:.0f} s; "
                    "try again when the running ingest or Dagster run has finished"
                ) from None
            if not told and time.monotonic() > deadline - timeout + 2:
                print("waiting for the warehouse (another process is writing)…", file=sys.stderr)
                told = True
            time.sleep(0.1)


@contextmanager
def writer(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for one unit of work; closed (and the lock released) after it."""
    con = _open(path, read_only=False, timeout=timeout)
    try:
        migrations.ensure(con)
        yield con
    finally:
        con.close()


@contextmanager
def reader(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection with the warehouse attached read-only as ``wh``.

    Temporary tables of the computation live in memory, so readers never need the write lock.
    """
    if not path.exists():
        with writer(path, timeout):
            pass
    con = duckdb.connect()
    deadline = time.monotonic() + timeout
    try:
        _attach(con, path, deadline, timeout)
        if migrations.version(con, "wh") != migrations.CURRENT:
            # A process killed between creating the file and creating its tables (the first
            # ingest) leaves an empty database, and an older release's warehouse has an older
            # schema: a writer creates or migrates it (once) rather than fail every reader.
            con.execute("DETACH wh")
            with writer(path, max(deadline - time.monotonic(), 0.0)):
                pass
            _attach(con, path, deadline, timeout)
        yield con
    finally:
        con.close()


def _attach(con: duckdb.DuckDBPyConnection, path: Path, deadline: float, timeout: float) -> None:
    """Attach the warehouse read-only as ``wh``, retrying while a writer holds it."""
    while True:
        try:
            con.execute(f"ATTACH '{_quote(path)}' AS wh (READ_ONLY)")
            return
        except duckdb.Error as error:
            if not _is_lock_error(error) or time.monotonic() >= deadline:
                if _is_lock_error(error):
                    raise WarehouseBusy(
                        f"the warehouse {path} is still in use by another process after {timeout:.0f} s"
                    ) from None
                raise
            time.sleep(0.1)


def _quote(path: Path) -> str:
    # Our own path, not user data; still quoted so an apostrophe in a folder name is harmless.
    return str(path).replace("'", "''")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def parse_received(text: str) -> dt.datetime:
    """A receipt's ``received_at`` (naive UTC ISO text) back as a datetime."""
    return dt.datetime.fromisoformat(text)


def find_submission(
    con: duckdb.DuckDBPyConnection, partner: str, sha256: str, schema: str = "main"
) -> dict | None:
    """The submission (partner, SHA-256) if it was taken in: the same bytes from two
    partners are two submissions (SPEC §7.1)."""
    row = con.execute(
        "SELECT id, partner, file_name, received_at, status, archive_path, receipt"
        f" FROM {schema}.submissions WHERE partner = ? AND sha256 = ?",
        [partner, sha256],
    ).fetchall()
    if not row:
        return None
    row = row[0]
    keys = ("id", "partner", "file_name", "received_at", "status", "archive_path", "receipt")
    return dict(zip(keys, row, strict=True))


def diff_counts(con: duckdb.DuckDBPyConnection, observations: pd.DataFrame) -> dict[str, int]:
    """How a submission changes the current figures: cells new, corrected, unchanged."""
    con.register("incoming", observations)
    try:
        new, corrected, unchanged = con.execute(
            f"""
            WITH current AS ({current_cells_sql("main", None, only_areas=True)})
            SELECT
              count(*) FILTER (WHERE c.data_element IS NULL),
              count(*) FILTER (WHERE c.data_element IS NOT NULL AND (c.value IS DISTINCT FROM i.value
                               OR c.missing_at_source <> i.missing_at_source)),
              count(*) FILTER (WHERE c.data_element IS NOT NULL AND c.value IS NOT DISTINCT FROM i.value
                               AND c.missing_at_source = i.missing_at_source)
            FROM incoming i LEFT JOIN current c USING ({", ".join(KEY)})
            """,
            # only the areas the file touches: a small file costs what it holds
            [observations["area"].drop_duplicates().tolist()],
        ).fetchall()[0]
    finally:
        con.unregister("incoming")
    return {"new": int(new), "corrected": int(corrected), "unchanged": int(unchanged)}


def record_submission(
    con: duckdb.DuckDBPyConnection,
    receipt: Receipt,
    archive_path: str | None,
    observations: pd.DataFrame | None,
) -> int:
    """Insert one submission (and its cells) in one transaction; returns its id."""
    con.execute("BEGIN TRANSACTION")
    try:
        submission_id = con.execute("SELECT nextval('submission_ids')").fetchall()[0][0]
        receipt.submission_id = int(submission_id)
        con.execute(
            "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                submission_id,
                receipt.sha256,
                receipt.partner,
                receipt.file,
                parse_received(receipt.received_at),
                receipt.status,
                receipt.rows,
                archive_path,
                receipt.to_json(),
            ],
        )
        if observations is not None and len(observations):
            frame = observations.assign(submission_id=submission_id)
            con.register("new_cells", frame)
            con.execute(
                "INSERT INTO observations SELECT submission_id, data_element, area, period, sex, origin,"
                " value, missing_at_source, comment, row FROM new_cells"
            )
            con.unregister("new_cells")
        faults.point("inside_transaction")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    faults.point("after_commit")
    return int(submission_id)


def current_cells_sql(schema: str, as_of: dt.datetime | None, only_areas: bool = False) -> str:
    """Latest wins (§7.1) as of an instant (§7.2): one row per cell key.

    Submission ids grow in the order files are taken in, so the greatest id is the latest.
    The as-of instant is formatted by us from a parsed datetime, never from user text.
    ``only_areas``: only the cells of the areas bound as the statement's one parameter (a
    list), filtered before the window so one area's figures do not scan the whole warehouse.
    """
    cutoff = f"AND s.received_at <= TIMESTAMP '{as_of.isoformat(sep=' ')}'" if as_of else ""
    return f"""
        SELECT o.data_element, o.area, o.period, o.sex, o.origin, o.value, o.missing_at_source,
               o.submission_id
        FROM {schema}.observations o JOIN {schema}.submissions s ON s.id = o.submission_id
        WHERE s.status = 'accepted' {cutoff} {"AND o.area IN (SELECT unnest(?))" if only_areas else ""}
        QUALIFY row_number() OVER (PARTITION BY o.data_element, o.area, o.period, o.sex, o.origin
                                   ORDER BY o.submission_id DESC) = 1
    """
