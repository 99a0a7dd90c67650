"""Data-quality findings over the warehouse: delivery, rules, totals, outliers, suppression."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from ci_measure.config.model import (
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
from ci_measure.figures import quality


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


# ------------------------------------------------ one rule of "delivered" (issue 20)
def test_the_grid_and_the_status_use_one_rule_of_delivered():
    """A partner promised totals (_T) and sent only boys and girls. The scorecard's grid once
    counted that as delivered while `status` and the completeness check said missing: now the
    grid, the status and the check give the same answer, cell for cell."""
    ws = tiny_workspace()
    con = cells_con(
        [
            ("ELEVER_AFGANG_9KL", "N", "2023/24", "M", "_T", 20.0),
            ("ELEVER_AFGANG_9KL", "N", "2023/24", "F", "_T", 21.0),
            ("ELEVER_AFGANG_9KL", "S", "2023/24", "_T", "_T", 30.0),
            ("ELEVER_UDD_15MD", "N", "2023/24", "_T", "_T", None),  # `..` is a delivery too
        ]
    )
    status = quality.delivery_status(con, "cells", ws, today=dt.date(2025, 9, 1))
    states = {(r.partner, r.area): r.state for r in status.itertuples()}
    assert states == {
        ("SKOLE", "N"): "missing",
        ("SKOLE", "S"): "delivered",
        ("UU", "N"): "delivered",
        ("UU", "S"): "missing",
    }
    grid = quality.completeness(con, "cells", ws)
    assert grid.values.tolist() == [
        ["SKOLE", "ELEVER_AFGANG_9KL", "school_year", "2023/24", 1, 2],
        ["UU", "ELEVER_UDD_15MD", "school_year", "2023/24", 1, 2],
    ]


def test_the_scorecard_grid_shows_the_status_rule(tmp_path):
    """The grid on the page: 50 % for the partner that sent a breakdown for a promised total."""
    from ci_measure.report.quality_page import _completeness

    ws = tiny_workspace()
    con = cells_con(
        [
            ("ELEVER_AFGANG_9KL", "N", "2023/24", "M", "_T", 20.0),
            ("ELEVER_AFGANG_9KL", "N", "2023/24", "F", "_T", 21.0),
            ("ELEVER_AFGANG_9KL", "S", "2023/24", "_T", "_T", 30.0),
            ("ELEVER_AFGANG_9KL", "S", "2024/25", "_T", "_T", 31.0),
        ]
    )
    grid = _completeness(quality.completeness(con, "cells", ws), ws)
    assert grid == {
        "school_year": (["2023/24", "2024/25"], {"SKOLE": {"2023/24": (1, 2), "2024/25": (1, 2)}})
    }


# ------------------------------------------------ suppression, verified on the output
def _published(cells, tree=(("P", None), ("A", "P"), ("B", "P"))):
    from ci_measure.figures.compute import compute_indicators
    from ci_measure.figures.disclosure import publish
    from tests.ci_measure.figures.reference import load_cells, partnership, spec_catalog

    catalog, p = spec_catalog(), partnership(list(tree))
    con = duckdb.connect()
    rows = compute_indicators(con, load_cells(con, cells), catalog, p, ["UDD_FULDFOERT_25"])
    return rows, publish(rows, catalog, p), Workspace(Path("."), p, catalog)


def _udd(area, num, den, sex="_T"):
    from tests.ci_measure.figures.reference import cell

    return [cell("BEF_25_UDD", area, "2024", num, sex), cell("BEF_25", area, "2024", den, sex)]


def _at(rows, area, sex="_T"):
    return rows.index[(rows["area"] == area) & (rows["sex"] == sex)][0]


def test_a_correct_publication_has_no_suppression_findings():
    rows, published, ws = _published(_udd("A", 3, 30) + _udd("B", 20, 30) + _udd("P", 23, 60))
    assert published.loc[_at(published, "A"), "status"] == "suppressed"  # 3 is small
    assert published.loc[_at(published, "B"), "status"] == "suppressed"  # secondary, P shown
    assert quality.suppression_findings(rows, published, ws).empty


def test_a_small_count_left_in_the_publication_is_found():
    rows, published, ws = _published(_udd("A", 3, 30) + _udd("B", 20, 30) + _udd("P", 23, 60))
    broken = published.copy()
    broken.loc[_at(broken, "A"), ["numerator", "denominator", "value", "status"]] = [
        3.0, 30.0, 10.0, "ok",
    ]  # fmt: skip
    found = quality.suppression_findings(rows, broken, ws)
    assert found[["area", "problem"]].values.tolist() == [
        ["A", "primary"],
        ["P", "one_suppressed_category"],  # and B, suppressed for A's sake, now stands alone
    ]


def test_a_total_with_one_suppressed_category_is_found():
    """Only the primary rule applied (as the old check could not see): B and P give A away."""
    rows, published, ws = _published(_udd("A", 3, 30) + _udd("B", 20, 30) + _udd("P", 23, 60))
    broken = published.copy()
    b = _at(broken, "B")
    broken.loc[b, ["numerator", "denominator", "value", "status"]] = rows.loc[
        b, ["numerator", "denominator", "value", "status"]
    ].to_numpy()
    found = quality.suppression_findings(rows, broken, ws)
    assert found[["area", "sex", "problem"]].values.tolist() == [
        ["P", "_T", "one_suppressed_category"]
    ]


def test_a_suppressed_row_that_still_shows_its_numbers_is_found():
    rows, published, ws = _published(_udd("A", 3, 30) + _udd("B", 20, 30) + _udd("P", 23, 60))
    broken = published.copy()
    broken.loc[_at(broken, "A"), "numerator"] = 3.0
    found = quality.suppression_findings(rows, broken, ws)
    assert found[["area", "problem"]].values.tolist() == [["A", "shows_numbers"]]


def test_the_check_catches_a_publish_that_skips_secondary_suppression(monkeypatch):
    """The check does not pass by construction: with secondary suppression broken in
    ``publish`` itself, the sex dimension's lonely category is found."""
    from ci_measure.figures import disclosure

    monkeypatch.setattr(disclosure, "secondary", lambda shown, suppressed, pairs: suppressed)
    cells = _udd("A", 3, 30, "M") + _udd("A", 20, 30, "F") + _udd("A", 23, 60)
    rows, published, ws = _published(cells)
    found = quality.suppression_findings(rows, published, ws)
    assert found[["area", "sex", "problem"]].values.tolist() == [
        ["A", "_T", "one_suppressed_category"]
    ]
