"""Published figures under approval (SPEC §13): each key as it stood at its latest approval.

A key is indicator × area × period. Its standing comes from the approval rows, oldest
first: the last row that covers a key decides. An approval fixes the key's figures at its
moment; a revocation withdraws the approvals before it (the key awaits a new approval).
The figures of an approved key come from the one as-of path (``current_cells`` and
``compute_indicators`` at the approval's moment), never from a second computation. Rows of
a key never approved, and rows that did not exist at its approval (a breakdown reported
later), are ``pending_approval`` without numbers. Suppression (§7.6) is applied afterwards,
to the figures as approved, by the caller.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ci_measure.config.model import Partnership, Workspace
from ci_measure.errors import usage_error
from ci_measure.figures.compute import compute_indicators
from ci_measure.warehouse import approvals

PENDING = "pending_approval"
KEYS = ["indicator", "area", "period"]
FULL = [*KEYS, "sex", "origin"]
FIGURES = ["numerator", "denominator", "value", "status"]


def covers(keys: pd.DataFrame, event: object, partnership: Partnership) -> np.ndarray:
    """Which keys one approval row covers: its period (a year: also its quarters and months),
    its area and every area under it, its indicator (empty area or indicator: all)."""
    period = keys["period"].astype(str)
    hit = (period == event.period) | period.str.startswith(f"{event.period}-")
    if isinstance(event.area, str):
        hit &= keys["area"].isin(partnership.subtree(event.area))
    if isinstance(event.indicator, str):
        hit &= keys["indicator"] == event.indicator
    return hit.to_numpy(dtype=bool)


def standing(
    workspace: Workspace, keys: pd.DataFrame, as_of: dt.datetime | None = None
) -> pd.DataFrame:
    """``keys`` with ``approved_at`` (NaT: not approved) and ``approved_by`` of each."""
    keys = keys.reset_index(drop=True)
    at = pd.Series(pd.NaT, index=keys.index, dtype="datetime64[us]")
    by = pd.Series(None, index=keys.index, dtype=object)
    for event in approvals.events(workspace, as_of).itertuples(index=False):
        hit = covers(keys, event, workspace.partnership)
        approved = event.action == "approve"
        at[hit] = pd.Timestamp(event.at) if approved else pd.NaT
        by[hit] = event.by if approved else None
    return keys.assign(approved_at=at, approved_by=by)


def _as_they_stood(workspace: Workspace, keys: pd.DataFrame, instant: pd.Timestamp) -> pd.DataFrame:
    """The unpublished rows of ``keys`` as of one approval's moment (the one as-of path)."""
    from ci_measure.figures import current_cells  # the package's own reader

    codes = list(dict.fromkeys(keys["indicator"]))
    with current_cells(workspace, instant.to_pydatetime()) as (con, cells):
        rows = compute_indicators(con, cells, workspace.catalog, workspace.partnership, codes)
    return rows.astype({k: object for k in KEYS}).merge(keys[KEYS], on=KEYS)


def approved_figures(
    workspace: Workspace, rows: pd.DataFrame, as_of: dt.datetime | None = None
) -> pd.DataFrame:
    """For every row: its key's ``approved_at`` / ``approved_by`` and the figures as approved
    (``pending_approval`` and no numbers where nothing is approved)."""
    full = rows[FULL].astype(object).reset_index(drop=True)
    keys = standing(workspace, full[KEYS].drop_duplicates(), as_of)
    approved = keys[keys["approved_at"].notna()]
    then = [
        _as_they_stood(workspace, group, instant)
        for instant, group in approved.groupby("approved_at", sort=True)
    ]
    stood = (
        pd.concat(then, ignore_index=True)[[*FULL, *FIGURES]]
        if then
        else pd.DataFrame(columns=[*FULL, *FIGURES])
    )
    out = full.merge(keys, on=KEYS, how="left").merge(
        stood.astype({k: object for k in FULL}), on=FULL, how="left"
    )
    out["status"] = out["status"].fillna(PENDING)
    return out


def as_approved(
    workspace: Workspace, rows: pd.DataFrame, as_of: dt.datetime | None = None
) -> pd.DataFrame:
    """What may be published before suppression: with approval required, every key as of its
    latest approval (or pending); without, the rows as they are."""
    if not workspace.partnership.approval_required:
        return rows
    return approved_figures(workspace, rows, as_of)[list(rows.columns)]


def changed_since_approval(workspace: Workspace, rows: pd.DataFrame) -> pd.DataFrame:
    """Approved keys whose figures are not what was approved (a correction or a newly
    reported breakdown awaits approval): KEYS, approved_at, approved_by, rows changed."""
    both = approved_figures(workspace, rows)
    now = rows[FIGURES].reset_index(drop=True)
    differs = both["status"].ne(now["status"]).to_numpy()
    for column in FIGURES[:3]:
        a = pd.to_numeric(both[column], errors="coerce").to_numpy(dtype="float64")
        b = pd.to_numeric(now[column], errors="coerce").to_numpy(dtype="float64")
        differs |= ~((a == b) | (np.isnan(a) & np.isnan(b)))
    changed = both[both["approved_at"].notna().to_numpy() & differs]
    return (
        changed.groupby([*KEYS, "approved_at", "approved_by"], sort=False)
        .size()
        .rename("rows")
        .reset_index()
    )


def approve(
    workspace: Workspace,
    period: str,
    area: str | None = None,
    indicator: str | None = None,
    by: str | None = None,
    revoke: bool = False,
) -> tuple[dict, int]:
    """Record an approval (or revocation) of a period's figures; returns it and how many
    indicator × area keys it covers. Refused when there is nothing to approve or revoke."""
    from ci_measure.figures import indicator_rows  # the package's one computation

    period, area, indicator = _scope(workspace, period, area, indicator)
    rows = indicator_rows(workspace, indicator=indicator)
    keys = rows[KEYS].astype(object).drop_duplicates().reset_index(drop=True)
    scope = pd.DataFrame([(period, area, indicator)], columns=["period", "area", "indicator"])
    keys = keys[covers(keys, next(scope.itertuples(index=False)), workspace.partnership)]
    what_da, what_en = _describe(period, area, indicator)
    if revoke:
        keys = keys[standing(workspace, keys)["approved_at"].notna().to_numpy()]
        if keys.empty:
            raise usage_error(
                f"intet er godkendt for {what_da}", f"nothing is approved for {what_en}"
            )
    elif keys.empty:
        raise usage_error(
            f"ingen tal at godkende for {what_da}", f"no figures to approve for {what_en}"
        )
    action = "revoke" if revoke else "approve"
    event = approvals.record(
        workspace, action, period, area, indicator, by or approvals.default_by()
    )
    return event, len(keys)


def _scope(
    workspace: Workspace, period: str, area: str | None, indicator: str | None
) -> tuple[str, str | None, str | None]:
    """The canonical period, area and indicator codes; bilingual errors for unknown ones."""
    from ci_measure.figures import known_code, period_argument  # one wording for every command

    if area:
        area = known_code("area", area, [a.code for a in workspace.partnership.areas])
    if indicator:
        indicator = known_code("indicator", indicator, list(workspace.catalog.indicators))
    return period_argument(period), area, indicator


def _describe(period: str, area: str | None, indicator: str | None) -> tuple[str, str]:
    """The scope in words: '2024, område 0561 og områderne under det, alle indikatorer'."""
    da = [period, f"område {area} og områderne under det" if area else "alle områder"]
    en = [period, f"area {area} and the areas under it" if area else "all areas"]
    da.append(f"indikator {indicator}" if indicator else "alle indikatorer")
    en.append(f"indicator {indicator}" if indicator else "all indicators")
    return ", ".join(da), ", ".join(en)
