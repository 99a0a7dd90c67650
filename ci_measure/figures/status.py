"""`ci-measure status`: what each partner has delivered, what is missing, late or rejected.

The partner-facing counterpart of the completeness check: the same ``quality.delivery_status``
the Dagster asset check uses, plus the audit trail, which knows when a partner last delivered
and whether its latest file was rejected (then its open cells say `rejected`, not `missing`:
the partner did send something and has a receipt telling what to fix).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd

from ci_measure import clock, warehouse
from ci_measure.config import periods
from ci_measure.config.model import ORIGINS, SEXES, Workspace
from ci_measure.errors import unknown_partner
from ci_measure.figures import quality

STATES_DA = {
    "delivered": "leveret",
    "missing": "mangler",
    "late": "forsinket",
    "rejected": "afvist",
}
CELL_COLUMNS = (
    "partner",
    "data_element",
    "area",
    "sex",
    "origin",
    "delivered_period",
    "due_period",
    "state",
)
CELL_HEADERS = (
    (
        "partner",
        "dataelement",
        "område",
        "køn",
        "herkomst",
        "senest leveret",
        "forfalden",
        "status",
    ),
    ("partner", "data element", "area", "sex", "origin", "last delivered", "due", "state"),
)
PARTNER_COLUMNS = ("partner", "name", "last_delivered", "last_file", "last_status", *STATES_DA)
PARTNER_HEADERS = (
    ("partner", "navn", "senest leveret", "seneste fil", "filens status", *STATES_DA.values()),
    ("partner", "name", "last delivered", "latest file", "file status", *STATES_DA),
)
FILE_STATUS_DA = {"accepted": "godkendt", "rejected": "afvist", "deleted": "afvist og slettet"}


@contextmanager
def _warehouse(workspace: Workspace) -> Iterator[tuple[duckdb.DuckDBPyConnection, bool]]:
    """A connection with table ``cells`` (latest wins); (con, has_warehouse). Never creates one."""
    if warehouse.exists(workspace.warehouse):
        with warehouse.reader(workspace.warehouse) as con:
            con.execute(f"CREATE TEMP TABLE cells AS {warehouse.current_cells_sql('wh', None)}")
            yield con, True
        return
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE cells (data_element VARCHAR, area VARCHAR, period VARCHAR,"
            " sex VARCHAR, origin VARCHAR, value DOUBLE, missing_at_source BOOLEAN)"
        )
        yield con, False
    finally:
        con.close()


def _latest_delivered(con: duckdb.DuckDBPyConnection) -> dict[tuple, str]:
    found: dict[tuple, str] = {}
    for *key, period in con.execute(
        "SELECT DISTINCT data_element, area, sex, origin, period FROM cells"
    ).fetchall():
        key = tuple(key)
        if key not in found or periods.sort_key(period) > periods.sort_key(found[key]):
            found[key] = period
    return found


def _submissions(con: duckdb.DuckDBPyConnection, has_warehouse: bool) -> pd.DataFrame:
    if not has_warehouse:
        return pd.DataFrame(columns=["partner", "file_name", "received_at", "status"])
    # An empty file (a blank template, SPEC §4) is no delivery: it does not count here at all.
    return con.execute(
        "SELECT partner, file_name, received_at, status FROM wh.submissions"
        " WHERE coalesce(json_extract_string(receipt, '$.errors[0].code'), '') <> 'empty_file'"
        " ORDER BY id"
    ).df()


def status(
    workspace: Workspace, partner: str | None = None, today: dt.date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells, partners): one row per responsibility with its state, one row per partner."""
    chosen = [p.code for p in workspace.partnership.partners]
    if partner:
        known = workspace.partnership.partner(partner)
        if known is None:
            raise unknown_partner(partner, chosen)
        chosen = [known.code]
    with _warehouse(workspace) as (con, has_warehouse):
        cells = quality.delivery_status(con, "cells", workspace, today=today)
        if cells.empty:  # nobody is responsible for anything yet
            cells = cells.reindex(columns=[*CELL_COLUMNS[:5], "due_period", "state"])
        delivered = _latest_delivered(con)
        submissions = _submissions(con, has_warehouse)
    cells = cells[cells["partner"].isin(chosen)].copy()
    keys = zip(cells["data_element"], cells["area"], cells["sex"], cells["origin"], strict=True)
    cells["delivered_period"] = [delivered.get(k, "") for k in keys]
    last = submissions.groupby("partner").tail(1).set_index("partner")
    rejected = {p for p, s in last["status"].items() if s in ("rejected", "deleted")}
    open_cell = cells["state"].isin(["missing", "late"]) & cells["partner"].isin(rejected)
    cells.loc[open_cell, "state"] = "rejected"
    accepted = (
        submissions[submissions["status"] == "accepted"].groupby("partner")["received_at"].max()
    )
    rows = []
    for code in chosen:
        mine = cells[cells["partner"] == code]["state"].value_counts()
        rows.append(
            {
                "partner": code,
                "name": workspace.partnership.partner(code).name,
                "last_delivered": _when(accepted.get(code)),
                "last_file": last["file_name"].get(code, ""),
                "last_status": last["status"].get(code, ""),
                **{state: int(mine.get(state, 0)) for state in STATES_DA},
            }
        )
    order = {
        "partner": {code: i for i, code in enumerate(chosen)},
        "sex": {code: i for i, code in enumerate(SEXES)},
        "origin": {code: i for i, code in enumerate(ORIGINS)},
    }
    cells = cells.sort_values(
        ["partner", "data_element", "area", "sex", "origin"],
        key=lambda s: s.map(order[s.name]) if s.name in order else s,
    )
    return cells[list(CELL_COLUMNS)].reset_index(drop=True), pd.DataFrame(
        rows, columns=list(PARTNER_COLUMNS)
    )


def _when(value: object) -> str:
    """A warehouse timestamp (naive UTC) as ISO UTC for the frame and JSON ('' for never);
    the table shows it in Danish time (``clock.for_people``)."""
    if value is None or pd.isna(value):
        return ""
    return clock.for_machines(pd.Timestamp(value).to_pydatetime())


def _aligned(headers: tuple[tuple[str, ...], ...], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[j])) for r in [*headers, *rows]) for j in range(len(headers[0]))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in headers
    ]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return "\n".join(lines) + "\n"


def render_table(cells: pd.DataFrame, partners: pd.DataFrame) -> str:
    """Two aligned tables, Danish header line with the English one below it."""
    summary = [
        [
            str(r["partner"]),
            str(r["name"]),
            clock.for_people(r["last_delivered"] or None),
            str(r["last_file"]),
            FILE_STATUS_DA.get(r["last_status"], r["last_status"]),
            *(str(r[s]) for s in STATES_DA),
        ]
        for r in partners.to_dict("records")
    ]
    detail = [
        [*(str(r[c]) for c in CELL_COLUMNS[:-1]), f"{STATES_DA[r['state']]} / {r['state']}"]
        for r in cells.to_dict("records")
    ]
    return (
        "Partnere / partners\n"
        + _aligned(PARTNER_HEADERS, summary)
        + "\nLeverancer / deliveries\n"
        + _aligned(CELL_HEADERS, detail)
    )


def render(cells: pd.DataFrame, partners: pd.DataFrame, fmt: str = "table") -> str:
    """The status as `table` (for people), `csv` (the cell rows) or `json` (both)."""
    if fmt == "csv":
        from ci_measure.safe_text import escape_formula

        buffer = io.StringIO()
        cells.map(escape_formula).to_csv(buffer, index=False, lineterminator="\n")
        return buffer.getvalue()
    if fmt == "json":
        data = {"partners": partners.to_dict("records"), "cells": cells.to_dict("records")}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return render_table(cells, partners)
