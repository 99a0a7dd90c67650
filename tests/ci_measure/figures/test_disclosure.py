"""SPEC §7.6 disclosure control, by hand (threshold 5 unless said: 1–4 is small)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ci_measure.config.model import Catalog
from ci_measure.errors import ConfigError
from ci_measure.figures.compute import COLUMNS
from ci_measure.figures.disclosure import publish, secondary
from tests.ci_measure.figures.reference import cell, element, indicator, partnership, spec_catalog
from tests.ci_measure.figures.test_compute import compute, get

ONE = [("A", None)]


def status(rows: pd.DataFrame, ind: str, area: str, period: str, sex="_T", origin="_T") -> str:
    return get(rows, ind, area, period, sex, origin)["status"]


def udd(
    area: str, num: float | None, den: float | None, sex="_T", origin="_T", period="2024"
) -> list[dict]:
    return [
        cell("BEF_25_UDD", area, period, num, sex, origin),
        cell("BEF_25", area, period, den, sex, origin),
    ]


# ---------------------------------------------------------------- primary
def test_primary_on_numerator_denominator_and_difference():
    tree = [("P", None), *[(c, "P") for c in "ABCDE"]]
    cells = (
        udd("A", 4, 30)  # numerator 4 is small
        + udd("B", 5, 30)  # 5 is not small, 30 - 5 = 25 neither
        + udd("C", 18, 20)  # 20 - 18 = 2 is small
        + udd("D", 0, 30)  # 0 is not small (between 1 and 4 only)
        + udd("E", 26, 30)  # 30 - 26 = 4 is small
    )
    rows, pub = compute(cells, tree, indicators=["UDD_FULDFOERT_25"])
    assert [status(pub, "UDD_FULDFOERT_25", a, "2024") for a in "ABCDE"] == [
        "suppressed",
        "ok",
        "suppressed",
        "ok",
        "suppressed",
    ]
    # P = 53 / 140: three of five children suppressed, so no secondary is needed
    assert status(pub, "UDD_FULDFOERT_25", "P", "2024") == "ok"
    a = get(pub, "UDD_FULDFOERT_25", "A", "2024")
    assert np.isnan([a["numerator"], a["denominator"], a["value"]]).all()


def test_threshold_comes_from_the_partnership():
    rows, pub = compute(udd("A", 4, 30), ONE, indicators=["UDD_FULDFOERT_25"], threshold=4)
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024") == "ok"  # 4 is not between 1 and 3
    rows, pub = compute(udd("A", 3, 30), ONE, indicators=["UDD_FULDFOERT_25"], threshold=4)
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024") == "suppressed"


def test_without_denominator_only_the_numerator_counts():
    cells = [cell("INKL_DELTAGERE", "A", "2024-Q1", 4), cell("INKL_DELTAGERE", "A", "2024-Q2", 6)]
    rows, pub = compute(cells, ONE, indicators=["INKL_DELTAGERE"])
    assert status(pub, "INKL_DELTAGERE", "A", "2024-Q1") == "suppressed"
    assert status(pub, "INKL_DELTAGERE", "A", "2024-Q2") == "ok"


def test_indicators_not_counting_persons_are_never_suppressed():
    # FRAVAER_PCT counts days: 2 of 3 days would be small, but it is not person-based
    cells = [cell("FRAVAERSDAGE", "A", "2023/24", 2), cell("SKOLEDAGE", "A", "2023/24", 3)]
    rows, pub = compute(cells, ONE, indicators=["FRAVAER_PCT"])
    pd.testing.assert_frame_equal(rows, pub)


def test_rows_without_numbers_are_left_alone():
    rows, pub = compute(udd("A", None, 3), ONE, indicators=["UDD_FULDFOERT_25"])
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024") == "missing_at_source"


# ---------------------------------------------------------------- secondary
def test_secondary_in_the_sex_dimension():
    cells = udd("A", 10, 20, "M") + udd("A", 3, 20, "F")
    rows, pub = compute(cells, ONE, indicators=["UDD_FULDFOERT_25"])
    # F: 3 is small (primary). _T = 13 / 40 is shown, so M = 13 - 3 ... would give F back:
    # M, the only other category, is suppressed too.
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024", "F") == "suppressed"
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024", "M") == "suppressed"
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024", "_T") == "ok"


def test_secondary_suppresses_the_total_when_no_other_category_is_shown():
    # _T reported 30 / 60; F 3 / 20 (primary); M not reported -> no M row at all
    cells = udd("A", 30, 60) + udd("A", 3, 20, "F")
    rows, pub = compute(cells, ONE, indicators=["UDD_FULDFOERT_25"])
    assert get(rows, "UDD_FULDFOERT_25", "A", "2024", "M") is None
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024", "F") == "suppressed"
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024", "_T") == "suppressed"


def test_secondary_in_the_origin_dimension_picks_the_smallest_denominator():
    cells = (
        udd("A", 20, 40, origin="DK")
        + udd("A", 2, 10, origin="IMM")  # primary
        + udd("A", 6, 12, origin="DESC")
    )
    rows, pub = compute(cells, ONE, indicators=["UDD_FULDFOERT_25"])
    # _T = 28 / 62 shown; smallest other by denominator: DESC (12) before DK (40)
    assert [
        status(pub, "UDD_FULDFOERT_25", "A", "2024", "_T", o) for o in ("DK", "IMM", "DESC", "_T")
    ] == [
        "ok",
        "suppressed",
        "suppressed",
        "ok",
    ]


def test_secondary_ties_are_broken_by_code():
    cells = (
        udd("A", 20, 40, origin="DK")
        + udd("A", 2, 10, origin="IMM")
        + udd("A", 10, 40, origin="DESC")
    )
    rows, pub = compute(cells, ONE, indicators=["UDD_FULDFOERT_25"])
    # DK and DESC both have denominator 40: "DESC" < "DK"
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024", "_T", "DESC") == "suppressed"
    assert status(pub, "UDD_FULDFOERT_25", "A", "2024", "_T", "DK") == "ok"


def test_secondary_in_the_area_tree_goes_down_and_up():
    tree = [("P", None), ("A", "P"), ("B", "P"), ("A1", "A"), ("A2", "A")]
    cells = udd("A1", 3, 30) + udd("A2", 10, 30) + udd("B", 12, 25)
    rows, pub = compute(cells, tree, indicators=["UDD_FULDFOERT_25"])
    # A1 primary (3); A = 13 / 60 shown -> A2 (the only other child) suppressed.
    # P = 25 / 85 shown, A and B shown, none suppressed under P -> nothing more.
    assert [status(pub, "UDD_FULDFOERT_25", a, "2024") for a in ("A1", "A2", "A", "B", "P")] == [
        "suppressed",
        "suppressed",
        "ok",
        "ok",
        "ok",
    ]
    # With A reported as 13 / 60 while A1 is the only child reported -> A has the lone
    # suppressed child and no shown sibling: A itself is suppressed, then P has exactly
    # one suppressed child (A) -> B, the smallest other, is suppressed too.
    cells = udd("A1", 3, 30) + udd("A", 13, 60) + udd("B", 12, 25) + udd("P", 25, 85)
    rows, pub = compute(cells, tree, indicators=["UDD_FULDFOERT_25"])
    assert [status(pub, "UDD_FULDFOERT_25", a, "2024") for a in ("A1", "A", "B", "P")] == [
        "suppressed",
        "suppressed",
        "suppressed",
        "ok",
    ]


def test_secondary_over_the_quarters_of_a_year():
    cells = [
        cell("INKL_DELTAGERE", "A", f"2024-Q{q}", v) for q, v in ((1, 12), (2, 9), (3, 3), (4, 15))
    ]
    rows, pub = compute(cells, ONE, indicators=["INKL_DELTAGERE"])
    # 2024 = 39 shown; Q3 = 3 primary; smallest other quarter: Q2 (9)
    assert [
        status(pub, "INKL_DELTAGERE", "A", p)
        for p in ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2024")
    ] == [
        "ok",
        "suppressed",
        "suppressed",
        "ok",
        "ok",
    ]


def test_no_time_dimension_for_the_last_rule():
    catalog = Catalog(
        {"BEF_KVT": element("BEF_KVT", "persons", "quarter", "last")},
        {"BEF_KVT": indicator("BEF_KVT", "BEF_KVT", None, 1)},
    )
    cells = [cell("BEF_KVT", "A", f"2024-Q{q}", v) for q, v in ((1, 3), (2, 20), (3, 20), (4, 20))]
    rows, pub = compute(cells, ONE, catalog)
    # the year is Q4 (20), not a sum: Q1 = 3 cannot be recovered, nothing else is suppressed
    assert [status(pub, "BEF_KVT", "A", p) for p in ("2024-Q1", "2024-Q2", "2024")] == [
        "suppressed",
        "ok",
        "ok",
    ]


def test_publish_keeps_columns_rows_and_order():
    cells = udd("A", 10, 20, "M") + udd("A", 3, 20, "F")
    rows, pub = compute(cells, ONE)
    assert list(pub.columns) == COLUMNS and len(pub) == len(rows)
    assert (
        (
            pub[["indicator", "area", "period", "sex", "origin"]]
            == rows[["indicator", "area", "period", "sex", "origin"]]
        )
        .all()
        .all()
    )
    empty = publish(rows.iloc[:0], spec_catalog(), partnership(ONE))
    assert empty.empty and list(empty.columns) == COLUMNS


def test_secondary_repeats_until_nothing_changes():
    # groups as (total, category) pairs: row 0 total of {1, 2}; row 2 total of {3, 4}
    pairs = pd.DataFrame(
        {
            "dim": [0, 0, 1, 1],
            "total": [0, 0, 2, 2],
            "cat": [1, 2, 3, 4],
            "code": list("abcd"),
            "size": [1.0] * 4,
        }
    )
    shown = np.ones(5, dtype=bool)
    first = np.array([False, True, False, False, False])
    # pass 1: group 0 has 1 suppressed -> 2 suppressed; pass 2: group 2 (total = 2 now
    # suppressed) is not shown -> done
    assert secondary(shown, first, pairs).tolist() == [False, True, True, False, False]
    first = np.array([False, False, False, True, False])
    # group 2: 3 suppressed -> 4; then nothing
    assert secondary(shown, first, pairs).tolist() == [False, False, False, True, True]


def test_an_indicator_over_an_unknown_element_fails_closed():
    """Disclosure control cannot tell whether an unknown element counts persons: nothing is
    published (a ConfigError naming the indicator and the element), never the row unsuppressed."""
    catalog = spec_catalog()
    broken = Catalog(
        catalog.data_elements,
        {**catalog.indicators, "X_PCT": indicator("X_PCT", "BEF_25_UDD", "UKENDT", 100)},
    )
    rows, _ = compute(udd("A", 3, 30), ONE, indicators=["UDD_FULDFOERT_25"])
    with pytest.raises(ConfigError, match="X_PCT uses the data element UKENDT"):
        publish(rows, broken, partnership(ONE))
