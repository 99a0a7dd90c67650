"""Assets from raw to published. Each body calls the core and reports what the analyst reads."""

from pathlib import Path

import dagster as dg
import pandas as pd

from ci_measure import atomic, figures
from ci_measure.intake.ingest import ingest_file, pending_files
from ci_measure.intake.receipt import render_text
from ci_measure.intake.validate import sha256_of
from pipelines.defs.measurement.automation import AFTER_ANY_SUBMISSION, AFTER_UPSTREAM
from pipelines.defs.measurement.partitions import SUBMISSIONS, WAREHOUSE_WRITE_TAGS
from pipelines.defs.measurement.resources import WorkspaceResource

# Who answers for these assets in the UI: the backbone organisation's analysts.
OWNERS = ["team:backbone"]
# Who may see an asset's contents: the backbone only, or anyone (after disclosure control).
INTERNAL = {"visibility": "internal"}
PUBLIC = {"visibility": "public"}


class SubmissionFile(dg.Config):
    """Where the sensor found the file; empty = look in the inbox for the partition's SHA-256."""

    path: str = ""
    partner: str = ""


def _preview(frame: pd.DataFrame, limit: int = 20) -> dg.MetadataValue:
    return dg.MetadataValue.md(
        frame.head(limit).to_markdown(index=False) if len(frame) else "_(none)_"
    )


@dg.asset(
    partitions_def=SUBMISSIONS,
    group_name="intake",
    op_tags=WAREHOUSE_WRITE_TAGS,
    kinds={"python", "duckdb"},
    owners=OWNERS,
    tags=INTERNAL,
)
def submissions(
    context: dg.AssetExecutionContext, config: SubmissionFile, workspace: WorkspaceResource
) -> dg.MaterializeResult:
    """A partner's file, one partition per SHA-256: validated, archived, loaded into the
    warehouse in one transaction, and receipted to the partner (da/en). Started by the
    inbox sensor; the metadata is the receipt."""
    ws = workspace.load()
    path, partner = Path(config.path), config.partner
    if not config.path:
        found = [(p, f) for p, f in pending_files(ws) if sha256_of(f) == context.partition_key]
        if not found:
            raise dg.Failure(
                f"no file with SHA-256 {context.partition_key} is waiting in the inbox"
            )
        partner, path = found[0]
    receipt = ingest_file(ws, path, partner)
    if receipt is None:
        return dg.MaterializeResult(metadata={"status": "already taken in by another process"})
    problems = pd.DataFrame([p.to_dict() for p in receipt.errors])
    return dg.MaterializeResult(
        metadata={
            "status": receipt.status,
            "partner": receipt.partner,
            "file": receipt.file,
            "rows": receipt.rows,
            "errors": len(receipt.errors),
            "warnings": len(receipt.warnings),
            "changes": dg.MetadataValue.json(receipt.changes or {}),
            "problems": _preview(problems.drop(columns=["message_en"], errors="ignore")),
            "receipt": dg.MetadataValue.md(f"```\n{render_text(receipt)}```"),
        }
    )


@dg.asset(
    deps=[submissions],
    group_name="warehouse",
    automation_condition=AFTER_ANY_SUBMISSION,
    kinds={"duckdb"},
    owners=OWNERS,
    tags=INTERNAL,
)
def warehouse(workspace: WorkspaceResource) -> dg.MaterializeResult:
    """The shared truth, append-only: every submission and, for accepted ones, their cells.
    Checked for each partner's promised deliveries and the catalog's rules."""
    ws = workspace.load()
    audit = figures.submissions(ws)
    with figures.current_cells(ws) as (con, cells):
        n_cells = con.execute(f"SELECT count(*) FROM {cells}").fetchall()[0][0]
    counts = audit["status"].value_counts().to_dict() if len(audit) else {}
    return dg.MaterializeResult(
        metadata={
            "submissions": len(audit),
            "accepted": int(counts.get("accepted", 0)),
            "rejected": int(counts.get("rejected", 0)),
            "deleted (personal data)": int(counts.get("deleted", 0)),
            "current cells": int(n_cells),
            "latest submissions": _preview(audit.drop(columns=["sha256"]).tail(20).iloc[::-1]),
        }
    )


@dg.asset(
    deps=[warehouse],
    group_name="figures",
    automation_condition=AFTER_UPSTREAM,
    kinds={"duckdb", "parquet"},
    owners=OWNERS,
    tags=INTERNAL,
)
def indicator_values(workspace: WorkspaceResource) -> dg.MaterializeResult:
    """Every indicator row of SPEC §7, unpublished (small counts shown: for the backbone's
    analysts only): `<workspace>/reports/indicator_values.parquet`."""
    ws = workspace.load()
    rows = figures.indicator_rows(ws)
    _write_parquet(rows, ws.reports_dir / "indicator_values.parquet")
    return _figures_metadata(rows)


@dg.asset(
    deps=[indicator_values],
    group_name="publication",
    automation_condition=AFTER_UPSTREAM,
    kinds={"duckdb", "parquet"},
    owners=OWNERS,
    tags=PUBLIC,
)
def published_figures(workspace: WorkspaceResource) -> dg.MaterializeResult:
    """The same rows after disclosure control (SPEC §7.6), what anyone may see:
    `<workspace>/reports/published_figures.parquet`."""
    ws = workspace.load()
    rows = figures.indicator_rows(ws, published=True)
    _write_parquet(rows, ws.reports_dir / "published_figures.parquet")
    return _figures_metadata(rows)


@dg.asset(
    deps=[published_figures],
    group_name="publication",
    automation_condition=AFTER_UPSTREAM,
    kinds={"html", "csv", "excel"},
    owners=OWNERS,
    tags=PUBLIC,
)
def scorecard(workspace: WorkspaceResource) -> dg.MaterializeResult:
    """The scorecard page (one offline HTML) and the published figures as CSV/XLSX, in
    `<workspace>/reports/` (the same as `ci-measure report`)."""
    from ci_measure.report import write_report

    paths = write_report(workspace.load(), today=workspace.today_date())
    metadata: dict[str, object] = {}
    for kind, path in paths.items():
        metadata[f"{kind} path"] = dg.MetadataValue.path(str(path))
        metadata[f"{kind} bytes"] = path.stat().st_size
    return dg.MaterializeResult(metadata=metadata)


def _write_parquet(rows: pd.DataFrame, target: Path) -> None:
    """Whole or not at all: a notebook reading the file never sees half of it."""
    with atomic.replacing(target) as path:
        rows.to_parquet(path, index=False)


def _figures_metadata(rows: pd.DataFrame) -> dg.MaterializeResult:
    by_status = rows["status"].value_counts().to_dict() if len(rows) else {}
    main = rows[(rows["sex"] == "_T") & (rows["origin"] == "_T") & (rows["status"] == "ok")]
    return dg.MaterializeResult(
        metadata={
            "rows": len(rows),
            "by status": dg.MetadataValue.json({str(k): int(v) for k, v in by_status.items()}),
            "preview": _preview(main.astype(object)),
        }
    )
