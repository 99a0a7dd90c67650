"""SPEC §7.3: derive v(d, area, period, sex, origin) for every key, set-based in DuckDB.

Every rule of §7.3 only consults keys of a strictly lower *rank*::

    rank = [sex = _T] + [origin = _T] + height(area) + [period is a year of a sub-annual element]

(height 0 for a leaf area, 1 + the greatest child height otherwise). So the domain is
computed rank by rank, lowest first, one INSERT per rank: the reported value (§7.3.1) and
the four candidate rules (sex 3.2, origin 3.3, area 3.4, time 3.5), each an aggregate over
the already computed lower-rank keys; the first rule that applies wins. The number of
statements depends on the area tree's height, never on the amount of data.

Only keys whose state is not ``missing`` are stored. That is exactly what is needed: a rule
applies when at least one of its parts is not ``missing``, so a key is not ``missing`` only
if it is reported or one of its parts is stored; pushing every stored part up to the key
that consults it finds all such keys. Counting the stored parts against the number of parts
a rule has (2 sexes, 3 origins, all children of the area, 4 quarters / 12 months, or the
single last sub-period) tells whether the sum exists.
"""

from __future__ import annotations

import uuid
from collections import Counter

import duckdb
import pandas as pd

from ci_measure.config.model import ORIGINS, SEXES, Catalog, Partnership
from ci_measure.config.periods import CANONICAL_PATTERNS

KEY = ["data_element", "area", "period", "sex", "origin"]
DERIVED_COLUMNS = [*KEY, "value", "state", "rule"]
# Rule priority (§7.3: first rule that applies) -> name shown in the `rule` column.
RULES = {1: "reported", 2: "sex", 3: "origin", 4: "area", 5: "time"}
SUB_PERIODS = {"quarter": (4, "-Q4"), "month": (12, "-12")}  # parts of a year, last suffix


def area_heights(partnership: Partnership) -> dict[str, int]:
    """height(area): 0 for a leaf, 1 + the greatest child height otherwise."""
    children: dict[str, list[str]] = {a.code: [] for a in partnership.areas}
    for a in partnership.areas:
        if a.parent in children:
            children[a.parent].append(a.code)
    heights: dict[str, int] = {}

    def height(code: str) -> int:
        if code not in heights:
            heights[code] = 1 + max((height(c) for c in children[code]), default=-1)
        return heights[code]

    for code in children:
        height(code)
    return heights


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """A query's result as a DataFrame, via Arrow (several times faster than ``.df()``)."""
    return con.sql(sql).to_arrow_table().to_pandas()


def temp_name(stem: str) -> str:
    return f"_cm_{stem}_{uuid.uuid4().hex[:10]}"


def load_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, types: str) -> None:
    """A small Python table as a typed temp table (types: the column list of CREATE TABLE)."""
    con.execute(f"CREATE TEMP TABLE {name} ({types})")
    if len(frame):
        view = temp_name("src")
        con.register(view, frame)
        try:
            con.execute(f"INSERT INTO {name} SELECT * FROM {view}")
        finally:
            con.unregister(view)


class Derivation:
    """Temp tables holding the derived values of some data elements; drop() when done.

    ``self.table`` has the columns of DERIVED_COLUMNS plus ``rank``: every key whose state
    is ``value``, ``missing_at_source`` or ``incomplete``.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        cells: str,
        catalog: Catalog,
        partnership: Partnership,
        data_elements: list[str] | None = None,
    ) -> None:
        self.con = con
        self.elements = temp_name("elements")
        self.areas = temp_name("areas")
        self.reported = temp_name("reported")
        self.table = temp_name("derived")
        try:
            self._build(cells, catalog, partnership, data_elements)
        except BaseException:
            self.drop()
            raise

    def drop(self) -> None:
        for name in (self.elements, self.areas, self.reported, self.table):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def _build(
        self,
        cells: str,
        catalog: Catalog,
        partnership: Partnership,
        data_elements: list[str] | None,
    ) -> None:
        codes = (
            list(catalog.data_elements)
            if data_elements is None
            else list(dict.fromkeys(data_elements))
        )
        elements = pd.DataFrame(
            [
                (
                    d.code,
                    CANONICAL_PATTERNS[d.period_type],
                    d.time_rule,
                    d.period_type in SUB_PERIODS,
                    SUB_PERIODS.get(d.period_type, (0, ""))[0] if d.time_rule == "sum" else 1,
                    SUB_PERIODS.get(d.period_type, (0, ""))[1],
                )
                for d in (catalog.data_elements[c] for c in codes if c in catalog.data_elements)
            ],
            columns=["data_element", "pattern", "time_rule", "sub_annual", "n_sub", "last_suffix"],
        )
        load_table(
            self.con,
            self.elements,
            elements,
            "data_element VARCHAR, pattern VARCHAR, time_rule VARCHAR, sub_annual BOOLEAN,"
            " n_sub INTEGER, last_suffix VARCHAR",
        )
        heights = area_heights(partnership)
        n_children = Counter(a.parent for a in partnership.areas if a.parent)
        areas = pd.DataFrame(
            [(a.code, a.parent, heights[a.code], n_children[a.code]) for a in partnership.areas],
            columns=["area", "parent", "height", "n_children"],
        )
        load_table(
            self.con,
            self.areas,
            areas,
            "area VARCHAR, parent VARCHAR, height INTEGER, n_children INTEGER",
        )
        self._reported(cells)
        self.con.execute(
            f"CREATE TEMP TABLE {self.table} (data_element VARCHAR, area VARCHAR, period VARCHAR,"
            " sex VARCHAR, origin VARCHAR, value DOUBLE, state VARCHAR, rule VARCHAR, rank INTEGER)"
        )
        top = 2 + max(heights.values(), default=0) + int(elements["sub_annual"].any())
        for rank in range(top + 1):
            self.con.execute(self._rank_sql(rank))

    def _reported(self, cells: str) -> None:
        """§7.3.1 input: the usable reported cells (known element, area, codes, period type)."""
        sexes = ", ".join(f"'{s}'" for s in SEXES)
        origins = ", ".join(f"'{o}'" for o in ORIGINS)
        self.con.execute(
            f"""
            CREATE TEMP TABLE {self.reported} AS
            WITH periods AS (  -- the element's own period type only (few distinct periods)
                SELECT data_element, period
                FROM (SELECT DISTINCT data_element, period FROM {cells})
                JOIN {self.elements} e USING (data_element)
                WHERE regexp_full_match(period, e.pattern)
            ),
            c AS (
                SELECT c.data_element, c.area, c.period, c.sex, c.origin,
                       coalesce(c.missing_at_source, false) OR c.value IS NULL AS mas, c.value,
                       a.height
                FROM {cells} c
                JOIN periods p ON p.data_element = c.data_element AND p.period = c.period
                JOIN {self.areas} a ON a.area = c.area
                WHERE c.sex IN ({sexes}) AND c.origin IN ({origins})
            )
            SELECT data_element, area, period, sex, origin,
                   CASE WHEN mas THEN NULL ELSE value END AS value,
                   CASE WHEN mas THEN 'missing_at_source' ELSE 'value' END AS state,
                   (sex = '_T')::INTEGER + (origin = '_T')::INTEGER + height AS rank
            FROM c
            """
        )

    def _rank_sql(self, rank: int) -> str:
        """One statement: all keys of this rank, first applicable rule of §7.3 per key."""
        v, a, e = self.table, self.areas, self.elements
        rule_names = " ".join(f"WHEN {p} THEN '{n}'" for p, n in RULES.items())
        return f"""
        INSERT INTO {v}
        WITH parts AS (
            -- 3.2 sex: the parts of (…, _T, origin) are M and F
            SELECT data_element, area, period, '_T' AS sex, origin, 2 AS prio, 2 AS n_parts,
                   value, state
            FROM {v} WHERE sex <> '_T' AND rank + 1 = {rank}
            UNION ALL
            -- 3.3 origin: the parts of (…, sex, _T) are DK, IMM and DESC
            SELECT data_element, area, period, sex, '_T', 3, 3, value, state
            FROM {v} WHERE origin <> '_T' AND rank + 1 = {rank}
            UNION ALL
            -- 3.4 area: the parts of a parent are all of its children in the partnership
            SELECT x.data_element, c.parent, x.period, x.sex, x.origin, 4, p.n_children,
                   x.value, x.state
            FROM {v} x JOIN {a} c ON c.area = x.area JOIN {a} p ON p.area = c.parent
            WHERE x.rank - c.height + p.height = {rank}
            UNION ALL
            -- 3.5 time: a year of a sub-annual element; `sum` of all sub-periods, `last` alone
            SELECT x.data_element, x.area, left(x.period, 4), x.sex, x.origin, 5, e.n_sub,
                   x.value, x.state
            FROM {v} x JOIN {e} e ON e.data_element = x.data_element
            WHERE e.sub_annual AND length(x.period) > 4 AND x.rank + 1 = {rank}
              AND (e.time_rule = 'sum' OR x.period = left(x.period, 4) || e.last_suffix)
        ),
        candidates AS (
            SELECT data_element, area, period, sex, origin, 1 AS prio, value, state
            FROM {self.reported} WHERE rank = {rank}
            UNION ALL
            -- a rule applies when at least one part is not missing (only those are stored);
            -- the sum exists only when every part has a value
            SELECT data_element, area, period, sex, origin, prio,
                   CASE WHEN count(*) FILTER (WHERE state = 'value') = any_value(n_parts)
                        THEN sum(value) END,
                   CASE WHEN count(*) FILTER (WHERE state = 'value') = any_value(n_parts)
                             THEN 'value'
                        WHEN bool_or(state = 'missing_at_source') THEN 'missing_at_source'
                        ELSE 'incomplete' END
            FROM parts GROUP BY data_element, area, period, sex, origin, prio
        )
        SELECT data_element, area, period, sex, origin, value, state,
               CASE prio {rule_names} END, {rank}
        FROM candidates
        QUALIFY row_number() OVER (PARTITION BY data_element, area, period, sex, origin
                                   ORDER BY prio) = 1
        """


def derive_values(
    con: duckdb.DuckDBPyConnection,
    cells: str,
    catalog: Catalog,
    partnership: Partnership,
    data_elements: list[str] | None = None,
) -> pd.DataFrame:
    """§7.3 for the whole domain: every key whose state is not ``missing``, with its rule.

    Columns: data_element, area, period, sex, origin, value, state
    ('value' | 'missing_at_source' | 'incomplete'), rule ('reported' | 'sex' | 'origin' |
    'area' | 'time'). Sorted by the columns of the key.
    """
    derivation = Derivation(con, cells, catalog, partnership, data_elements)
    try:
        cols = ", ".join(DERIVED_COLUMNS)
        return fetch_frame(con, f"SELECT {cols} FROM {derivation.table} ORDER BY ALL")
    finally:
        derivation.drop()
