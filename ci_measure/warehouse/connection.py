"""Every DuckDB connection ci-measure opens, made in one place so they all behave alike.

* No progress bar: DuckDB's Python client turns it on in interactive sessions (a notebook
  using the ``indicators`` library, ``python -i``), where a long query then prints bars into
  the output. Nothing we run wants one.
* A memory limit: DuckDB takes up to 80 % of the machine's memory by default and keeps what
  it took. At a million cells the derived values and the fetched rows of ``indicators`` then
  peaked at 1.2 GiB; with a limit DuckDB spills to a temporary folder instead, and the
  process stays under 1 GiB. ``CI_MEASURE_DUCKDB_MEMORY`` (a DuckDB size such as ``2GB``)
  raises or lowers it. The spill folder is one of the process's own under
  ``CI_MEASURE_DUCKDB_TEMP`` or the system's temporary folder, removed at exit.

Both are set by ``SET`` on each connection and cursor (a local setting such as the bar
cannot go in the connect config, and a config would clash with other openers of a file).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

ENV_MEMORY = "CI_MEASURE_DUCKDB_MEMORY"
ENV_TEMP = "CI_MEASURE_DUCKDB_TEMP"
DEFAULT_MEMORY = "500MB"


def connect(
    database: str = ":memory:", read_only: bool = False, config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, then :func:`configure`."""
    con = duckdb.connect(database, read_only=read_only, config=config or {})
    try:
        return configure(con)
    except BaseException:
        con.close()
        raise


def configure(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The connection (or cursor) with the progress bar off and the memory limit set."""
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = ?", [os.environ.get(ENV_MEMORY) or DEFAULT_MEMORY])
    folder = str(spill_folder())
    current = con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    if current != folder:  # DuckDB refuses to switch once it has spilled
        con.execute("SET temp_directory = ?", [folder])
    return con


_SPILL: dict[int, Path] = {}


def spill_folder() -> Path:
    """Where DuckDB may spill what exceeds its memory limit: a folder of this process's own
    (DuckDB names its spill files alike in every process), removed when the process ends."""
    configured = os.environ.get(ENV_TEMP)
    if configured:
        return Path(configured).expanduser() / str(os.getpid())
    pid = os.getpid()  # a forked process (Dagster) makes its own
    if pid not in _SPILL:
        _SPILL[pid] = Path(tempfile.mkdtemp(prefix="ci-measure-duckdb-"))
        atexit.register(_remove, pid)
    return _SPILL[pid]


def _remove(pid: int) -> None:
    """At exit: the folder, only by the process that made it (a fork inherits the hook)."""
    if os.getpid() == pid:
        shutil.rmtree(_SPILL[pid], ignore_errors=True)
