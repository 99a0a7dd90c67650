"""Schema versions of the warehouse and the ordered migrations between them (issue 15).

The warehouse records its version in ``schema_version`` (one row per version reached, with
the time). A warehouse made before versions existed (release 0.1.0) has no such table and is
version 1. Whoever opens a warehouse to write (and a reader that finds an older one) brings
it to :data:`CURRENT` here, in ONE transaction: a crash half-way leaves the old version
intact, and the next opener simply starts again. Every later schema change is one more entry
in :data:`MIGRATIONS`; this module is the only place allowed to rebuild history tables
(tests/reliability/test_audit.py), and a rebuild copies every row.
"""

from __future__ import annotations

import datetime as dt
import time

import duckdb

from ci_measure import faults
from ci_measure.errors import CiMeasureError
from ci_measure.warehouse.lake import is_conflict

CURRENT = 4
TABLES = ("submissions", "observations", "submission_counter", "schema_version", "approvals")

SUBMISSIONS = """
CREATE TABLE {name} (
    id BIGINT NOT NULL{primary},
    sha256 VARCHAR NOT NULL,
    partner VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    received_at TIMESTAMP NOT NULL,     -- UTC
    status VARCHAR NOT NULL,            -- accepted | rejected | deleted
    rows BIGINT NOT NULL,
    archive_path VARCHAR,               -- NULL when the content was not kept (personal data)
    receipt JSON NOT NULL{unique}
)"""
# The embedded warehouse also states the identity as constraints; a lake has none (its
# catalog's conflict detection on ``submission_counter`` keeps (partner, SHA-256) unique).
KEYS = {"primary": " PRIMARY KEY", "unique": ",\n    UNIQUE (partner, sha256)  -- SPEC §7.1"}
NO_KEYS = {"primary": "", "unique": ""}

OBSERVATIONS = """
CREATE TABLE observations (
    submission_id BIGINT NOT NULL,
    data_element VARCHAR NOT NULL,
    area VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    sex VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    value DOUBLE,                       -- NULL iff missing_at_source
    missing_at_source BOOLEAN NOT NULL,
    comment VARCHAR,
    row BIGINT NOT NULL
)"""

# SPEC §13: approvals and revocations of figures for publishing, append-only
# (ci_measure/warehouse/approvals.py).
APPROVALS = """
CREATE TABLE approvals (
    id BIGINT NOT NULL,                 -- 1, 2, … (no sequence: a lake has none)
    approved_at TIMESTAMP NOT NULL,     -- UTC: the moment whose figures are approved
    action VARCHAR NOT NULL,            -- approve | revoke
    approved_by VARCHAR NOT NULL,
    period VARCHAR NOT NULL,            -- canonical (SPEC §4); a year covers its quarters, months
    area VARCHAR,                       -- NULL: every area; else it and every area under it
    indicator VARCHAR                   -- NULL: every indicator
)"""

VERSIONS = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL       -- UTC; for version 1: when it was found
)"""

SUBMISSION_COLUMNS = (
    "id, sha256, partner, file_name, received_at, status, rows, archive_path, receipt"
)

# The last submission id given out: every writer's transaction updates this one row, so two
# concurrent commits always conflict and one is retried (DuckDB: one writer anyway; DuckLake:
# no sequences or constraints). Ids therefore grow in the order submissions are committed.
COUNTER = "CREATE TABLE submission_counter (last_id BIGINT NOT NULL)"


def create(lake: bool) -> tuple[str, ...]:
    """A new warehouse: the tables of the current version."""
    keys = NO_KEYS if lake else KEYS
    return (
        SUBMISSIONS.format(name="submissions", **keys),
        OBSERVATIONS,
        COUNTER,
        "INSERT INTO submission_counter VALUES (0)",
        APPROVALS,
    )


# version -> the statements that bring version - 1 to it.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # 0.1.0 -> 2: the identity of a submission is (partner, SHA-256), not the SHA-256 alone.
    # DuckDB cannot alter a UNIQUE constraint: rebuild the table with every row, same ids.
    2: (
        "ALTER TABLE submissions RENAME TO submissions_v1",
        SUBMISSIONS.format(name="submissions", **KEYS),
        f"INSERT INTO submissions ({SUBMISSION_COLUMNS}) SELECT {SUBMISSION_COLUMNS} FROM submissions_v1",
        "DROP TABLE submissions_v1",
    ),
    # 3: ids from the counter row (the same SQL as the shared warehouse) instead of a sequence.
    3: (
        COUNTER,
        "INSERT INTO submission_counter SELECT coalesce(max(id), 0) FROM submissions",
        "DROP SEQUENCE IF EXISTS submission_ids",
    ),
    # 4: approval before publishing (SPEC §13); an older warehouse has approved nothing.
    4: (APPROVALS,),
}
COMMIT_ATTEMPTS = 100  # a lake's first writers may race to create the tables


class WarehouseTooNew(CiMeasureError):
    """The warehouse was written by a newer ci-measure than this one."""

    code = "warehouse_too_new"


def version(con: duckdb.DuckDBPyConnection, database: str | None = None) -> int:
    """The schema version of a database (0: no tables yet, 1: release 0.1.0); ``database``:
    an attached database's alias, else the connection's default one."""
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables()"
            " WHERE database_name = coalesce(?, current_database()) AND schema_name = 'main'",
            [database],
        ).fetchall()
    }
    if "schema_version" in tables:
        qualifier = f"{database}." if database else ""
        found = con.execute(f"SELECT max(version) FROM {qualifier}schema_version").fetchall()[0][0]
        return int(found or 0)
    return 1 if "submissions" in tables else 0


def ensure(con: duckdb.DuckDBPyConnection, lake: bool = False) -> int:
    """Bring the connection's warehouse to :data:`CURRENT` in one transaction; returns the
    version found. Does nothing (and writes nothing) when it is current already."""
    for attempt in range(COMMIT_ATTEMPTS):
        found = version(con)
        if found == CURRENT:
            return found
        if found > CURRENT:
            raise WarehouseTooNew(
                f"lageret har skemaversion {found}, men denne ci-measure kender kun op til "
                f"{CURRENT}: opgradér ci-measure / the warehouse has schema version {found}, "
                f"but this ci-measure knows versions up to {CURRENT}: upgrade ci-measure"
            )
        try:
            _transaction(con, found, lake)
            return found
        except duckdb.Error as error:
            if not lake or not is_conflict(error) or attempt + 1 == COMMIT_ATTEMPTS:
                raise
            time.sleep(0.01 * (attempt + 1))  # another process created them first: look again
    raise AssertionError("unreachable")


def _transaction(con: duckdb.DuckDBPyConnection, found: int, lake: bool) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        _apply(con, found, lake)
        faults.point("inside_migration")
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK if a transaction is still open (a refused COMMIT has already ended it)."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _apply(con: duckdb.DuckDBPyConnection, found: int, lake: bool) -> None:
    con.execute(VERSIONS)
    if found == 0:
        for statement in create(lake):
            con.execute(statement)
        _reached(con, CURRENT)
        return
    if found == 1:
        _reached(con, 1)
    for step in range(found + 1, CURRENT + 1):
        for statement in MIGRATIONS[step]:
            con.execute(statement)
        _reached(con, step)


def _reached(con: duckdb.DuckDBPyConnection, step: int) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("INSERT INTO schema_version VALUES (?, ?)", [step, now])
