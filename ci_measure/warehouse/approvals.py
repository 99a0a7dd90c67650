"""Approvals (SPEC §13): the partnership's sign-off of figures, as append-only rows.

An approval is a recorded moment: the figures of the keys it covers are published as they
stood then. Approving and revoking both add a row (``action``), nothing is ever changed or
deleted, so the table is its own audit trail. A row covers one period (a year also covers
its quarters and months), one area and every area under it (NULL: every area) and one
indicator (NULL: every indicator).

The table is created by schema version 4 (``migrations.py``). The moment is taken while the
ingest lock is held: no file is half taken in, so every submission received before it is in
the warehouse and every later one is received after it.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import json

import duckdb
import pandas as pd

from ci_measure import clock, warehouse
from ci_measure.config.model import Workspace
from ci_measure.safe_text import escape_formula
from ci_measure.warehouse import migrations

COLUMNS = ["id", "at", "action", "by", "period", "area", "indicator"]


def default_by() -> str:
    """Who approves when ``--by`` is not given: the account running the command."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (a container without passwd)
        return "ukendt"


def record(
    workspace: Workspace,
    action: str,
    period: str,
    area: str | None,
    indicator: str | None,
    by: str,
) -> dict:
    """Append one approval or revocation; returns it (its ``at`` is the approved moment)."""
    from ci_measure.intake.ingest import ingest_lock  # the intake stack only when approving

    with ingest_lock(workspace), warehouse.writer(workspace.warehouse) as con:
        new_id, at = warehouse.retrying(lambda: _append(con, [action, by, period, area, indicator]))
    values = [int(new_id), at, action, by, period, area, indicator]
    return dict(zip(COLUMNS, values, strict=True))


def _append(con: duckdb.DuckDBPyConnection, fields: list) -> tuple[int, dt.datetime]:
    """One approval row in one transaction. It also touches ``submission_counter``, as every
    ingest does, so on a shared warehouse (no ingest lock across machines) it conflicts with
    any concurrent write and is retried: ids stay unique and the moment falls between commits."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("UPDATE submission_counter SET last_id = last_id")
        at = warehouse.utc_now()
        new_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM approvals").fetchone()[0]
        con.execute("INSERT INTO approvals VALUES (?, ?, ?, ?, ?, ?, ?)", [new_id, at, *fields])
        con.execute("COMMIT")
    except BaseException:
        migrations.rollback(con)  # a refused COMMIT has already ended the transaction
        raise
    return int(new_id), at


def events(workspace: Workspace, as_of: dt.datetime | None = None) -> pd.DataFrame:
    """Every approval and revocation (at or before ``as_of``), oldest first."""
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    if not warehouse.exists(workspace.warehouse):
        return empty
    with warehouse.reader(workspace.warehouse) as con:
        return read_events(con, "wh", as_of, empty)


def read_events(
    con: duckdb.DuckDBPyConnection, schema: str, as_of: dt.datetime | None, empty: pd.DataFrame
) -> pd.DataFrame:
    """The rows from an open connection (the table exists from schema version 4 on)."""
    rows = con.execute(
        f"""SELECT id, approved_at, action, approved_by, period, area, indicator
            FROM {schema}.approvals
            WHERE ?::TIMESTAMP IS NULL OR approved_at <= ?::TIMESTAMP ORDER BY id, approved_at""",
        [as_of, as_of],
    ).fetchall()
    return pd.DataFrame(rows, columns=COLUMNS) if rows else empty


def describe(event: object) -> str:
    """One approval row in words (Danish, like the trail's people): what, which scope, who."""
    verb = "godkendt" if event.action == "approve" else "godkendelse trukket tilbage"
    area = f"område {event.area} og områderne under det" if _given(event.area) else "alle områder"
    indicator = f"indikator {event.indicator}" if _given(event.indicator) else "alle indikatorer"
    return f"{verb}: {event.period}, {area}, {indicator} (af {event.by})"


def _given(value: object) -> bool:
    return isinstance(value, str) and value != ""


def render(events: pd.DataFrame, form: str = "table") -> str:
    """The approvals as a table for people (Danish time), or CSV / JSON for programs (UTC)."""
    records = [
        {
            **dict(zip(COLUMNS, e, strict=True)),
            "id": int(e.id),
            "at": clock.for_machines(e.at),
            "area": e.area if _given(e.area) else None,
            "indicator": e.indicator if _given(e.indicator) else None,
        }
        for e in events.itertuples(index=False)
    ]
    if form == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for record in records:  # a name is people's text: never a formula
            writer.writerow([escape_formula(record[c] or "") for c in COLUMNS])
        return out.getvalue()
    if not records:
        return "Intet godkendt endnu. / Nothing approved yet.\n"
    shown = [
        {
            **r,
            "at": clock.for_people(r["at"]),
            "action": "godkendt / approved"
            if r["action"] == "approve"
            else "tilbagekaldt / revoked",
            "area": f"{r['area']} (og under / and below)" if r["area"] else "alle / all",
            "indicator": r["indicator"] or "alle / all",
            "by": "".join(c if c.isprintable() else "?" for c in str(r["by"])),
        }
        for r in records
    ]
    widths = {c: max(len(c), *(len(str(r[c])) for r in shown)) for c in COLUMNS}

    def line(values: dict) -> str:
        return "  ".join(str(values[c]).ljust(widths[c]) for c in COLUMNS).rstrip()

    return "\n".join([line({c: c for c in COLUMNS}), *map(line, shown)]) + "\n"
