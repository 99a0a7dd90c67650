"""Every DuckDB connection ci-measure opens, made in one place so they all behave alike.

DuckDB's Python client turns its progress bar on in interactive sessions (a notebook using
the ``indicators`` library, ``python -i``): a long query then prints bars into the notebook's
output or over the terminal's text. Nothing we run is interactive in that sense, so the bar is
off on every connection and cursor (a local setting: it cannot go in the connect config).
"""

from __future__ import annotations

import duckdb

QUIET = "SET enable_progress_bar = false"


def connect(
    database: str = ":memory:", read_only: bool = False, config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` with the progress bar off."""
    con = duckdb.connect(database, read_only=read_only, config=config or {})
    try:
        return quiet(con)
    except BaseException:
        con.close()
        raise


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The connection (or cursor) with the progress bar off; returned for chaining."""
    con.execute(QUIET)
    return con
