"""The shared indicator library for notebooks: the very same figures as the CLI and Dagster.

import indicators
indicators.catalog()
indicators.compute(workspace="data", indicator="UDD_OVERGANG", area="0561-OST")
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ci_measure import figures
from ci_measure.catalog import catalog_frame, load_catalog
from ci_measure.model import Workspace
from ci_measure.workspace import load_workspace, resolve_root

__all__ = ["catalog", "compute", "history", "submissions", "open_workspace"]


def open_workspace(workspace: str | Path | Workspace | None = None) -> Workspace:
    """A loaded workspace (default: $CI_MEASURE_WORKSPACE, else the repository's data/)."""
    if isinstance(workspace, Workspace):
        return workspace
    return load_workspace(resolve_root(workspace))


def catalog(workspace: str | Path | Workspace | None = None) -> pd.DataFrame:
    """One row per indicator: labels, formula, unit, direction, definition and source.

    With a workspace, the partnership's own catalog extensions are included.
    """
    if workspace is None:
        return catalog_frame(load_catalog(None))
    return catalog_frame(open_workspace(workspace).catalog)


def compute(
    workspace: str | Path | Workspace | None = None,
    indicator: str | None = None,
    area: str | None = None,
    period: str | None = None,
    as_of: str | dt.datetime | None = None,
    published: bool = False,
) -> pd.DataFrame:
    """Indicator rows with the columns of `ci-measure indicators` (same function, same numbers)."""
    return figures.indicator_rows(
        open_workspace(workspace),
        indicator=indicator,
        area=area,
        period=period,
        as_of=as_of,
        published=published,
    )


def history(
    data_element: str,
    area: str,
    period: str,
    sex: str = "_T",
    origin: str = "_T",
    workspace: str | Path | Workspace | None = None,
) -> pd.DataFrame:
    """Every value one cell has had, oldest first, and the submission each came from."""
    return figures.cell_history(open_workspace(workspace), data_element, area, period, sex, origin)


def submissions(workspace: str | Path | Workspace | None = None) -> pd.DataFrame:
    """Every file taken in (accepted, rejected or deleted), with its SHA-256 and time."""
    return figures.submissions(open_workspace(workspace))
