"""Asset checks the analyst acts on; each wraps one function of ci_measure.figures.quality."""

import dagster as dg
import pandas as pd

from ci_measure import figures
from ci_measure.figures import quality
from pipelines.defs.measurement.assets import published_figures, warehouse
from pipelines.defs.measurement.resources import WorkspaceResource


def _result(findings: pd.DataFrame, ok: str, bad: str, warn: bool = False) -> dg.AssetCheckResult:
    passed = findings.empty
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN if warn else dg.AssetCheckSeverity.ERROR,
        description=ok if passed else bad.format(n=len(findings)),
        metadata={
            "findings": len(findings),
            "details": dg.MetadataValue.md(
                findings.head(30).astype(object).to_markdown(index=False)
                if len(findings)
                else "_(none)_"
            ),
        },
    )


def _delivery(workspace: WorkspaceResource, state: str) -> pd.DataFrame:
    status = _over_cells(
        workspace,
        lambda con, cells, ws: quality.delivery_status(
            con, cells, ws, today=workspace.today_date()
        ),
    )
    return status[status["state"] == state].reset_index(drop=True)


@dg.asset_check(
    asset=warehouse,
    description="Each partner delivered what its `reports` promise for the latest period.",
)
def warehouse_completeness(workspace: WorkspaceResource) -> dg.AssetCheckResult:
    return _result(
        _delivery(workspace, "missing"),
        "Every partner delivered every promised cell for the latest period.",
        "{n} promised cells are missing for the latest period reported.",
    )


@dg.asset_check(
    asset=warehouse,
    description="Each partner delivered the periods that are due (a year after they end).",
)
def warehouse_timeliness(workspace: WorkspaceResource) -> dg.AssetCheckResult:
    return _result(
        _delivery(workspace, "late"),
        "Nothing is overdue.",
        "{n} promised cells are overdue (their period ended more than a year ago).",
        warn=True,
    )


def _over_cells(workspace: WorkspaceResource, finder) -> pd.DataFrame:
    """Run a quality finder over the current cells of the warehouse."""
    ws = workspace.load()
    with figures.current_cells(ws) as (con, cells):
        return finder(con, cells, ws)


@dg.asset_check(
    asset=warehouse, description="Part ≤ whole between partners' figures (SPEC §5 rules)."
)
def warehouse_rules(workspace: WorkspaceResource) -> dg.AssetCheckResult:
    findings = _over_cells(workspace, quality.rule_violations)
    return _result(
        findings,
        "Every part is at most its whole.",
        "{n} cells have a part greater than its whole.",
        warn=True,
    )


@dg.asset_check(
    asset=warehouse, description="Reported totals equal the sum of their reported parts."
)
def warehouse_totals(workspace: WorkspaceResource) -> dg.AssetCheckResult:
    findings = _over_cells(workspace, quality.total_mismatches)
    return _result(
        findings,
        "Reported totals match their parts.",
        "{n} reported totals differ from the sum of their parts.",
        warn=True,
    )


@dg.asset_check(
    asset=published_figures, description="No year-over-year jump beyond the configured factor."
)
def published_figures_outliers(workspace: WorkspaceResource) -> dg.AssetCheckResult:
    ws = workspace.load()
    findings = quality.outliers(figures.indicator_rows(ws), workspace.outlier_factor)
    return _result(
        findings,
        "No outliers.",
        f"{{n}} values jump by more than ×{workspace.outlier_factor} from the same period a year before.",
        warn=True,
    )


@dg.asset_check(
    asset=published_figures,
    description=(
        "Suppression is applied to every published person-based row. Blocking: when it fails, "
        "the scorecard is not written."
    ),
    blocking=True,  # a count below the threshold must never reach the public scorecard
)
def published_figures_suppression(workspace: WorkspaceResource) -> dg.AssetCheckResult:
    ws = workspace.load()  # the published output as written (else as it would be written)
    path = ws.reports_dir / "published_figures.parquet"
    published = (
        pd.read_parquet(path) if path.exists() else figures.indicator_rows(ws, published=True)
    )
    return _result(  # checked against the figures published output is made from (as approved)
        quality.suppression_findings(figures.publication_basis(ws), published, ws),
        "Every small count is suppressed and no suppressed figure can be recovered by subtraction.",
        "{n} published rows break disclosure control (SPEC §7.6): see `problem`.",
    )


@dg.asset_check(
    asset=published_figures,
    description=(
        "With approval required (SPEC §13): the approved keys whose figures changed since "
        "their approval; the change is published only once it is approved again."
    ),
)
def published_figures_changed_since_approval(workspace: WorkspaceResource) -> dg.AssetCheckResult:
    changed = figures.approval_changes(workspace.load())
    return _result(
        changed,
        "Every approved figure is as it was approved.",
        "{n} approved keys have a correction awaiting approval (`ci-measure approve`).",
        warn=True,
    )
