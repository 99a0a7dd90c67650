"""The shared indicator library for notebooks: the very same figures as the CLI and Dagster.

import indicators
indicators.catalog()
indicators.compute("data", indicator="UDD_OVERGANG", area="0561-OST")
indicators.history("data", "ELEVER_UDD_15MD", "0561-OST-RKJ", "2022/23", sex="M")
indicators.approvals("data")

The workspace comes first in every function (a folder, a loaded Workspace, or None for
$CI_MEASURE_WORKSPACE / the repository's data/); every argument can also be given by name.
An unknown code — indicator, data element, area, sex, origin — raises a UsageError in Danish
and English naming the closest known codes, never an empty frame.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ci_measure import figures
from ci_measure.config.catalog import catalog_frame, load_catalog
from ci_measure.config.model import ORIGINS, SEXES, TOTAL, Workspace
from ci_measure.config.workspace import load_workspace, resolve_root
from ci_measure.figures import known_code, period_argument

__all__ = ["approvals", "catalog", "compute", "history", "submissions", "open_workspace"]

WorkspaceLike = str | Path | Workspace | None


def open_workspace(workspace: WorkspaceLike = None) -> Workspace:
    """A loaded workspace (default: $CI_MEASURE_WORKSPACE, else the repository's data/)."""
    if isinstance(workspace, Workspace):
        return workspace
    return load_workspace(resolve_root(workspace))


def catalog(workspace: WorkspaceLike = None) -> pd.DataFrame:
    """One row per indicator: labels, formula, unit, direction, definition and source.

    With a workspace, the partnership's own catalog extensions are included.
    """
    if workspace is None:
        return catalog_frame(load_catalog(None))
    return catalog_frame(open_workspace(workspace).catalog)


def compute(
    workspace: WorkspaceLike = None,
    indicator: str | None = None,
    area: str | None = None,
    period: str | None = None,
    as_of: str | dt.datetime | None = None,
    published: bool = False,
    every_row: bool = True,
) -> pd.DataFrame:
    """Indicator rows with the columns of `ci-measure indicators` (same function, same numbers).

    Every row of SPEC §7.5 by default (like `indicators --all`); ``every_row=False`` leaves
    out the `missing` rows of areas where nobody reports the data, as the CLI does."""
    ws = open_workspace(workspace)
    if indicator:
        indicator = known_code("indicator", indicator, list(ws.catalog.indicators))
    if area:
        area = known_code("area", area, [a.code for a in ws.partnership.areas])
    return figures.indicator_rows(
        ws,
        indicator=indicator,
        area=area,
        period=period_argument(period) if period else None,
        as_of=as_of,
        published=published,
        every_row=every_row,
    )


def history(
    workspace: WorkspaceLike,
    data_element: str,
    area: str,
    period: str,
    sex: str = TOTAL,
    origin: str = TOTAL,
) -> pd.DataFrame:
    """Every value one cell has had, oldest first, and the submission each came from.

    An empty frame means the cell was never reported; a code that does not exist raises.
    """
    ws = open_workspace(workspace)
    element = known_code("data_element", data_element, list(ws.catalog.data_elements))
    area = known_code("area", area, [a.code for a in ws.partnership.areas])
    sex = known_code("sex", sex, list(SEXES))
    origin = known_code("origin", origin, list(ORIGINS))
    return figures.cell_history(ws, element, area, period_argument(period), sex, origin)


def submissions(workspace: WorkspaceLike = None) -> pd.DataFrame:
    """Every file taken in (accepted, rejected or deleted), with its SHA-256 and time."""
    return figures.submissions(open_workspace(workspace))


def approvals(workspace: WorkspaceLike = None) -> pd.DataFrame:
    """Every approval and revocation of figures for publishing (SPEC §13), oldest first:
    id, at (UTC), action (approve | revoke), by, period, area (None: all; else it and the
    areas under it), indicator (None: all)."""
    from ci_measure.warehouse.approvals import events

    return events(open_workspace(workspace))
