"""The audit trail (`ci-measure history`): every file taken in, with its outcome.

One row per submission, oldest first, read from the append-only ``submissions`` table:
accepted, rejected and deleted (personal data) files alike; and, in time order among them,
every approval and revocation of figures (SPEC §13, status ``approved`` / ``revoked``). The
same bytes sent again by the same partner are recorded once (SPEC §7.1), so they add no row.
Nothing here writes to the warehouse, and a workspace without a warehouse simply has no history yet (the file is not created).
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from ci_measure import clock, warehouse
from ci_measure.config.model import Workspace
from ci_measure.errors import unknown_partner
from ci_measure.safe_text import escape_formula
from ci_measure.warehouse import approvals

COLUMNS = ["id", "received_at", "partner", "file", "sha256", "status", "rows", "errors"]
SHORT_SHA = 12


def history(workspace: Workspace, partner: str | None = None) -> pd.DataFrame:
    """The audit trail, optionally of one partner (codes are matched case-insensitively)."""
    if partner:
        known = workspace.partnership.partner(partner)
        if known is None:
            raise unknown_partner(partner, [p.code for p in workspace.partnership.partners])
        partner = known.code
    if not warehouse.exists(workspace.warehouse):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    with warehouse.reader(workspace.warehouse) as con:
        rows = con.execute(
            """
            SELECT id, strftime(received_at, '%Y-%m-%dT%H:%M:%S') AS received_at, partner,
                   file_name AS file, sha256, status, rows,
                   coalesce(json_array_length(receipt -> '$.errors'), 0) AS errors
            FROM wh.submissions
            WHERE ? IS NULL OR partner = ?
            ORDER BY id
            """,
            [partner, partner],
        ).fetchall()
        files = pd.DataFrame(rows, columns=COLUMNS)
        if partner:  # a partner's trail is its files; approvals are the partnership's
            return files
        decisions = approval_rows(approvals.read_events(con, "wh", None, pd.DataFrame()))
    if decisions.empty:
        return files
    both = pd.concat([files.astype(object), decisions.astype(object)], ignore_index=True)
    return both.sort_values("received_at", kind="stable", ignore_index=True)


def approval_rows(events: pd.DataFrame) -> pd.DataFrame:
    """Approvals and revocations as trail rows: status ``approved`` / ``revoked``, no partner
    and no file; ``file`` says what was approved and by whom."""
    if events.empty:
        return pd.DataFrame(columns=COLUMNS)
    return pd.DataFrame(
        {
            "id": events["id"],
            "received_at": [t.strftime("%Y-%m-%dT%H:%M:%S") for t in events["at"]],
            "partner": "",
            "file": [approvals.describe(e) for e in events.itertuples(index=False)],
            "sha256": "",
            "status": ["approved" if a == "approve" else "revoked" for a in events["action"]],
            "rows": 0,
            "errors": 0,
        }
    )


def _printable(text: str) -> str:
    """A file name on a terminal: control characters (escape sequences, line breaks) as '?'."""
    return "".join(c if c.isprintable() else "?" for c in text)


def render(rows: pd.DataFrame, form: str = "table") -> str:
    """The trail as an aligned table for people (short SHA-256, Danish time with the zone
    named), or CSV / JSON for programs (full SHA-256, ISO 8601 UTC with ``Z``)."""
    records = [dict(zip(COLUMNS, r, strict=True)) for r in rows.itertuples(index=False)]
    for record in records:
        record["id"], record["rows"], record["errors"] = (
            int(record["id"]),
            int(record["rows"]),
            int(record["errors"]),
        )
        record["received_at"] = clock.for_machines(record["received_at"])  # ISO UTC, "Z"
    if form == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for record in records:  # file names are the partner's text: never a formula
            writer.writerow([escape_formula(record[c]) for c in COLUMNS])
        return out.getvalue()
    if not records:
        return "Ingen filer modtaget endnu. / No files received yet.\n"
    shown = [
        {
            **r,
            "sha256": r["sha256"][:SHORT_SHA],
            "received_at": clock.for_people(r["received_at"]),  # Danish time, zone named
            "file": _printable(r["file"]),
        }
        for r in records
    ]
    widths = {c: max(len(c), *(len(str(r[c])) for r in shown)) for c in COLUMNS}
    numeric = {"id", "rows", "errors"}

    def line(values: dict) -> str:
        return "  ".join(
            str(values[c]).rjust(widths[c]) if c in numeric else str(values[c]).ljust(widths[c])
            for c in COLUMNS
        ).rstrip()

    return "\n".join([line({c: c for c in COLUMNS}), *map(line, shown)]) + "\n"
