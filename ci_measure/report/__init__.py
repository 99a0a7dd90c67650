"""The scorecard (SPEC §9 `ci-measure report`): one offline HTML page plus CSV/XLSX exports.

Built from the **published** figures only (``indicator_rows(..., published=True)``): the
page, the CSV and the XLSX never see a number that disclosure control removed. The CLI and
the Dagster ``scorecard`` asset both call ``write_report``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ci_measure import atomic, clock
from ci_measure.config.model import Workspace

HTML_NAME = "scorecard.html"
QUALITY_NAME = "data_quality.html"  # the partnership's own page: never served by the portal
CSV_NAME = "published_figures.csv"
XLSX_NAME = "published_figures.xlsx"


def write_report(
    workspace: Workspace, out_dir: Path | None = None, today: dt.date | None = None
) -> dict[str, Path]:
    """Write scorecard.html, published_figures.csv and .xlsx (public) and data_quality.html
    (the partnership's own, with the rejected files); return their paths."""
    from ci_measure import figures  # local: the renderer's modules stay importable on their own
    from ci_measure.figures.approval import as_approved, changed_since_approval
    from ci_measure.report import exports, quality_page
    from ci_measure.report.html import render_page
    from ci_measure.report.story import load_stories

    out = Path(out_dir) if out_dir is not None else workspace.reports_dir
    out.mkdir(parents=True, exist_ok=True)
    # the unpublished rows only to verify the published ones; one computation for both
    published, unpublished = figures.published_and_unpublished(workspace)
    catalog, partnership = workspace.catalog, workspace.partnership
    paths = {
        "html": out / HTML_NAME,
        "csv": out / CSV_NAME,
        "xlsx": out / XLSX_NAME,
        "quality": out / QUALITY_NAME,
    }
    for kind in ("csv", "xlsx"):
        writer = exports.write_csv if kind == "csv" else exports.write_xlsx
        with atomic.replacing(paths[kind]) as tmp:
            writer(tmp, published, catalog, partnership)
    basis = figures.tidy(as_approved(workspace, unpublished))  # what the published came from
    facts = quality_page.gather(workspace, published, basis, today=today)
    now = clock.utc_now()
    page = render_page(
        published,
        catalog,
        partnership,
        quality_html=quality_page.render(facts),
        generated_at=now,
        downloads={"CSV": CSV_NAME, "Excel (XLSX)": XLSX_NAME},
        stories=load_stories(workspace.root, list(catalog.indicators)),
        changed=changed_since_approval(workspace, unpublished)
        if partnership.approval_required
        else None,
    )
    atomic.write_text(paths["html"], page)
    internal = quality_page.render_internal(facts, partnership.name, now)
    atomic.write_text(paths["quality"], internal)
    return paths


__all__ = ["write_report", "HTML_NAME", "CSV_NAME", "XLSX_NAME", "QUALITY_NAME"]
