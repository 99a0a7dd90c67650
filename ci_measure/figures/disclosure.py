"""SPEC §7.6: disclosure control for published output — primary and secondary suppression.

Only indicators whose numerator and denominator (if any) count persons are touched.

*Primary*: a row whose numbers are published (status ``ok`` or ``undefined``) is suppressed
when its numerator, its denominator or their difference is between 1 and threshold−1.

*Secondary*: a row is *shown* when its numbers are published (``ok`` or ``undefined``, not
suppressed); a category row that does not exist, or is ``missing``/``incomplete``/
``missing_at_source``, is not shown. Wherever a shown total has exactly one suppressed
category under it, the smallest shown other category (by denominator, else numerator; ties
by category code) is suppressed too, or, when no other category is shown, the total. One
pass decides for every group from the state at the start of the pass; passes repeat until
one changes nothing. Dimensions: sex (M, F under _T), origin (DK, IMM, DESC under _T), the
children of an area under it, and quarters/months under their year when the numerator's or
the denominator's element is sub-annual with the ``sum`` time rule.

The (total, category) pairs are built once in DuckDB; each pass is a few numpy operations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ci_measure.config.model import (
    ORIGIN_PARTS,
    SEX_PARTS,
    TOTAL,
    Catalog,
    Partnership,
    sql_codes,
)
from ci_measure.errors import ConfigError
from ci_measure.warehouse import connection

SUB_ANNUAL = ("quarter", "month")
SHOWN = ("ok", "undefined")


def person_based(catalog: Catalog) -> list[str]:
    """The indicators disclosure control applies to: numerator and denominator count persons.

    Fails closed: an indicator whose element is not in the catalog cannot be shown to be safe,
    so nothing is published (a ConfigError) rather than publishing it unsuppressed.
    """
    out = []
    for code, ind in catalog.indicators.items():
        unknown = [
            d for d in (ind.numerator, ind.denominator) if d and d not in catalog.data_elements
        ]
        if unknown:
            raise ConfigError(
                f"indicator {code} uses the data element {unknown[0]}, which is not in the "
                "catalog: disclosure control cannot tell whether it counts persons, so nothing "
                "is published; add the data element to catalog.yaml or remove the indicator"
            )
        if catalog.is_person_based(ind):
            out.append(code)
    return out


def time_dimension(catalog: Catalog) -> list[str]:
    """Indicators with quarters/months under their year (a side sub-annual with `sum`)."""
    out = []
    for code, ind in catalog.indicators.items():
        sides = [catalog.data_elements.get(d) for d in (ind.numerator, ind.denominator) if d]
        if any(e and e.period_type in SUB_ANNUAL and e.time_rule == "sum" for e in sides):
            out.append(code)
    return out


def primary_mask(rows: pd.DataFrame, threshold: int) -> np.ndarray:
    """§7.6 primary: numerator, denominator or (denominator − numerator) in [1, threshold−1]."""
    num = rows["numerator"].to_numpy(dtype="float64", na_value=np.nan)
    den = rows["denominator"].to_numpy(dtype="float64", na_value=np.nan)

    def small(x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return (x >= 1) & (x <= threshold - 1)

    published = rows["status"].isin(SHOWN).to_numpy()
    return published & (small(num) | small(den) | small(den - num))


def _pairs(
    rows: pd.DataFrame, partnership: Partnership, time_indicators: list[str]
) -> pd.DataFrame:
    """(total row, category row, category code, size) for every dimension, sorted for picking."""
    frame = rows[["indicator", "area", "period", "sex", "origin"]].reset_index(drop=True)
    frame.insert(0, "rid", np.arange(len(rows), dtype="int64"))
    frame["size"] = (
        rows["denominator"].fillna(rows["numerator"]).to_numpy(dtype="float64", na_value=np.nan)
    )
    parents = pd.DataFrame(
        [(a.code, a.parent) for a in partnership.areas if a.parent],
        columns=["area", "parent"],
    )
    timed = pd.DataFrame({"indicator": pd.Series(time_indicators, dtype=object)})
    con = connection.connect()
    try:
        con.register("r", frame)
        con.register("parents", parents)
        con.register("timed", timed)
        return (
            con.sql(
                f"""
            SELECT * FROM (
                SELECT 0 AS dim, t.rid AS total, c.rid AS cat, c.sex AS code, c.size
                FROM r c JOIN r t USING (indicator, area, period, origin)
                WHERE c.sex IN ({sql_codes(SEX_PARTS)}) AND t.sex = '{TOTAL}'
                UNION ALL
                SELECT 1, t.rid, c.rid, c.origin, c.size
                FROM r c JOIN r t USING (indicator, area, period, sex)
                WHERE c.origin IN ({sql_codes(ORIGIN_PARTS)}) AND t.origin = '{TOTAL}'
                UNION ALL
                SELECT 2, t.rid, c.rid, c.area, c.size
                FROM r c JOIN parents p ON p.area = c.area
                JOIN r t ON t.area = p.parent AND t.indicator = c.indicator
                        AND t.period = c.period AND t.sex = c.sex AND t.origin = c.origin
                UNION ALL
                SELECT 3, t.rid, c.rid, c.period, c.size
                FROM r c JOIN timed USING (indicator)
                JOIN r t ON t.period = left(c.period, 4) AND t.indicator = c.indicator
                        AND t.area = c.area AND t.sex = c.sex AND t.origin = c.origin
                WHERE regexp_full_match(c.period, '\\d{{4}}-(Q[1-4]|0[1-9]|1[0-2])')
            )
            ORDER BY dim, total, size NULLS LAST, code
            """
            )
            .to_arrow_table()
            .to_pandas()
        )
    finally:
        con.close()


def secondary(shown: np.ndarray, suppressed: np.ndarray, pairs: pd.DataFrame) -> np.ndarray:
    """§7.6 secondary: repeat passes until no shown total has exactly one suppressed category."""
    suppressed = suppressed.copy()
    if pairs.empty:
        return suppressed
    dim = pairs["dim"].to_numpy()
    total = pairs["total"].to_numpy()
    cat = pairs["cat"].to_numpy()
    # group number per pair (pairs are sorted by dim, total, so groups are contiguous)
    starts = np.r_[True, (dim[1:] != dim[:-1]) | (total[1:] != total[:-1])]
    group = np.cumsum(starts) - 1
    group_total = total[starts]
    n_groups = len(group_total)
    while True:
        visible = shown & ~suppressed
        count = np.bincount(group, weights=suppressed[cat], minlength=n_groups)
        target = (count == 1) & visible[group_total]
        if not target.any():
            break
        candidate = target[group] & visible[cat]
        # first candidate of each group in (size, code) order: the smallest other category
        picked_groups, first = np.unique(group[candidate], return_index=True)
        new = cat[candidate][first]
        without = np.ones(n_groups, dtype=bool)
        without[picked_groups] = False
        new = np.concatenate([new, group_total[target & without]])
        if suppressed[new].all():
            break
        suppressed[new] = True
    return suppressed


def publish(rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> pd.DataFrame:
    """Published output (§7.6): suppressed rows get status ``suppressed`` and no numbers."""
    out = rows.reset_index(drop=True).copy()
    person = out["indicator"].isin(person_based(catalog)).to_numpy()
    if not person.any():
        return out
    sub = out[person].reset_index(drop=True)
    shown = sub["status"].isin(SHOWN).to_numpy()
    first = primary_mask(sub, partnership.suppression_threshold)
    pairs = _pairs(sub, partnership, time_dimension(catalog))
    suppressed = secondary(shown, first, pairs)
    index = np.flatnonzero(person)[suppressed]
    out.loc[index, ["numerator", "denominator", "value"]] = np.nan
    out.loc[index, "status"] = "suppressed"
    return out
