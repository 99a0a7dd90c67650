"""Can the figures be trusted? Findings across the whole warehouse, as DataFrames.

Each function returns one row per finding (empty = all good). Dagster's asset checks and
`ci-measure status` wrap these; nothing here knows about either.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from ci_measure import periods
from ci_measure.model import Workspace

# A period is due a year after it ends: register figures (e.g. 15-month transitions) arrive late.
GRACE_DAYS = 365


def _responsibilities(workspace: Workspace) -> pd.DataFrame:
    rows = [
        (p.code, d, a, s, o)
        for p in workspace.partnership.partners
        for assignment in p.reports
        for d in assignment.data_elements
        for a in assignment.areas
        for s in assignment.sex
        for o in assignment.origin
    ]
    return pd.DataFrame(
        rows, columns=["partner", "data_element", "area", "sex", "origin"], dtype=object
    )


def latest_periods(con: duckdb.DuckDBPyConnection, cells: str) -> dict[str, str]:
    """The latest period each data element has been reported for, by anyone."""
    found: dict[str, list[str]] = {}
    for element, period in con.execute(
        f"SELECT DISTINCT data_element, period FROM {cells}"
    ).fetchall():
        found.setdefault(element, []).append(period)
    return {e: max(ps, key=periods.sort_key) for e, ps in found.items()}


def due_period(period_type: str, today: dt.date, grace_days: int = GRACE_DAYS) -> str:
    """The most recent period of a type that ended at least ``grace_days`` ago."""
    year = today.year
    candidates = {
        "year": [str(y) for y in range(year - 2, year + 1)],
        "school_year": [f"{y}/{(y + 1) % 100:02d}" for y in range(year - 3, year + 1)],
        "quarter": [f"{y}-Q{q}" for y in range(year - 2, year + 1) for q in range(1, 5)],
        "month": [f"{y}-{m:02d}" for y in range(year - 2, year + 1) for m in range(1, 13)],
    }[period_type]
    done = [p for p in candidates if periods.end_date(p) + dt.timedelta(days=grace_days) <= today]
    return max(done, key=periods.sort_key)


def delivery_status(
    con: duckdb.DuckDBPyConnection, cells: str, workspace: Workspace, today: dt.date | None = None
) -> pd.DataFrame:
    """Per partner × data element × area × breakdown: the latest period reported anywhere and
    the period due by now, and whether this partner delivered each (`delivered`/`missing`/`late`)."""
    today = today or dt.date.today()
    wanted = _responsibilities(workspace)
    if wanted.empty:
        return wanted.assign(period=[], state=[])
    latest = latest_periods(con, cells)
    types = {c: d.period_type for c, d in workspace.catalog.data_elements.items()}
    wanted["latest_period"] = wanted["data_element"].map(latest)
    due = {e: due_period(types[e], today) for e in set(wanted["data_element"])}
    wanted["due_period"] = wanted["data_element"].map(due)
    # Set-based: two anti-joins in DuckDB instead of a Python loop over every promised cell.
    keys = wanted[["data_element", "area", "sex", "origin", "due_period"]].assign(
        latest_period=[p if isinstance(p, str) else None for p in wanted["latest_period"]],
        _row=range(len(wanted)),
    )
    con.register("_wanted", keys)
    try:
        found = con.execute(
            f"""
            WITH have AS (
                SELECT DISTINCT data_element, area, period, sex, origin FROM {cells}
            )
            SELECT w._row,
                   w.latest_period IS NOT NULL AND NOT EXISTS (
                       SELECT 1 FROM have h
                       WHERE h.data_element = w.data_element AND h.area = w.area
                         AND h.period = CAST(w.latest_period AS VARCHAR) AND h.sex = w.sex AND h.origin = w.origin
                   ) AS is_missing,
                   NOT EXISTS (
                       SELECT 1 FROM have h
                       WHERE h.data_element = w.data_element AND h.area = w.area
                         AND h.period = w.due_period AND h.sex = w.sex AND h.origin = w.origin
                   ) AS is_late
            FROM _wanted w ORDER BY w._row
            """
        ).fetchnumpy()
    finally:
        con.unregister("_wanted")
    missing = np.asarray(found["is_missing"], dtype=bool)
    late = np.asarray(found["is_late"], dtype=bool)
    state = np.where(missing, "missing", np.where(late, "late", "delivered")).astype(object)
    wanted["state"] = pd.Series(state, index=wanted.index, dtype=object)
    return wanted


def rule_violations(
    con: duckdb.DuckDBPyConnection, cells: str, workspace: Workspace
) -> pd.DataFrame:
    """part ≤ whole (SPEC §5) across partners' figures in the warehouse."""
    frames = []
    for rule in workspace.catalog.rules:
        frames.append(
            con.execute(
                f"""
                SELECT ? AS part, ? AS whole, p.area, p.period, p.sex, p.origin,
                       p.value AS part_value, w.value AS whole_value
                FROM {cells} p JOIN {cells} w USING (area, period, sex, origin)
                WHERE p.data_element = ? AND w.data_element = ? AND p.value > w.value
                """,
                [rule.part, rule.whole, rule.part, rule.whole],
            ).df()
        )
    columns = ["part", "whole", "area", "period", "sex", "origin", "part_value", "whole_value"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def total_mismatches(
    con: duckdb.DuckDBPyConnection, cells: str, workspace: Workspace
) -> pd.DataFrame:
    """Reported totals that differ from the sum of their reported parts (sex, origin, child areas).

    Only where every part is reported with a value: a total over incomplete parts is no mismatch.
    """
    areas = pd.DataFrame(
        [(a.code, a.parent) for a in workspace.partnership.areas if a.parent],
        columns=["child", "parent"],
    )
    con.register(
        "area_tree", areas if len(areas) else pd.DataFrame({"child": ["\0"], "parent": ["\0"]})
    )
    try:
        return con.execute(
            f"""
            WITH parts AS (
                SELECT 'sex' AS dimension, data_element, area, period, '_T' AS sex, origin,
                       sum(value) AS parts_sum, count(value) AS n, 2 AS expected
                FROM {cells} WHERE sex IN ('M', 'F') GROUP BY ALL
                UNION ALL
                SELECT 'origin', data_element, area, period, sex, '_T',
                       sum(value), count(value), 3
                FROM {cells} WHERE origin IN ('DK', 'IMM', 'DESC') GROUP BY ALL
                UNION ALL
                SELECT 'area', c.data_element, t.parent, c.period, c.sex, c.origin,
                       sum(c.value), count(c.value),
                       (SELECT count(*) FROM area_tree t2 WHERE t2.parent = t.parent)
                FROM {cells} c JOIN area_tree t ON t.child = c.area GROUP BY ALL
            )
            SELECT p.dimension, p.data_element, p.area, p.period, p.sex, p.origin,
                   t.value AS reported_total, p.parts_sum
            FROM parts p JOIN {cells} t USING (data_element, area, period, sex, origin)
            WHERE p.n = p.expected AND t.value IS NOT NULL AND abs(t.value - p.parts_sum) > 1e-9
            ORDER BY ALL
            """
        ).df()
    finally:
        con.unregister("area_tree")


def outliers(rows: pd.DataFrame, factor: float = 1.5) -> pd.DataFrame:
    """Indicator values that jump by more than ``factor`` (up or down) from the same period a
    year before (2024-Q3 against 2023-Q3), so that a season (a summer closure) is no outlier."""
    ok = rows[(rows["status"] == "ok") & rows["value"].notna()].astype({"period": object}).copy()
    if ok.empty:
        return ok.assign(previous_period=[], previous_value=[], ratio=[])
    keys = ["indicator", "area", "sex", "origin"]
    before = {p: periods.year_before(p) for p in set(ok["period"])}  # once per period
    ok["previous_period"] = ok["period"].map(before)
    earlier = ok[[*keys, "period", "value"]].rename(
        columns={"period": "previous_period", "value": "previous_value"}
    )
    both = ok.merge(earlier, on=[*keys, "previous_period"], how="inner")
    both = both[(both["previous_value"] > 0) & (both["value"] > 0)].copy()
    both["ratio"] = both["value"] / both["previous_value"]
    jumps = both[(both["ratio"] > factor) | (both["ratio"] < 1 / factor)]
    order = jumps["period"].map(periods.sort_key)
    return (
        jumps.assign(_order=order)
        .sort_values([*keys, "_order"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def unsuppressed_small_counts(published: pd.DataFrame, workspace: Workspace) -> pd.DataFrame:
    """Published person-based rows that still show a count between 1 and threshold-1."""
    threshold = workspace.partnership.suppression_threshold
    person = {
        c for c, i in workspace.catalog.indicators.items() if workspace.catalog.is_person_based(i)
    }
    shown = published[
        published["indicator"].isin(person) & (published["status"].isin(["ok", "undefined"]))
    ]
    small = lambda s: s.notna() & (s >= 1) & (s <= threshold - 1)  # noqa: E731
    difference = shown["denominator"] - shown["numerator"]
    bad = (
        small(shown["numerator"])
        | small(shown["denominator"])
        | (shown["denominator"].notna() & small(difference))
    )
    return shown[bad].reset_index(drop=True)
