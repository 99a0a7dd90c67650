"""The shared warehouse (SPEC §12): a DuckLake whose catalog is in PostgreSQL and whose data
are Parquet files in a folder (or object storage), reached by many processes on many machines.

The tables and the SQL are the embedded warehouse's; only the opening differs. DuckDB's
extensions come from the pinned PyPI packages (``duckdb-extension-ducklake``,
``duckdb-extension-postgres``), laid out as DuckDB expects them
(``<dir>/v<version>/<platform>/<name>.duckdb_extension``; the Postgres one must be named
``postgres_scanner``: its entry point says so) and loaded with downloads and autoloading
switched off. Passwords come only from libpq's environment (``PGPASSWORD``, ``PGPASSFILE``).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ci_measure.errors import WarehouseUnavailable, usage_error

PREFIX = "ducklake:postgres:"
ENV_WAREHOUSE = "CI_MEASURE_WAREHOUSE"
ENV_LAKE_DATA = "CI_MEASURE_LAKE_DATA"
ENV_EXTENSIONS = "CI_MEASURE_EXTENSION_DIR"
# package -> the name DuckDB loads it by
EXTENSIONS = {
    "duckdb_extension_postgres": "postgres_scanner",
    "duckdb_extension_ducklake": "ducklake",
    "duckdb_extension_httpfs": "httpfs",  # optional: object storage (s3://, https://)
}
ATTACH_ATTEMPTS = 20  # the first processes on a new catalog race to create its tables


class NoLakeYet(WarehouseUnavailable):
    """A reader found an empty catalog database: a writer creates the lake first."""


@dataclass(frozen=True)
class Lake:
    """Where a shared warehouse is: the DuckLake catalog and the data path."""

    catalog: str  # ducklake:postgres:dbname=… host=… port=… user=…
    data_path: str  # a folder (absolute) or s3://…/

    def exists(self) -> bool:
        return True  # a catalog is created on first use; an empty one has no history yet

    def __str__(self) -> str:
        return f"{self.catalog} ({self.data_path})"


def locate(root: Path, warehouse: str | None, lake_data: str | None) -> Path | Lake:
    """The workspace's warehouse: ``$CI_MEASURE_WAREHOUSE`` (with ``$CI_MEASURE_LAKE_DATA``),
    else ``warehouse:``/``lake_data:`` of partnership.yaml, else ``warehouse.duckdb``."""
    catalog = os.environ.get(ENV_WAREHOUSE) or warehouse
    if not catalog:
        return root / "warehouse.duckdb"
    data = os.environ.get(ENV_LAKE_DATA) or lake_data
    check_catalog(catalog)
    if not data:
        raise usage_error(
            f"det delte lager {catalog} mangler en datasti: sæt lake_data: i partnership.yaml "
            f"eller {ENV_LAKE_DATA}",
            f"the shared warehouse {catalog} needs a data path: set lake_data: in "
            f"partnership.yaml or {ENV_LAKE_DATA}",
        )
    return Lake(catalog, data_path(root, data))


def check_catalog(catalog: str) -> None:
    """``ducklake:postgres:<libpq key=value>`` and never a password in it."""
    if not catalog.startswith(PREFIX):
        raise usage_error(
            f"lageret »{catalog}« kendes ikke; skriv ducklake:postgres:dbname=… host=… user=…",
            f"unknown warehouse '{catalog}'; write ducklake:postgres:dbname=… host=… user=…",
        )
    if "password" in catalog.lower():
        raise usage_error(
            "skriv aldrig adgangskoden i lagerets adresse; brug PGPASSWORD eller PGPASSFILE",
            "never put the password in the warehouse address; use PGPASSWORD or PGPASSFILE",
        )


def data_path(root: Path, data: str) -> str:
    """An object-storage URL as it is; a folder made absolute (relative to the workspace)."""
    if "://" in data:
        return data.rstrip("/") + "/"
    folder = Path(data).expanduser()
    folder = folder if folder.is_absolute() else root / folder
    return str(folder.resolve()) + "/"


def extension_directory() -> Path:
    """A DuckDB extension directory holding the pinned packages' extensions (made once)."""
    base = os.environ.get(ENV_EXTENSIONS)
    if base:
        root = Path(base)
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(cache) / "ci-measure" / "duckdb-extensions"
    version = f"v{duckdb.__version__}"
    with duckdb.connect() as probe:
        platform = probe.execute("PRAGMA platform").fetchall()[0][0]
    folder = root / version / platform
    for package, name in EXTENSIONS.items():
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            continue
        shipped = (
            Path(spec.origin).parent / "extensions" / version / f"{package[17:]}.duckdb_extension"
        )
        _place(shipped, folder / f"{name}.duckdb_extension")
    return root


def _place(shipped: Path, target: Path) -> None:
    """Copy an extension into place (atomically; again if the package changed)."""
    if not shipped.is_file():
        return
    if target.is_file() and target.stat().st_size == shipped.stat().st_size:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    shutil.copyfile(shipped, temporary)
    os.replace(temporary, target)


# One DuckDB instance per process and lake (and mode), made on first use: loading the
# extensions and attaching the catalog costs about half a second, a new connection to the
# instance (a cursor: its own transactions and temporary tables) nothing. Every transaction
# reads the catalog's latest snapshot, so a kept instance never serves stale figures.
_INSTANCES: dict[tuple[int, Lake, bool], duckdb.DuckDBPyConnection] = {}
_LOCK = threading.Lock()


def connect(lake: Lake, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection with the lake attached as ``wh`` (read-only for readers); close it after
    the unit of work (the instance behind it stays for the next one)."""
    key = (os.getpid(), lake, read_only)  # a forked process makes its own
    with _LOCK:
        if key not in _INSTANCES:
            _INSTANCES[key] = _instance(lake, read_only)
        return _INSTANCES[key].cursor()


def private(lake: Lake) -> duckdb.DuckDBPyConnection:
    """An instance of its own (read-write), for work that attaches other databases."""
    return _instance(lake, read_only=False)


def forget(lake: Lake) -> None:
    """Close this process's instances of a lake (tests; a catalog that went away)."""
    with _LOCK:
        for key in [k for k in _INSTANCES if k[1] == lake]:
            _INSTANCES.pop(key).close()


def _instance(lake: Lake, read_only: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
            "extension_directory": str(extension_directory()),
        }
    )
    try:
        for name in (
            "postgres_scanner",
            "ducklake",
            *(["httpfs"] if "://" in lake.data_path else []),
        ):
            _load(con, name)
        if "://" not in lake.data_path:
            Path(lake.data_path).mkdir(parents=True, exist_ok=True)
        _attach(con, lake, read_only)
    except BaseException:
        con.close()
        raise
    return con


def _load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    try:
        con.execute(f"LOAD {name}")
    except duckdb.Error as error:
        package = next(p for p, n in EXTENSIONS.items() if n == name).replace("_", "-")
        raise usage_error(
            f"DuckDB-udvidelsen {name} mangler: installér {package}=={duckdb.__version__} ({error})",
            f"the DuckDB extension {name} is missing: install {package}=={duckdb.__version__} ({error})",
        ) from None


def _attach(con: duckdb.DuckDBPyConnection, lake: Lake, read_only: bool) -> None:
    """ATTACH, retried while other processes create a new catalog's tables at the same time."""
    options = f"DATA_PATH '{_quote(lake.data_path)}'" + (", READ_ONLY" if read_only else "")
    for attempt in range(ATTACH_ATTEMPTS):
        try:
            con.execute(f"ATTACH '{_quote(lake.catalog)}' AS wh ({options})")
            return
        except duckdb.Error as error:
            if read_only and "does not exist" in str(error):
                raise NoLakeYet(f"the shared warehouse {lake.catalog} has no catalog yet") from None
            if attempt + 1 == ATTACH_ATTEMPTS or not _racing(error):
                raise WarehouseUnavailable(
                    f"det delte lager {lake.catalog} kan ikke åbnes / "
                    f"the shared warehouse {lake.catalog} cannot be opened: {error}"
                ) from None
            time.sleep(0.05 * (attempt + 1))


def _racing(error: Exception) -> bool:
    text = str(error).lower()
    return any(
        w in text for w in ("duplicate key", "already exists", "conflict", "unique constraint")
    )


def is_conflict(error: Exception) -> bool:
    """A commit refused because another transaction changed the same table first."""
    return isinstance(error, duckdb.TransactionException) or "conflict" in str(error).lower()


def _quote(text: str) -> str:
    return text.replace("'", "''")
