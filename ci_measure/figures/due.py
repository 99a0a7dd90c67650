"""Which `missing` rows are worth showing: the ones somebody owes (issue 21).

A row is `missing` when one side of its indicator has a value and the other has none. Where
no partner is responsible for the indicator's data elements in the area or in any area under
it (CO₂ per resident for a school district, say), nobody ever will report it: such a row is
no gap, only noise. Every other row exists or is due. A side that has a value was reported
in the area or under it, so "every element is promised there" says that the missing side is.
"""

from __future__ import annotations

import pandas as pd

from ci_measure.config.model import Catalog, Partnership


def elements_of(catalog: Catalog, indicator: str) -> list[str]:
    found = catalog.indicators[indicator]
    return [e for e in (found.numerator, found.denominator) if e]


def keep_due(rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> pd.DataFrame:
    """The rows that exist or are due: all but the `missing` rows nobody owes."""
    missing = rows["status"] == "missing"
    if not missing.any():
        return rows
    keep = ~missing
    for code in rows.loc[missing, "indicator"].unique():
        due = partnership.due_areas(elements_of(catalog, code))
        keep |= missing & (rows["indicator"] == code) & rows["area"].isin(due)
    return rows[keep]
