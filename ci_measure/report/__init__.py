"""The scorecard (SPEC §9 `ci-measure report`): one offline HTML page plus CSV/XLSX exports.

Built from the **published** figures only (``indicator_rows(..., published=True)``): the
page, the CSV and the XLSX never see a number that disclosure control removed. The CLI and
the Dagster ``scorecard`` asset both call ``write_report``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ci_measure.model import Workspace

HTML_NAME = "scorecard.html"
CSV_NAME = "published_figures.csv"
XLSX_NAME = "published_figures.xlsx"


def _atomic_write_text(path: Path, text: str) -> None:
    """Write beside, then rename: a reader never opens a half-written page."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_report(
    workspace: Workspace, out_dir: Path | None = None, today: dt.date | None = None
) -> dict[str, Path]:
    """Write scorecard.html, published_figures.csv and published_figures.xlsx; return their paths."""
    from ci_measure import figures  # local: the renderer's modules stay importable on their own
    from ci_measure.report import exports, quality_page
    from ci_measure.report.html import render_page

    out = Path(out_dir) if out_dir is not None else workspace.reports_dir
    out.mkdir(parents=True, exist_ok=True)
    published = figures.indicator_rows(workspace, published=True)
    catalog, partnership = workspace.catalog, workspace.partnership
    paths = {"html": out / HTML_NAME, "csv": out / CSV_NAME, "xlsx": out / XLSX_NAME}
    for kind in ("csv", "xlsx"):
        tmp = paths[kind].with_name(f".{paths[kind].name}.tmp")
        writer = exports.write_csv if kind == "csv" else exports.write_xlsx
        writer(tmp, published, catalog, partnership)
        os.replace(tmp, paths[kind])
    facts = quality_page.gather(workspace, published, today=today)
    page = render_page(
        published,
        catalog,
        partnership,
        quality_html=quality_page.render(facts),
        generated_at=dt.datetime.now(),
        downloads={"CSV": CSV_NAME, "Excel (XLSX)": XLSX_NAME},
    )
    _atomic_write_text(paths["html"], page)
    return paths


__all__ = ["write_report", "HTML_NAME", "CSV_NAME", "XLSX_NAME"]
