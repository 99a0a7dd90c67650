"""SPEC §7.4–7.5: indicator rows from the derived values of §7.3 (see ``derive.py``).

A row exists for every indicator × area × period × sex × origin where the numerator or the
denominator is not ``missing``: the full outer join of the two sides' derived values (which
hold exactly the non-missing keys, within the periods each element was reported in, plus
the years of sub-annual ones). Ratio of sums (§7.4): the value is computed from the derived
numerator and denominator of the row, never from other rows' rates.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ci_measure.config import periods
from ci_measure.config.model import ORIGINS, SEXES, Catalog, Partnership
from ci_measure.figures.derive import Derivation, derive_values, fetch_frame, load_table, temp_name

__all__ = ["COLUMNS", "compute_indicators", "derive_values"]

COLUMNS = [
    "indicator",
    "area",
    "period",
    "sex",
    "origin",
    "numerator",
    "denominator",
    "value",
    "status",
]

# §7.5 ordering: periods chronologically, as config/periods.sort_key orders them.
_PERIOD_ORDER = periods.order_sql("r.period")


def _order_case(column: str, codes: tuple[str, ...]) -> str:
    whens = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(codes))
    return f"CASE {column} {whens} END"


def compute_indicators(
    con: duckdb.DuckDBPyConnection,
    cells: str,
    catalog: Catalog,
    partnership: Partnership,
    indicators: list[str] | None = None,
) -> pd.DataFrame:
    """The unpublished rows of §7.5 for the given indicators (default: all, catalog order).

    ``cells``: a table/view in ``con`` with the current reported cells (data_element, area,
    period, sex, origin, value, missing_at_source). Returns COLUMNS; status is ``ok``,
    ``undefined`` (denominator 0: numerator and denominator shown, value empty), or else the
    first of ``missing_at_source``, ``incomplete``, ``missing`` that either side has.
    ``undefined`` needs a numerator value: a zero denominator over a numerator that is not
    there is that numerator's state. Rows are ordered by indicator (catalog order), area
    (partnership order), period (chronological), sex (M, F, _T), origin (DK, IMM, DESC, _T).
    """
    codes = list(catalog.indicators) if indicators is None else list(dict.fromkeys(indicators))
    chosen = [catalog.indicators[c] for c in codes]
    elements = [e for i in chosen for e in (i.numerator, i.denominator) if e]
    derivation = Derivation(con, cells, catalog, partnership, elements)
    table, result = temp_name("indicators"), temp_name("rows")
    try:
        frame = pd.DataFrame(
            [
                (i.code, n, i.numerator, i.denominator, float(i.multiplier))
                for n, i in enumerate(chosen)
            ],
            columns=["indicator", "ord", "numerator", "denominator", "multiplier"],
        )
        load_table(
            con,
            table,
            frame,
            "indicator VARCHAR, ord INTEGER, numerator VARCHAR, denominator VARCHAR, multiplier DOUBLE",
        )
        area_order = pd.DataFrame(
            [(a.code, n) for n, a in enumerate(partnership.areas)], columns=["area", "area_ord"]
        )
        areas = temp_name("area_order")
        load_table(con, areas, area_order, "area VARCHAR, area_ord INTEGER")
        try:
            con.execute(
                f"CREATE TEMP TABLE {result} AS {_rows_sql(derivation.table, table, areas)}"
            )
        finally:
            con.execute(f"DROP TABLE IF EXISTS {areas}")
        # The derived values are let go before the rows are fetched: at a million cells
        # they hold as much memory as the fetched rows (the peak was both at once).
        derivation.drop()
        return fetch_frame(con, f"SELECT * FROM {result}")  # in the rows' order (inserted so)
    finally:
        for name in (table, result):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        derivation.drop()


def _rows_sql(derived: str, indicators: str, areas: str) -> str:
    key = "indicator, area, period, sex, origin"
    return f"""
    WITH num AS (
        SELECT i.indicator, v.area, v.period, v.sex, v.origin, v.value, v.state
        FROM {indicators} i JOIN {derived} v ON v.data_element = i.numerator
    ),
    den AS (
        SELECT i.indicator, v.area, v.period, v.sex, v.origin, v.value, v.state
        FROM {indicators} i JOIN {derived} v ON v.data_element = i.denominator
    ),
    joined AS (
        SELECT {key}, num.value AS nv, coalesce(num.state, 'missing') AS ns,
               den.value AS dv, coalesce(den.state, 'missing') AS ds
        FROM num FULL OUTER JOIN den USING ({key})
    ),
    rated AS (
        SELECT j.*, i.ord, i.multiplier, i.denominator IS NOT NULL AS has_den,
               CASE WHEN j.ns = 'value' AND i.denominator IS NULL THEN 'ok'
                    WHEN j.ns = 'value' AND j.ds = 'value' AND j.dv = 0 THEN 'undefined'
                    WHEN j.ns = 'value' AND j.ds = 'value' THEN 'ok'
                    WHEN 'missing_at_source' IN (j.ns, j.ds) THEN 'missing_at_source'
                    WHEN 'incomplete' IN (j.ns, j.ds) THEN 'incomplete'
                    ELSE 'missing' END AS status
        FROM joined j JOIN {indicators} i USING (indicator)
    )
    SELECT r.indicator, r.area, r.period, r.sex, r.origin,
           CASE WHEN status IN ('ok', 'undefined') THEN nv END AS numerator,
           CASE WHEN status IN ('ok', 'undefined') AND has_den THEN dv END AS denominator,
           CASE WHEN status = 'ok' AND has_den THEN multiplier * nv / dv
                WHEN status = 'ok' THEN multiplier * nv END AS value,
           status
    FROM rated r LEFT JOIN {areas} a USING (area)
    ORDER BY ord, a.area_ord, r.area, {_PERIOD_ORDER},
             {_order_case("r.sex", SEXES)}, {_order_case("r.origin", ORIGINS)}
    """
