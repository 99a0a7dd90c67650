import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ci_measure.config.periods import (
    end_date,
    next_period,
    order_sql,
    parse_period,
    sort_key,
    sub_periods,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024", ("2024", "year")),
        (" 2024 ", ("2024", "year")),
        ("2024-Q1", ("2024-Q1", "quarter")),
        ("2024Q1", ("2024-Q1", "quarter")),
        ("Q1 2024", ("2024-Q1", "quarter")),
        ("2024K1", ("2024-Q1", "quarter")),
        ("K1 2024", ("2024-Q1", "quarter")),
        ("2019 Q3", ("2019-Q3", "quarter")),
        ("2024-03", ("2024-03", "month")),
        ("2024M03", ("2024-03", "month")),
        ("03-2024", ("2024-03", "month")),
        ("2023/24", ("2023/24", "school_year")),
        ("2023/2024", ("2023/24", "school_year")),
        ("2023-24", ("2023/24", "school_year")),
        ("1999/00", ("1999/00", "school_year")),
    ],
)
def test_every_spelling_of_spec_section_4(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text", ["", "24", "2024-13", "2024-Q5", "2023/25", "Q1", "forår 2024", "2024-00"]
)
def test_non_periods(text):
    assert parse_period(text) is None


def test_ambiguous_month_or_school_year_follows_the_data_element():
    assert parse_period("2011-12") == ("2011-12", "month")
    assert parse_period("2011-12", prefer="school_year") == ("2011/12", "school_year")


def test_calendar_helpers():
    assert sub_periods("2024", "quarter") == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert len(sub_periods("2024", "month")) == 12
    assert end_date("2023/24").isoformat() == "2024-07-31"
    assert end_date("2024-Q1").isoformat() == "2024-03-31"
    assert end_date("2024-02").isoformat() == "2024-02-29"
    assert end_date("2024-12").isoformat() == "2024-12-31"
    assert next_period("2024-Q4") == "2025-Q1"
    assert next_period("2023/24") == "2024/25"
    assert next_period("2024-12") == "2025-01"
    assert sorted(["2024-Q2", "2023", "2024-Q1"], key=sort_key) == ["2023", "2024-Q1", "2024-Q2"]


_CANONICAL = st.one_of(
    st.integers(1990, 2040).map(str),
    st.builds(lambda y, q: f"{y}-Q{q}", st.integers(1990, 2040), st.integers(1, 4)),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1990, 2040), st.integers(1, 12)),
    st.builds(lambda y: f"{y}/{(y + 1) % 100:02d}", st.integers(1990, 2040)),
)


@settings(max_examples=50, deadline=None)
@given(st.lists(_CANONICAL, min_size=1, max_size=40, unique=True))
def test_sql_orders_periods_exactly_as_python_does(found):
    """One definition of the period order: compute.py's SQL and sort_key agree on any set."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (period VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[p] for p in found])
    in_sql = [
        p for (p,) in con.execute(f"SELECT period FROM t ORDER BY {order_sql('period')}").fetchall()
    ]
    assert in_sql == sorted(found, key=sort_key)


def test_the_period_order_is_year_quarters_months_then_school_year():
    found = ["2024/25", "2024-12", "2024-Q4", "2024", "2024-01", "2024-Q1", "2023/24"]
    assert sorted(found, key=sort_key) == [
        "2023/24", "2024", "2024-Q1", "2024-Q4", "2024-01", "2024-12", "2024/25",
    ]  # fmt: skip
