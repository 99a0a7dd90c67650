"""The warehouse: append-only submissions and observations (SPEC §7.1-2), embedded or shared.

Embedded (the default, ``warehouse.duckdb``): DuckDB allows one read-write process *or*
several readers. Connections are held only for one transaction and every opener waits, for a
bounded time, for its turn. Shared (SPEC §12, :mod:`ci_measure.warehouse.lake`): a DuckLake
on PostgreSQL that any number of processes on any number of machines read and write at once;
no file lock, readers never wait, and a commit that conflicts with another is retried. The
tables and the SQL are the same; :mod:`ci_measure.warehouse.migrations` makes both.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from ci_measure import faults
from ci_measure.errors import WarehouseBusy
from ci_measure.intake.receipt import Receipt
from ci_measure.warehouse import connection, lake, migrations
from ci_measure.warehouse.lake import Lake

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
            return connection.connect(str(path), read_only=read_only)
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


Where = Path | Lake  # the embedded warehouse.duckdb, or a shared DuckLake (SPEC §12)


def exists(where: Where) -> bool:
    """Whether there is a warehouse to read (a lake always is; its tables come on first use)."""
    return where.exists()


def last_change_ns(where: Where) -> int | None:
    """When the warehouse last changed (ns since the epoch; None: no warehouse yet), so a page
    computed from it can tell whether it is stale."""
    if not isinstance(where, Lake):
        return where.stat().st_mtime_ns if where.exists() else None
    with reader(where) as con:
        latest = con.execute("SELECT max(received_at) FROM wh.submissions").fetchall()[0][0]
    if latest is None:
        return None
    return int(latest.replace(tzinfo=dt.UTC).timestamp() * 1e9)


@contextmanager
def writer(where: Where, timeout: float = LOCK_TIMEOUT_S) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for one unit of work; closed (and the lock released) after it.

    Its default database is the warehouse's, so the SQL names ``main.submissions`` alike.
    """
    if isinstance(where, Lake):
        con = lake.connect(where, read_only=False)
        con.execute("USE wh")
    else:
        con = _open(where, read_only=False, timeout=timeout)
    try:
        migrations.ensure(con, lake=isinstance(where, Lake))
        yield con
    finally:
        con.close()


@contextmanager
def reader(where: Where, timeout: float = LOCK_TIMEOUT_S) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection with the warehouse attached read-only as ``wh``.

    Temporary tables of the computation live in memory, so readers never need the write lock.
    A lake's reader reads its latest snapshot and never waits for a writer.
    """
    if not isinstance(where, Lake) and not where.exists():
        with writer(where, timeout):
            pass
    deadline = time.monotonic() + timeout
    con = _read_only(where, deadline, timeout)
    try:
        if migrations.version(con, "wh") != migrations.CURRENT:
            # A process killed between creating the file and creating its tables (the first
            # ingest) leaves an empty database, and an older release's warehouse has an older
            # schema: a writer creates or migrates it (once) rather than fail every reader.
            con.close()
            with writer(where, max(deadline - time.monotonic(), 0.0)):
                pass
            con = _read_only(where, deadline, timeout)
        yield con
    finally:
        con.close()


def _read_only(where: Where, deadline: float, timeout: float) -> duckdb.DuckDBPyConnection:
    if isinstance(where, Lake):
        try:
            return lake.connect(where, read_only=True)
        except lake.NoLakeYet:
            with writer(where):  # a new lake: its catalog and tables, once
                pass
            return lake.connect(where, read_only=True)
    con = connection.connect()
    try:
        _attach(con, where, deadline, timeout)
    except BaseException:
        con.close()
        raise
    return con


def _attach(con: duckdb.DuckDBPyConnection, path: Path, deadline: float, timeout: float) -> None:
    """Attach the warehouse read-only as ``wh``, retrying while a writer holds it."""
    attach(con, path, "wh", deadline, timeout)


def attach(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    alias: str,
    deadline: float | None = None,
    timeout: float = LOCK_TIMEOUT_S,
) -> None:
    """Attach an embedded warehouse read-only as ``alias``, retrying while a writer holds it."""
    deadline = time.monotonic() + timeout if deadline is None else deadline
    while True:
        try:
            con.execute(f"ATTACH '{_quote(path)}' AS {alias} (READ_ONLY)")
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


T = TypeVar("T")
COMMIT_ATTEMPTS = 100  # commits refused for a conflict (a shared warehouse) are retried


def record_submission(
    con: duckdb.DuckDBPyConnection,
    receipt: Receipt,
    archive_path: str | None,
    observations: pd.DataFrame | None,
) -> dict | None:
    """Record one submission and its cells in one transaction, with its id, time and
    changes on the receipt. Returns None, or the earlier submission if the same (partner,
    SHA-256) was taken in first by another process (then nothing is written).

    A commit refused because another writer committed first (a shared warehouse: every
    writer updates ``submission_counter``) is retried from the start, never surfaced.
    """
    earlier = retrying(lambda: _record_once(con, receipt, archive_path, observations))
    faults.point("after_commit")
    return earlier


def retrying(commit: Callable[[], T]) -> T:
    """``commit()`` (one whole transaction), run again while another writer's commit refuses
    it: every writer of a shared warehouse updates ``submission_counter``, so two concurrent
    writes always conflict and one is retried from the start, never surfaced."""
    for attempt in range(COMMIT_ATTEMPTS):
        try:
            return commit()
        except duckdb.Error as error:
            if not lake.is_conflict(error) or attempt + 1 == COMMIT_ATTEMPTS:
                raise
            time.sleep(random.uniform(0.005, 0.02) * min(attempt + 1, 10))
    raise AssertionError("unreachable: the last attempt returns or raises")


def _record_once(
    con: duckdb.DuckDBPyConnection,
    receipt: Receipt,
    archive_path: str | None,
    observations: pd.DataFrame | None,
) -> dict | None:
    con.execute("BEGIN TRANSACTION")
    try:
        earlier = find_submission(con, receipt.partner, receipt.sha256)
        if earlier is not None:
            migrations.rollback(con)
            return earlier
        con.execute("UPDATE submission_counter SET last_id = last_id + 1")
        submission_id = con.execute("SELECT last_id FROM submission_counter").fetchall()[0][0]
        receipt.submission_id = int(submission_id)
        receipt.received_at = utc_now().isoformat()  # in commit order, as the ids are
        if observations is not None:
            receipt.changes = diff_counts(con, observations)
        _insert(con, receipt, archive_path, observations)
        faults.point("inside_transaction")
        con.execute("COMMIT")
    except BaseException:
        migrations.rollback(con)
        raise
    return None


def _insert(
    con: duckdb.DuckDBPyConnection,
    receipt: Receipt,
    archive_path: str | None,
    observations: pd.DataFrame | None,
) -> None:
    con.execute(
        "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            receipt.submission_id,
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
        frame = observations.assign(submission_id=receipt.submission_id)
        con.register("new_cells", frame)
        con.execute(
            "INSERT INTO observations SELECT submission_id, data_element, area, period, sex, origin,"
            " value, missing_at_source, comment, row FROM new_cells"
        )
        con.unregister("new_cells")


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
