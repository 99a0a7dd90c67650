"""The one code path behind every figure: the CLI, Dagster and ``indicators.compute`` call this."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd

from ci_measure import warehouse
from ci_measure.config import periods
from ci_measure.config.model import Workspace
from ci_measure.errors import did_you_mean, usage_error
from ci_measure.figures.approval import as_approved, changed_since_approval
from ci_measure.figures.compute import COLUMNS, compute_indicators
from ci_measure.figures.disclosure import publish
from ci_measure.figures.due import keep_due

NUMERIC = ("numerator", "denominator", "value")


def parse_as_of(as_of: str | dt.datetime | None) -> dt.datetime | None:
    """An ISO instant (naive = UTC) as a naive UTC datetime, the warehouse's clock."""
    if as_of is None or as_of == "":
        return None
    if isinstance(as_of, str):
        try:
            as_of = dt.datetime.fromisoformat(as_of.strip().replace("Z", "+00:00"))
        except ValueError:
            raise usage_error(
                f"--as-of »{as_of}« er ikke et ISO-tidspunkt; skriv fx 2025-03-01 eller 2025-03-01T12:00:00+01:00",
                f"--as-of {as_of!r} is not an ISO time; write e.g. 2025-03-01 or 2025-03-01T12:00:00+01:00",
            ) from None
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(dt.UTC).replace(tzinfo=None)
    return as_of


KINDS = {
    "indicator": ("indikator", "indicator"),
    "data_element": ("dataelement", "data element"),
    "area": ("område", "area"),
    "sex": ("køn", "sex"),
    "origin": ("herkomst", "origin"),
}


def known_code(kind: str, value: str, known: list[str]) -> str:
    """``value`` in its canonical case when it is one of ``known``; else a bilingual UsageError
    naming the closest codes (the CLI and the notebook library say it the same way)."""
    lookup = {k.upper(): k for k in known}
    if str(value).upper() in lookup:
        return lookup[str(value).upper()]
    close = difflib.get_close_matches(str(value).upper(), list(lookup), n=3, cutoff=0.4)
    hint_da, hint_en = did_you_mean([lookup[c] for c in close])
    da, en = KINDS[kind]
    raise usage_error(f"ukendt {da} »{value}«.{hint_da}", f"unknown {en} '{value}'.{hint_en}")


def period_argument(value: str) -> str:
    """A period typed by a user (``2024/25``, ``2024-Q1``) in its canonical form."""
    parsed = periods.parse_period(value)
    if parsed is None:
        raise usage_error(
            f"»{value}« er ikke en periode; skriv fx 2024, 2024-Q1, 2024-03 eller 2023/24",
            f"'{value}' is not a period; write e.g. 2024, 2024-Q1, 2024-03 or 2023/24",
        )
    return parsed[0]


def indicator_rows(
    workspace: Workspace,
    indicator: str | None = None,
    area: str | None = None,
    period: str | None = None,
    as_of: str | dt.datetime | None = None,
    published: bool = False,
    every_row: bool = True,
) -> pd.DataFrame:
    """Indicator rows of SPEC §7.5 (published: §7.6 applied), filtered as asked.

    ``every_row=False`` leaves out the `missing` rows nobody owes (``due.keep_due``): what
    `ci-measure indicators` shows unless ``--all`` is given."""
    catalog, partnership = workspace.catalog, workspace.partnership
    codes = [known_code("indicator", indicator, list(catalog.indicators))] if indicator else None
    area = known_code("area", area, [a.code for a in partnership.areas]) if area else None
    if period:
        period = period_argument(period)
    # An area's unpublished figures depend only on the cells of the area and its descendants
    # (§7.3 sums children, never parents), so one area is computed from its subtree alone.
    # Published figures are not: secondary suppression looks at parents and siblings.
    subtree = partnership.subtree(area) if area and not published else None
    with current_cells(workspace, as_of, areas=subtree) as (con, cells):
        rows = compute_indicators(con, cells, catalog, partnership, indicators=codes)
    if not every_row:  # before publishing: a `missing` row is never shown, so §7.6 is unchanged
        rows = keep_due(rows, catalog, partnership)
    if published:  # §13: as approved (when required), then §7.6 on those figures
        rows = publish(as_approved(workspace, rows, parse_as_of(as_of)), catalog, partnership)
    if area:
        rows = rows[rows["area"] == area]
    if period:
        rows = rows[rows["period"] == period]
    return tidy(rows)


def published_and_unpublished(workspace: Workspace) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every row published and unpublished, from one computation: the same rows as
    ``indicator_rows(published=True)`` and ``indicator_rows()`` (the scorecard needs both;
    publishing is a step after the computation, so the computation is not repeated)."""
    catalog, partnership = workspace.catalog, workspace.partnership
    with current_cells(workspace) as (con, cells):
        rows = compute_indicators(con, cells, catalog, partnership)
    published = publish(as_approved(workspace, rows), catalog, partnership)  # §13, then §7.6
    return tidy(published), tidy(rows)


@contextmanager
def current_cells(
    workspace: Workspace, as_of: str | dt.datetime | None = None, areas: list[str] | None = None
) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """A connection holding table ``cells``: the figures that count (latest wins, as of),
    only those of ``areas`` when given."""
    instant = parse_as_of(as_of)
    with warehouse.reader(workspace.warehouse) as con:
        sql = warehouse.current_cells_sql("wh", instant, only_areas=areas is not None)
        con.execute(f"CREATE TEMP TABLE cells AS {sql}", [areas] if areas is not None else None)
        yield con, "cells"


def publication_basis(workspace: Workspace) -> pd.DataFrame:
    """The figures published output is made from, before suppression: as approved when
    approval is required (SPEC §13), else the current ones. What §7.6 is checked against."""
    return tidy(as_approved(workspace, indicator_rows(workspace)))


def approval_changes(workspace: Workspace) -> pd.DataFrame:
    """Approved keys whose figures changed since their approval (a correction awaits it)."""
    return changed_since_approval(workspace, indicator_rows(workspace))


def tidy(rows: pd.DataFrame) -> pd.DataFrame:
    """The public dtypes: codes as strings, figures as float64 (NaN where empty)."""
    rows = rows[COLUMNS].reset_index(drop=True).copy()
    for column in COLUMNS:
        if column in NUMERIC:
            rows[column] = pd.to_numeric(rows[column], errors="coerce").astype("float64")
        else:
            rows[column] = rows[column].astype("string")
    return rows


def cell_history(
    workspace: Workspace,
    data_element: str,
    area: str,
    period: str,
    sex: str = "_T",
    origin: str = "_T",
) -> pd.DataFrame:
    """Every value a cell has had, oldest first, with the submission it came from."""
    parsed = periods.parse_period(period)
    canonical = parsed[0] if parsed else period
    with warehouse.reader(workspace.warehouse) as con:
        return con.execute(
            """
            SELECT s.id AS submission_id, s.partner, s.file_name, s.received_at, s.status,
                   o.value, o.missing_at_source, o.comment, o.row
            FROM wh.observations o JOIN wh.submissions s ON s.id = o.submission_id
            WHERE o.data_element = ? AND o.area = ? AND o.period = ? AND o.sex = ? AND o.origin = ?
            ORDER BY s.id
            """,
            [data_element, area, canonical, sex, origin],
        ).df()


def submissions(workspace: Workspace) -> pd.DataFrame:
    """The audit trail: every file taken in, accepted, rejected or deleted."""
    with warehouse.reader(workspace.warehouse) as con:
        return con.execute(
            "SELECT id, sha256, partner, file_name, received_at, status, rows, archive_path"
            " FROM wh.submissions ORDER BY id"
        ).df()
