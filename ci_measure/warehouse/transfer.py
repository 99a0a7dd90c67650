"""`ci-measure warehouse export DIR` / `import DIR`: the warehouse as Parquet files and back.

A DuckDB database file can only be read by the DuckDB versions of its storage format (a file
written by 2.0 is refused by 1.5.5; docs/reference.md). Parquet and SQL text can be read by
any version, so a storage change of DuckDB itself, a move to another machine, or an archive
copy goes through `EXPORT DATABASE … (FORMAT parquet)` and `IMPORT DATABASE`. An export made
by an older release is migrated to the current schema as it is imported.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ci_measure import warehouse
from ci_measure.config.model import Workspace
from ci_measure.errors import usage_error
from ci_measure.warehouse import lake, migrations
from ci_measure.warehouse.lake import Lake

SCHEMA_STATEMENT = re.compile(r"^CREATE (TABLE|SEQUENCE|UNIQUE INDEX|INDEX) ", re.IGNORECASE)
LOAD_STATEMENT = re.compile(r"^COPY (\w+) FROM '([^'/]+)' \(FORMAT '?parquet'?\)$", re.IGNORECASE)


@dataclass(frozen=True)
class Counts:
    submissions: int
    observations: int

    def text(self) -> str:
        return (
            f"{self.submissions} indleveringer, {self.observations} celler / "
            f"{self.submissions} submissions, {self.observations} cells"
        )


def export_warehouse(workspace: Workspace, target: Path) -> Counts:
    """Write the warehouse to the new (or empty) folder ``target`` as Parquet files.

    Written beside it under a temporary name and renamed when complete: a crash never
    leaves a half export under the name.
    """
    _embedded_only(workspace)
    if not workspace.warehouse_path.exists():
        raise usage_error(
            f"der er intet lager at eksportere i {workspace.root} (ingen filer modtaget endnu)",
            f"there is no warehouse to export in {workspace.root} (no files taken in yet)",
        )
    _check_free(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.exporting-{uuid.uuid4().hex[:8]}"
    try:
        with warehouse.reader(workspace.warehouse_path) as con:
            con.execute(f"EXPORT DATABASE wh TO '{_quote(temporary)}' (FORMAT parquet)")
            counts = _counts(con, "wh")
        _relative_load(temporary)
        if target.exists():
            target.rmdir()  # checked empty above
        temporary.rename(target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return counts


def _embedded_only(workspace: Workspace) -> None:
    """Export and import are the embedded warehouse's road; a lake is backed up with its
    catalog (pg_dump) and its data path (docs/deployment.md)."""
    if isinstance(workspace.warehouse, Lake):
        raise usage_error(
            "export og import gælder det indlejrede lager (warehouse.duckdb); et delt lager "
            "sikkerhedskopieres med pg_dump og en kopi af datastien (docs/deployment.md)",
            "export and import are for the embedded warehouse (warehouse.duckdb); back up a "
            "shared warehouse with pg_dump and a copy of its data path (docs/deployment.md)",
        )


def _check_free(target: Path) -> None:
    if target.is_dir() and any(target.iterdir()):
        raise usage_error(
            f"mappen {target} er ikke tom; vælg en ny eller tom mappe til eksporten",
            f"the folder {target} is not empty; choose a new or empty folder for the export",
        )
    if target.exists() and not target.is_dir():
        raise usage_error(
            f"{target} findes allerede og er ikke en mappe", f"{target} exists and is not a folder"
        )


def _relative_load(folder: Path) -> None:
    """load.sql names the Parquet files by their full temporary path: name them relative to
    the folder, so the export can be moved or copied anywhere and still imported."""
    load = folder / "load.sql"
    text = load.read_text(encoding="utf-8").replace(f"'{folder}/", "'")
    load.write_text(text, encoding="utf-8")


def import_warehouse(workspace: Workspace, source: Path) -> Counts:
    """Create the workspace's warehouse from an export; refuses to replace an existing one."""
    _embedded_only(workspace)
    _check_export(source)
    if workspace.warehouse_path.exists():
        raise usage_error(
            f"{workspace.warehouse_path} findes allerede; importér til et nyt arbejdsområde, "
            "eller flyt det eksisterende lager væk først",
            f"{workspace.warehouse_path} already exists; import into a new workspace, or move "
            "the existing warehouse away first",
        )
    workspace.root.mkdir(parents=True, exist_ok=True)
    temporary = (
        workspace.root / f".{workspace.warehouse_path.name}.importing-{uuid.uuid4().hex[:8]}"
    )
    try:
        counts = _import_into(temporary, source)
        os.link(temporary, workspace.warehouse_path)  # never replaces a warehouse made meanwhile
    except FileExistsError:
        raise usage_error(
            f"{workspace.warehouse_path} blev oprettet under importen; intet er ændret",
            f"{workspace.warehouse_path} was created during the import; nothing was changed",
        ) from None
    finally:
        for leftover in workspace.root.glob(f"{temporary.name}*"):
            leftover.unlink(missing_ok=True)
    return counts


def _import_into(database: Path, source: Path) -> Counts:
    con = duckdb.connect(str(database))
    try:
        try:
            con.execute(f"IMPORT DATABASE '{_quote(source)}'")
        except duckdb.Error as error:
            raise usage_error(
                f"eksporten i {source} kan ikke læses ({error})",
                f"the export in {source} cannot be read ({error})",
            ) from None
        migrations.ensure(con)  # an export of an older release becomes the current schema
        con.execute("CHECKPOINT")
        return _counts(con, "main")
    finally:
        con.close()


def migrate_to_lake(workspace: Workspace, catalog: str, lake_data: str | None) -> Lake:
    """Copy the embedded warehouse into an empty shared one (SPEC §12): every submission with
    its id, time and receipt, every cell, in one transaction - so figures as of any moment
    are the same. The embedded file is left as it was (a backup)."""
    lake.check_catalog(catalog)
    data = lake_data or os.environ.get(lake.ENV_LAKE_DATA) or workspace.partnership.lake_data
    if not data:
        raise usage_error(
            "sig hvor søens data skal ligge: --lake-data MAPPE (eller s3://…)",
            "say where the lake's data go: --lake-data DIR (or s3://…)",
        )
    if not workspace.warehouse_path.exists():
        raise usage_error(
            f"der er intet lager at flytte i {workspace.root}",
            f"there is no warehouse to migrate in {workspace.root}",
        )
    target = lake.Lake(catalog, lake.data_path(workspace.root, data))
    with warehouse.writer(workspace.warehouse_path):
        pass  # an older embedded warehouse is first brought to the current schema
    con = lake.private(target)
    try:
        con.execute("USE wh")
        migrations.ensure(con, lake=True)
        warehouse.attach(con, workspace.warehouse_path, "src")
        _copy_into_lake(con, target)
    finally:
        con.close()
    return target


def _copy_into_lake(con: duckdb.DuckDBPyConnection, target: Lake) -> None:
    held = con.execute("SELECT count(*) FROM wh.main.submissions").fetchall()[0][0]
    if held:
        raise usage_error(
            f"det delte lager {target.catalog} har allerede {held} indleveringer; flyt kun til et tomt",
            f"the shared warehouse {target.catalog} already holds {held} submissions; migrate "
            "only into an empty one",
        )
    columns = migrations.SUBMISSION_COLUMNS
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"INSERT INTO wh.main.submissions ({columns}) SELECT {columns} FROM src.submissions"
        )
        con.execute("INSERT INTO wh.main.observations SELECT * FROM src.observations")
        con.execute(
            "UPDATE wh.main.submission_counter SET last_id ="
            " (SELECT coalesce(max(id), 0) FROM src.submissions)"
        )
        con.execute("COMMIT")
    except BaseException:
        migrations.rollback(con)
        raise


def _check_export(source: Path) -> None:
    """A folder made by `warehouse export` (or EXPORT DATABASE): only CREATE statements and
    COPY of Parquet files in the folder into our tables, nothing else is run."""
    schema, load = source / "schema.sql", source / "load.sql"
    not_export = usage_error(
        f"{source} er ikke en eksport af et lager (schema.sql og load.sql fra "
        "`ci-measure warehouse export` mangler eller er ændret)",
        f"{source} is not a warehouse export (schema.sql and load.sql made by "
        "`ci-measure warehouse export` are missing or changed)",
    )
    if not (schema.is_file() and load.is_file()):
        raise not_export
    statements = _statements(schema)
    if not statements or not all(SCHEMA_STATEMENT.match(s) for s in statements):
        raise not_export
    for statement in _statements(load):
        found = LOAD_STATEMENT.match(statement)
        if not found or found[1] not in migrations.TABLES or not (source / found[2]).is_file():
            raise not_export


def _statements(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [" ".join(s.split()) for s in text.split(";") if s.strip()]


def _counts(con: duckdb.DuckDBPyConnection, schema: str) -> Counts:
    submissions = con.execute(f"SELECT count(*) FROM {schema}.submissions").fetchall()[0][0]
    cells = con.execute(f"SELECT count(*) FROM {schema}.observations").fetchall()[0][0]
    return Counts(int(submissions), int(cells))


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
