"""SPEC §7.3–7.5 with numbers computed by hand (comments show the arithmetic)."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from ci_measure.config.model import Catalog
from ci_measure.figures.compute import COLUMNS, compute_indicators, derive_values
from ci_measure.figures.disclosure import publish
from tests.ci_measure.figures.reference import (
    WORKED_AREAS,
    cell,
    element,
    indicator,
    load_cells,
    partnership,
    spec_catalog,
    worked_example_cells,
)

TREE = [("P", None), ("A", "P"), ("B", "P")]  # P has two children, A and B


def compute(cells, areas=TREE, catalog: Catalog | None = None, indicators=None, threshold=5):
    catalog = catalog or spec_catalog()
    p = partnership(areas, threshold)
    con = duckdb.connect()
    rows = compute_indicators(con, load_cells(con, cells), catalog, p, indicators)
    return rows, publish(rows, catalog, p)


def derive(cells, areas=TREE, catalog: Catalog | None = None, elements=None) -> pd.DataFrame:
    con = duckdb.connect()
    return derive_values(
        con, load_cells(con, cells), catalog or spec_catalog(), partnership(areas), elements
    )


def get(rows: pd.DataFrame, ind: str, area: str, period: str, sex="_T", origin="_T") -> dict | None:
    hit = rows[
        (rows.indicator == ind)
        & (rows.area == area)
        & (rows.period == period)
        & (rows.sex == sex)
        & (rows.origin == origin)
    ]
    assert len(hit) <= 1
    return None if hit.empty else hit.iloc[0].to_dict()


def figures(row: dict) -> tuple:
    """(numerator, denominator, value, status) with NaN as None and value rounded."""

    def clean(x):
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 3)

    return clean(row["numerator"]), clean(row["denominator"]), clean(row["value"]), row["status"]


# ---------------------------------------------------------------- the worked example of §7
WORKED_TABLE = [
    # indicator, area, period, sex, (num, den, value, status), published status
    ("UDD_OVERGANG", "0561-OST-N", "2023/24", "M", (34, 40, 85.0, "ok"), "suppressed"),
    ("UDD_OVERGANG", "0561-OST-N", "2023/24", "F", (35, 38, 92.105, "ok"), "suppressed"),
    ("UDD_OVERGANG", "0561-OST-N", "2023/24", "_T", (69, 78, 88.462, "ok"), "ok"),
    (
        "UDD_OVERGANG",
        "0561-OST-S",
        "2023/24",
        "_T",
        (None, None, None, "missing_at_source"),
        "missing_at_source",
    ),
    ("UDD_OVERGANG", "0561-OST", "2023/24", "_T", (None, None, None, "incomplete"), "incomplete"),
    ("UDD_OVERGANG", "0561", "2023/24", "_T", (None, None, None, "incomplete"), "incomplete"),
    ("INKL_DELTAGERE", "0561-OST-N", "2024-Q3", "_T", (3, None, 3, "ok"), "suppressed"),
    ("INKL_DELTAGERE", "0561-OST-N", "2024-Q2", "_T", (9, None, 9, "ok"), "suppressed"),
    ("INKL_DELTAGERE", "0561-OST-N", "2024", "_T", (39, None, 39, "ok"), "ok"),
    ("INKL_DELTAGERE", "0561-OST-S", "2024-Q3", "_T", (6, None, 6, "ok"), "suppressed"),
    ("INKL_DELTAGERE", "0561-OST-S", "2024-Q2", "_T", (8, None, 8, "ok"), "suppressed"),
    ("INKL_DELTAGERE", "0561-OST", "2024-Q3", "_T", (9, None, 9, "ok"), "ok"),
    ("INKL_DELTAGERE", "0561-OST-S", "2024", "_T", (None, None, None, "incomplete"), "incomplete"),
    ("INKL_DELTAGERE", "0561-OST", "2024", "_T", (None, None, None, "incomplete"), "incomplete"),
]


@pytest.mark.parametrize("ind, area, period, sex, expected, published", WORKED_TABLE)
def test_the_worked_example_of_spec_7(ind, area, period, sex, expected, published):
    rows, pub = compute(worked_example_cells(), WORKED_AREAS)
    assert figures(get(rows, ind, area, period, sex)) == expected
    shown = get(pub, ind, area, period, sex)
    assert shown["status"] == published
    if published == "suppressed":
        assert figures(shown)[:3] == (None, None, None)
    else:
        assert figures(shown) == expected


def test_worked_example_0561_ost_is_incomplete_by_the_sex_rule_first():
    # 0561-OST _T comes from the sex rule (3.2): M = N's 34 + S's missing M -> incomplete;
    # F likewise; so _T is incomplete, although the area rule would have met S's `..`.
    derived = derive(worked_example_cells(), WORKED_AREAS, elements=["ELEVER_UDD_15MD"])
    key = derived.set_index(["area", "period", "sex", "origin"])
    assert tuple(key.loc[("0561-OST", "2023/24", "_T", "_T"), ["state", "rule"]]) == (
        "incomplete",
        "sex",
    )
    assert tuple(key.loc[("0561-OST", "2023/24", "M", "_T"), ["state", "rule"]]) == (
        "incomplete",
        "area",
    )
    assert tuple(key.loc[("0561-OST-S", "2023/24", "_T", "_T"), ["state", "rule"]]) == (
        "missing_at_source",
        "reported",
    )
    # N's _T: 34 + 35 = 69 by the sex rule
    n = key.loc[("0561-OST-N", "2023/24", "_T", "_T")]
    assert (n["value"], n["state"], n["rule"]) == (69.0, "value", "sex")
    assert list(derived.columns) == [
        "data_element",
        "area",
        "period",
        "sex",
        "origin",
        "value",
        "state",
        "rule",
    ]


# ---------------------------------------------------------------- §7.3 rules by hand
def test_a_child_area_without_data_makes_the_parent_incomplete():
    cells = [cell("BEF_25_UDD", "A", "2024", 10), cell("BEF_25", "A", "2024", 20)]
    rows, _ = compute(cells)
    # A: 10 / 20 * 100 = 50; P = A + B, B has nothing -> the sum does not exist -> incomplete
    assert figures(get(rows, "UDD_FULDFOERT_25", "A", "2024")) == (10, 20, 50.0, "ok")
    assert figures(get(rows, "UDD_FULDFOERT_25", "P", "2024")) == (None, None, None, "incomplete")
    # B: every part missing -> no rule applies -> missing on both sides -> no row at all
    assert get(rows, "UDD_FULDFOERT_25", "B", "2024") is None


def test_a_source_suppressed_part_makes_the_sum_missing_at_source():
    three = [("P", None), ("A", "P"), ("B", "P"), ("C", "P")]
    cells = [
        cell("BEF_25_UDD", "A", "2024", None),  # `..`
        cell("BEF_25_UDD", "B", "2024", 7),
        # C has no numerator: the parts are mas, 7, missing -> mas wins over incomplete
        cell("BEF_25", "A", "2024", 30),
        cell("BEF_25", "B", "2024", 20),
        cell("BEF_25", "C", "2024", 10),
    ]
    rows, _ = compute(cells, three)
    # denominator P = 30 + 20 + 10 = 60 exists, numerator is mas -> row status mas, no figures
    assert figures(get(rows, "UDD_FULDFOERT_25", "P", "2024")) == (
        None,
        None,
        None,
        "missing_at_source",
    )
    assert figures(get(rows, "UDD_FULDFOERT_25", "A", "2024")) == (
        None,
        None,
        None,
        "missing_at_source",
    )
    # C: numerator missing, denominator 10 -> the first state either side has is `missing`
    assert figures(get(rows, "UDD_FULDFOERT_25", "C", "2024")) == (None, None, None, "missing")
    derived = derive(cells, three, elements=["BEF_25"]).set_index(["area", "sex", "origin"])
    assert derived.loc[("P", "_T", "_T"), "value"] == 60.0


def test_a_zero_denominator_is_undefined_with_numerator_and_denominator_shown():
    cells = [cell("BEF_25_UDD", "A", "2024", 0), cell("BEF_25", "A", "2024", 0)]
    rows, pub = compute(cells, [("A", None)])
    # 0 / 0: undefined; numerator 0 and denominator 0 are shown, value empty
    assert figures(get(rows, "UDD_FULDFOERT_25", "A", "2024")) == (0, 0, None, "undefined")
    # 0 is not between 1 and 4: nothing to suppress
    assert figures(get(pub, "UDD_FULDFOERT_25", "A", "2024")) == (0, 0, None, "undefined")


def test_a_quarter_missing_from_a_sum_year_makes_the_year_incomplete():
    cells = [cell("INKL_DELTAGERE", "A", f"2024-Q{q}", v) for q, v in ((1, 10), (2, 20), (3, 30))]
    rows, _ = compute(cells, [("A", None)], indicators=["INKL_DELTAGERE"])
    # 2024 = Q1 + Q2 + Q3 + Q4, Q4 missing -> incomplete
    assert figures(get(rows, "INKL_DELTAGERE", "A", "2024")) == (None, None, None, "incomplete")
    cells.append(cell("INKL_DELTAGERE", "A", "2024-Q4", 40))
    rows, _ = compute(cells, [("A", None)], indicators=["INKL_DELTAGERE"])
    # 10 + 20 + 30 + 40 = 100
    assert figures(get(rows, "INKL_DELTAGERE", "A", "2024")) == (100, None, 100, "ok")


def last_catalog() -> Catalog:
    """A quarterly stock (`last`): residents at the end of each quarter."""
    bef = element("BEF_KVT", "persons", "quarter", "last")
    return Catalog({"BEF_KVT": bef}, {"BEF_KVT": indicator("BEF_KVT", "BEF_KVT", None, 1)})


def test_the_last_time_rule_takes_q4_alone():
    """§7.3.5 `last`: the year is the last sub-period alone, its value or its state.

    Our reading: the rule's only part is Q4 (December), so Q1–Q3 never matter. When Q4 is
    missing, the rule has no part that is not missing, so it does not apply and the year is
    `missing` (no row, the numerator being the only side); Q4 `..` makes the year `..`.
    """
    catalog = last_catalog()
    q4_there = [cell("BEF_KVT", "A", "2024-Q1", 90), cell("BEF_KVT", "A", "2024-Q4", 100)]
    rows, _ = compute(q4_there, [("A", None)], catalog)
    assert figures(get(rows, "BEF_KVT", "A", "2024")) == (100, None, 100, "ok")  # Q4 = 100, not 190
    q4_absent = [cell("BEF_KVT", "A", f"2024-Q{q}", 90 + q) for q in (1, 2, 3)]
    rows, _ = compute(q4_absent, [("A", None)], catalog)
    assert get(rows, "BEF_KVT", "A", "2024") is None
    assert figures(get(rows, "BEF_KVT", "A", "2024-Q3")) == (93, None, 93, "ok")
    q4_suppressed = [*q4_absent, cell("BEF_KVT", "A", "2024-Q4", None)]
    rows, _ = compute(q4_suppressed, [("A", None)], catalog)
    assert figures(get(rows, "BEF_KVT", "A", "2024")) == (None, None, None, "missing_at_source")


def test_a_monthly_sum_element_adds_twelve_months():
    month = element("BESOEG", "persons", "month", "sum")
    catalog = Catalog({"BESOEG": month}, {"BESOEG": indicator("BESOEG", "BESOEG", None, 1)})
    cells = [cell("BESOEG", "A", f"2024-{m:02d}", m) for m in range(1, 13)]
    rows, _ = compute(cells, [("A", None)], catalog)
    # 1 + 2 + ... + 12 = 78
    assert figures(get(rows, "BESOEG", "A", "2024")) == (78, None, 78, "ok")
    rows, _ = compute(cells[:-1], [("A", None)], catalog)
    assert get(rows, "BESOEG", "A", "2024")["status"] == "incomplete"


def test_a_reported_total_wins_over_the_sum_of_its_parts():
    cells = [
        cell("BEF_25", "A", "2024", 10, "M"),
        cell("BEF_25", "A", "2024", 12, "F"),
        cell("BEF_25", "A", "2024", 25, "_T"),  # reported; M + F would be 22
        cell("BEF_25", "B", "2024", 30),
        cell("BEF_25", "P", "2024", 50),  # reported; A + B would be 55
    ]
    derived = derive(cells, elements=["BEF_25"]).set_index(["area", "sex", "origin"])
    assert tuple(derived.loc[("A", "_T", "_T"), ["value", "rule"]]) == (25.0, "reported")
    assert tuple(derived.loc[("P", "_T", "_T"), ["value", "rule"]]) == (50.0, "reported")
    # P's M comes from its children: A has M 10, B has no M -> incomplete
    assert derived.loc[("P", "M", "_T"), "state"] == "incomplete"


def test_the_order_of_the_rules_decides_sex_before_origin():
    cells = [
        cell("BEF_25", "A", "2024", 4, "M", "_T"),
        cell("BEF_25", "A", "2024", 1, "_T", "DK"),
        cell("BEF_25", "A", "2024", 2, "_T", "IMM"),
        cell("BEF_25", "A", "2024", 3, "_T", "DESC"),
    ]
    derived = derive(cells, [("A", None)], elements=["BEF_25"]).set_index(["sex", "origin"])
    # sex rule first: M = 4, F missing -> incomplete, although the origins add up to 6
    assert tuple(derived.loc[("_T", "_T"), ["state", "rule"]]) == ("incomplete", "sex")
    # and with F reported by origin: F = 5 + 6 + 7 = 18 (origin rule), _T = 4 + 18 = 22 (sex rule)
    cells += [
        cell("BEF_25", "A", "2024", v, "F", o) for o, v in (("DK", 5), ("IMM", 6), ("DESC", 7))
    ]
    derived = derive(cells, [("A", None)], elements=["BEF_25"]).set_index(["sex", "origin"])
    assert tuple(derived.loc[("F", "_T"), ["value", "rule"]]) == (18.0, "origin")
    assert tuple(derived.loc[("_T", "_T"), ["value", "rule"]]) == (22.0, "sex")


# ---------------------------------------------------------------- §7.4 ratio of sums
def test_the_parent_rate_is_a_ratio_of_sums_never_an_average_of_rates():
    cells = [
        cell("BEF_25_UDD", "A", "2024", 9),
        cell("BEF_25", "A", "2024", 10),  # 90 %
        cell("BEF_25_UDD", "B", "2024", 10),
        cell("BEF_25", "B", "2024", 40),  # 25 %
    ]
    rows, _ = compute(cells)
    # P = (9 + 10) / (10 + 40) * 100 = 38 %, not (90 + 25) / 2 = 57.5 %
    assert figures(get(rows, "UDD_FULDFOERT_25", "P", "2024")) == (19, 50, 38.0, "ok")


def test_sides_of_different_period_types_are_missing_where_they_have_no_period():
    catalog = Catalog(
        {
            "DELT": element("DELT", "persons", "quarter", "sum"),
            "BEF": element("BEF", "persons", "year", "last"),
        },
        {"PR_INDB": indicator("PR_INDB", "DELT", "BEF", 1000)},
    )
    cells = [cell("DELT", "A", f"2024-Q{q}", 5) for q in (1, 2, 3, 4)] + [
        cell("BEF", "A", "2024", 400)
    ]
    rows, _ = compute(cells, [("A", None)], catalog)
    # 2024: (5 * 4) / 400 * 1000 = 50; a quarter has no population figure: missing
    assert figures(get(rows, "PR_INDB", "A", "2024")) == (20, 400, 50.0, "ok")
    assert figures(get(rows, "PR_INDB", "A", "2024-Q2")) == (None, None, None, "missing")


def test_cells_outside_the_catalog_the_partnership_or_the_period_type_are_ignored():
    cells = [
        cell("BEF_25", "A", "2024", 10),
        cell("UKENDT", "A", "2024", 10),
        cell("BEF_25", "ZZZ", "2024", 10),
        cell("BEF_25", "A", "2024-Q1", 10),  # BEF_25 is a year element
        cell("BEF_25", "A", "2024", 10, "X"),
    ]
    derived = derive(cells, [("A", None)])
    assert derived[["data_element", "area", "period", "sex", "origin"]].values.tolist() == [
        ["BEF_25", "A", "2024", "_T", "_T"]
    ]


def test_columns_types_and_order():
    rows, _ = compute(worked_example_cells(), WORKED_AREAS)
    assert list(rows.columns) == COLUMNS
    assert all(rows[c].dtype == "float64" for c in ("numerator", "denominator", "value"))
    assert set(rows.status) <= {"ok", "undefined", "missing_at_source", "incomplete", "missing"}
    # catalog order of indicators, then partnership order of areas, chronological periods,
    # sex M, F, _T and origin DK, IMM, DESC, _T
    assert list(dict.fromkeys(rows.indicator)) == [
        "UDD_OVERGANG",
        "INKL_DELTAGERE",
        "INKL_HANDICAP_PCT",
    ]
    inkl = rows[(rows.indicator == "INKL_DELTAGERE") & (rows.area == "0561-OST-N")]
    assert list(inkl.period) == ["2024", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    udd = rows[(rows.indicator == "UDD_OVERGANG") & (rows.area == "0561-OST-N")]
    assert list(udd.sex) == ["M", "F", "_T"]
    only, _ = compute(worked_example_cells(), WORKED_AREAS, indicators=["INKL_DELTAGERE"])
    assert set(only.indicator) == {"INKL_DELTAGERE"}
    empty, _ = compute([], WORKED_AREAS)
    assert list(empty.columns) == COLUMNS and empty.empty


def test_temp_tables_are_dropped():
    con = duckdb.connect()
    name = load_cells(con, worked_example_cells())
    before = con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
    compute_indicators(con, name, spec_catalog(), partnership(WORKED_AREAS))
    derive_values(con, name, spec_catalog(), partnership(WORKED_AREAS))
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == before
