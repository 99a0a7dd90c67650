"""Can the figures be trusted? Findings across the whole warehouse, as DataFrames.

Each function returns one row per finding (empty = all good). Dagster's asset checks and
`ci-measure status` wrap these; nothing here knows about either.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from ci_measure.config import periods
from ci_measure.config.model import ORIGIN_PARTS, SEX_PARTS, TOTAL, Workspace, sql_codes
from ci_measure.figures import disclosure

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


def _delivered(con: duckdb.DuckDBPyConnection, cells: str, keys: pd.DataFrame) -> np.ndarray:
    """THE rule of "delivered", used by ``ci-measure status``, the completeness and timeliness
    checks and the scorecard's completeness grid alike.

    A promised cell (data element, area, sex, origin) is delivered for a period when the
    current cells hold exactly that key for it — a value or a missing-at-source marker. A
    breakdown does not deliver a promised total (M and F are not the promised _T), nor a total
    its breakdown. ``keys`` has those five columns (period None: never delivered); returns one
    bool per row, in order.
    """
    if keys.empty:
        return np.zeros(0, dtype=bool)
    frame = pd.DataFrame(
        {
            "data_element": keys["data_element"].astype(object).to_numpy(),
            "area": keys["area"].astype(object).to_numpy(),
            "sex": keys["sex"].astype(object).to_numpy(),
            "origin": keys["origin"].astype(object).to_numpy(),
            "period": [p if isinstance(p, str) else None for p in keys["period"]],
            "_row": np.arange(len(keys)),
        }
    )
    con.register("_promised", frame)
    try:
        found = con.execute(
            f"""
            SELECT w._row, w.period IS NOT NULL AND EXISTS (
                SELECT 1 FROM {cells} h
                WHERE h.data_element = w.data_element AND h.area = w.area
                  AND h.period = CAST(w.period AS VARCHAR) AND h.sex = w.sex
                  AND h.origin = w.origin
            ) AS delivered
            FROM _promised w ORDER BY w._row
            """
        ).fetchnumpy()
    finally:
        con.unregister("_promised")
    return np.asarray(found["delivered"], dtype=bool)


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
    missing = ~_delivered(con, cells, wanted.assign(period=wanted["latest_period"]))
    missing &= wanted["latest_period"].notna().to_numpy()
    late = ~_delivered(con, cells, wanted.assign(period=wanted["due_period"]))
    state = np.where(missing, "missing", np.where(late, "late", "delivered")).astype(object)
    wanted["state"] = pd.Series(state, index=wanted.index, dtype=object)
    return wanted


def completeness(con: duckdb.DuckDBPyConnection, cells: str, workspace: Workspace) -> pd.DataFrame:
    """Per partner × data element × period in which the element was reported by anyone: how
    many promised cells the partner delivered (the rule of ``delivery_status``) and how many
    it promised. Columns: partner, data_element, period_type, period, delivered, promised."""
    columns = ["partner", "data_element", "period_type", "period", "delivered", "promised"]
    wanted = _responsibilities(workspace)
    present = con.execute(f"SELECT DISTINCT data_element, period FROM {cells}").df()
    keys = wanted.merge(present.astype(object), on="data_element", how="inner")
    if keys.empty:
        return pd.DataFrame(columns=columns)
    keys["delivered"] = _delivered(con, cells, keys).astype(int)
    keys["promised"] = 1
    grid = keys.groupby(["partner", "data_element", "period"], sort=False, as_index=False)[
        ["delivered", "promised"]
    ].sum()
    types = {c: d.period_type for c, d in workspace.catalog.data_elements.items()}
    grid["period_type"] = grid["data_element"].map(types)
    return grid[columns]


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
                SELECT 'sex' AS dimension, data_element, area, period, '{TOTAL}' AS sex, origin,
                       sum(value) AS parts_sum, count(value) AS n, {len(SEX_PARTS)} AS expected
                FROM {cells} WHERE sex IN ({sql_codes(SEX_PARTS)}) GROUP BY ALL
                UNION ALL
                SELECT 'origin', data_element, area, period, sex, '{TOTAL}',
                       sum(value), count(value), {len(ORIGIN_PARTS)}
                FROM {cells} WHERE origin IN ({sql_codes(ORIGIN_PARTS)}) GROUP BY ALL
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


KEY = ["indicator", "area", "period", "sex", "origin"]
SUPPRESSION_COLUMNS = [*KEY, "problem"]


def suppression_findings(
    unpublished: pd.DataFrame, published: pd.DataFrame, workspace: Workspace
) -> pd.DataFrame:
    """SPEC §7.6's promise, verified on the published output itself, whatever produced it.

    From the unpublished rows, every row the primary rule hits must be suppressed in the
    published ones (``primary``); a suppressed row shows no number (``shows_numbers``); and no
    shown total has exactly one suppressed category under it (``one_suppressed_category``: the
    key is the total's). The primary rule is ``disclosure``'s (one definition); the secondary
    promise is checked here on its own, group by group, so a fault in ``publish`` shows.
    """
    findings = [
        _primary_not_suppressed(unpublished, published, workspace),
        _suppressed_with_numbers(published),
        _one_suppressed_category(published, workspace),
    ]
    return pd.concat(findings, ignore_index=True)[SUPPRESSION_COLUMNS]


def _keys(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.astype({k: object for k in KEY}).reset_index(drop=True)


def _primary_not_suppressed(
    unpublished: pd.DataFrame, published: pd.DataFrame, workspace: Workspace
) -> pd.DataFrame:
    rows = _keys(unpublished)
    person = rows["indicator"].isin(disclosure.person_based(workspace.catalog)).to_numpy()
    hit = rows[person & disclosure.primary_mask(rows, workspace.partnership.suppression_threshold)]
    both = hit[KEY].merge(_keys(published)[[*KEY, "status"]], on=KEY, how="inner")
    return both[both["status"] != "suppressed"][KEY].assign(problem="primary")


def _suppressed_with_numbers(published: pd.DataFrame) -> pd.DataFrame:
    rows = _keys(published)
    numbers = rows[["numerator", "denominator", "value"]].notna().any(axis=1)
    return rows[(rows["status"] == "suppressed") & numbers][KEY].assign(problem="shows_numbers")


def _one_suppressed_category(published: pd.DataFrame, workspace: Workspace) -> pd.DataFrame:
    """Shown totals with exactly one suppressed category, in each dimension of §7.6."""
    rows = _keys(published)
    gone = rows[rows["status"] == "suppressed"]
    parents = {a.code: a.parent for a in workspace.partnership.areas if a.parent}
    timed = gone["indicator"].isin(disclosure.time_dimension(workspace.catalog))
    sub_annual = gone["period"].map(lambda p: periods.period_type(p) in ("quarter", "month"))
    totals = pd.concat(
        [  # each suppressed category, keyed by the total it lies under
            gone[gone["sex"].isin(SEX_PARTS)].assign(sex=TOTAL, dimension="sex"),
            gone[gone["origin"].isin(ORIGIN_PARTS)].assign(origin=TOTAL, dimension="origin"),
            gone.assign(area=gone["area"].map(parents), dimension="area").dropna(subset=["area"]),
            gone[timed & sub_annual].assign(period=gone["period"].str[:4], dimension="time"),
        ],
        ignore_index=True,
    )
    counts = totals.groupby(["dimension", *KEY], as_index=False).size()
    lonely = counts[counts["size"] == 1]
    shown = rows[rows["status"].isin(disclosure.SHOWN)][KEY]
    found = lonely.merge(shown, on=KEY, how="inner")[KEY].drop_duplicates()
    return found.assign(problem="one_suppressed_category")
