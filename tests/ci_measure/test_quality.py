"""Data-quality findings over the warehouse: delivery, rules, totals, outliers, suppression."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from ci_measure import quality
from ci_measure.model import (
    Area,
    Assignment,
    Catalog,
    DataElement,
    Indicator,
    Partner,
    Partnership,
    Rule,
    Workspace,
)


def tiny_workspace() -> Workspace:
    elements = {
        "ELEVER_AFGANG_9KL": DataElement(
            "ELEVER_AFGANG_9KL", "a", "a", "persons", "school_year", "sum"
        ),
        "ELEVER_UDD_15MD": DataElement(
            "ELEVER_UDD_15MD", "b", "b", "persons", "school_year", "sum"
        ),
        "INKL_DELTAGERE": DataElement("INKL_DELTAGERE", "c", "c", "persons", "quarter", "sum"),
    }
    indicators = {
        "UDD_OVERGANG": Indicator(
            "UDD_OVERGANG", "u", "u", "ELEVER_UDD_15MD", "ELEVER_AFGANG_9KL", 100, "%", "up"
        )
    }
    catalog = Catalog(elements, indicators, (Rule("ELEVER_UDD_15MD", "ELEVER_AFGANG_9KL"),))
    partnership = Partnership(
        name="t",
        areas=(Area("K", "Kommune"), Area("N", "Nord", "K"), Area("S", "Syd", "K")),
        partners=(
            Partner("SKOLE", "Skoler", (Assignment(("ELEVER_AFGANG_9KL",), ("N", "S")),)),
            Partner("UU", "UU", (Assignment(("ELEVER_UDD_15MD",), ("N", "S")),)),
        ),
    )
    return Workspace(Path("."), partnership, catalog)


def cells_con(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    frame = pd.DataFrame(rows, columns=["data_element", "area", "period", "sex", "origin", "value"])
    frame["missing_at_source"] = frame["value"].isna()
    con.register("frame", frame)
    con.execute("CREATE TABLE cells AS SELECT * FROM frame")
    return con


def test_delivery_status_missing_late_and_delivered():
    ws = tiny_workspace()
    con = cells_con(
        [
            ("ELEVER_AFGANG_9KL", "N", "2023/24", "_T", "_T", 40.0),
            ("ELEVER_AFGANG_9KL", "S", "2023/24", "_T", "_T", 30.0),
            ("ELEVER_AFGANG_9KL", "N", "2024/25", "_T", "_T", 41.0),
            ("ELEVER_UDD_15MD", "N", "2023/24", "_T", "_T", 35.0),
        ]
    )
    status = quality.delivery_status(con, "cells", ws, today=dt.date(2026, 3, 1))
    states = {(r.partner, r.area, r.data_element): r.state for r in status.itertuples()}
    # Latest period anyone reported for ELEVER_AFGANG_9KL is 2024/25: S has not delivered it.
    assert states[("SKOLE", "N", "ELEVER_AFGANG_9KL")] == "delivered"
    assert states[("SKOLE", "S", "ELEVER_AFGANG_9KL")] == "missing"
    # 2023/24 ended 31 July 2024, due a year later: UU's S is late, N delivered.
    assert states[("UU", "N", "ELEVER_UDD_15MD")] == "delivered"
    assert states[("UU", "S", "ELEVER_UDD_15MD")] == "missing"
    assert set(status["due_period"]) == {"2023/24"}


def test_late_when_the_due_period_is_absent_but_the_latest_is_there():
    ws = tiny_workspace()
    con = cells_con([("ELEVER_AFGANG_9KL", a, "2021/22", "_T", "_T", 4.0) for a in "NS"])
    status = quality.delivery_status(con, "cells", ws, today=dt.date(2026, 3, 1))
    row = status[(status["partner"] == "SKOLE")].iloc[0]
    assert (row.latest_period, row.due_period, row.state) == ("2021/22", "2023/24", "late")


def test_rule_violations_across_partners():
    ws = tiny_workspace()
    con = cells_con(
        [
            ("ELEVER_AFGANG_9KL", "N", "2023/24", "_T", "_T", 40.0),
            ("ELEVER_UDD_15MD", "N", "2023/24", "_T", "_T", 41.0),
            ("ELEVER_AFGANG_9KL", "S", "2023/24", "_T", "_T", 40.0),
            ("ELEVER_UDD_15MD", "S", "2023/24", "_T", "_T", 40.0),
        ]
    )
    found = quality.rule_violations(con, "cells", ws)
    assert found[["area", "part_value", "whole_value"]].values.tolist() == [["N", 41.0, 40.0]]


def test_total_mismatches_only_where_every_part_is_reported():
    ws = tiny_workspace()
    con = cells_con(
        [
            ("ELEVER_AFGANG_9KL", "N", "2023/24", "M", "_T", 20.0),
            ("ELEVER_AFGANG_9KL", "N", "2023/24", "F", "_T", 21.0),
            ("ELEVER_AFGANG_9KL", "N", "2023/24", "_T", "_T", 40.0),  # 20 + 21 = 41
            ("ELEVER_AFGANG_9KL", "S", "2023/24", "M", "_T", 5.0),  # F missing: no finding
            ("ELEVER_AFGANG_9KL", "S", "2023/24", "_T", "_T", 99.0),
            ("ELEVER_AFGANG_9KL", "K", "2023/24", "_T", "_T", 139.0),  # N 40 + S 99 = 139: fine
        ]
    )
    found = quality.total_mismatches(con, "cells", ws)
    assert found[["dimension", "area", "reported_total", "parts_sum"]].values.tolist() == [
        ["sex", "N", 40.0, 41.0]
    ]


def test_outliers_flag_big_jumps_both_ways():
    rows = pd.DataFrame(
        {
            "indicator": ["X"] * 4,
            "area": ["N"] * 4,
            "period": ["2020", "2021", "2022", "2023"],
            "sex": ["_T"] * 4,
            "origin": ["_T"] * 4,
            "numerator": [1.0] * 4,
            "denominator": [1.0] * 4,
            "value": [10.0, 12.0, 30.0, 10.0],
            "status": ["ok"] * 4,
        }
    )
    found = quality.outliers(rows, factor=1.5)
    assert found[["period", "previous_period"]].values.tolist() == [
        ["2022", "2021"],
        ["2023", "2022"],
    ]


def test_outliers_compare_a_quarter_with_the_same_quarter_a_year_before():
    periods = ["2022-Q2", "2022-Q3", "2023-Q2", "2023-Q3", "2024-Q3"]
    rows = pd.DataFrame(
        {
            "indicator": ["X"] * 5,
            "area": ["N"] * 5,
            "period": periods,
            "sex": ["_T"] * 5,
            "origin": ["_T"] * 5,
            "value": [100.0, 50.0, 110.0, 55.0, 120.0],  # a summer dip every year: no outlier
            "status": ["ok"] * 5,
        }
    )
    found = quality.outliers(rows, factor=1.5)
    assert found[["period", "previous_period", "ratio"]].values.tolist() == [
        ["2024-Q3", "2023-Q3", 120.0 / 55.0]
    ]


def test_unsuppressed_small_counts():
    ws = tiny_workspace()
    published = pd.DataFrame(
        {
            "indicator": ["UDD_OVERGANG"] * 3,
            "area": ["N", "S", "K"],
            "period": ["2023/24"] * 3,
            "sex": ["_T"] * 3,
            "origin": ["_T"] * 3,
            "numerator": [3.0, 38.0, None],
            "denominator": [40.0, 40.0, None],
            "value": [7.5, 95.0, None],
            "status": ["ok", "ok", "suppressed"],
        }
    )
    found = quality.unsuppressed_small_counts(published, ws)
    assert found["area"].tolist() == ["N", "S"]  # numerator 3; difference 40 - 38 = 2
