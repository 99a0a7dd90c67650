"""compute()/publish() against the plain-Python reference on random small partnerships."""

from __future__ import annotations

import math

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ci_measure.config.model import ORIGINS, SEXES, Catalog
from ci_measure.config.periods import sub_periods
from ci_measure.figures.compute import compute_indicators, derive_values
from ci_measure.figures.disclosure import publish
from tests.ci_measure.figures import reference as ref

ELEMENTS = {
    "QS": ref.element("QS", "persons", "quarter", "sum"),  # flow, quarterly
    "QS_DEL": ref.element("QS_DEL", "persons", "quarter", "sum"),  # part of QS
    "QL": ref.element("QL", "persons", "quarter", "last"),  # stock, quarterly
    "MS": ref.element("MS", "persons", "month", "sum"),
    "Y": ref.element("Y", "persons", "year", "last"),
    "Y_DEL": ref.element("Y_DEL", "persons", "year", "last"),
    "SY": ref.element("SY", "persons", "school_year", "sum"),
    "SY_DEL": ref.element("SY_DEL", "persons", "school_year", "sum"),
    "DAYS": ref.element("DAYS", "days", "school_year", "sum"),
}
INDICATORS = {
    "I_QS": ref.indicator("I_QS", "QS_DEL", "QS", 100),
    "I_Q": ref.indicator("I_Q", "QS", None, 1),
    "I_QL_Y": ref.indicator("I_QL_Y", "QL", "Y", 1000),  # different period types
    "I_QS_QL": ref.indicator("I_QS_QL", "QS", "QL", 100),  # sum over last
    "I_M": ref.indicator("I_M", "MS", None, 1),
    "I_Y": ref.indicator("I_Y", "Y_DEL", "Y", 100),
    "I_SY": ref.indicator("I_SY", "SY_DEL", "SY", 100),
    "I_DAYS": ref.indicator("I_DAYS", "DAYS", "SY", 100),  # not person-based
}
PERIODS = {
    "quarter": ["2023-Q4", *sub_periods("2024", "quarter")],
    "month": sub_periods("2024", "month"),
    "year": ["2023", "2024"],
    "school_year": ["2023/24", "2024/25"],
}
KEY = ("indicator", "area", "period", "sex", "origin")


@st.composite
def area_trees(draw) -> list[tuple[str, str | None]]:
    """A forest of depth <= 3 (root, children, grandchildren, great-grandchildren)."""
    areas: list[tuple[str, str | None]] = []
    frontier = [(f"R{i}", None, 0) for i in range(draw(st.integers(1, 2)))]
    while frontier:
        code, parent, depth = frontier.pop(0)
        areas.append((code, parent))
        if depth < 3 and len(areas) + len(frontier) < 9:
            for i in range(draw(st.integers(0, 3))):
                frontier.append((f"{code}{i}", code, depth + 1))
    return areas


@st.composite
def scenarios(draw):
    areas = draw(area_trees())
    codes = [c for c, _ in areas]
    leaves = [c for c in codes if not any(p == c for _, p in areas)]
    chosen = draw(st.sets(st.sampled_from(sorted(INDICATORS)), min_size=1, max_size=4))
    indicators = {c: INDICATORS[c] for c in INDICATORS if c in chosen}
    used = {d for i in indicators.values() for d in (i.numerator, i.denominator) if d}
    extra = draw(st.sets(st.sampled_from(sorted(ELEMENTS)), max_size=2))
    catalog = Catalog({c: e for c, e in ELEMENTS.items() if c in used | extra}, indicators)
    elements = sorted(catalog.data_elements)

    # one draw per cell: -3 = a hole (when the block has holes), -2 = `..`, -1 = 0, else the value
    def decode(v: int, holes: bool) -> float | None | str:
        return "hole" if v == -3 and holes else None if v == -2 else max(v, 0)

    cells: dict[tuple, float | None] = {}
    # dense blocks: an element and periods over the leaves (× sexes/origins): sums come out whole
    for _ in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from(elements))
        periods = PERIODS[catalog.data_elements[d].period_type]
        block_periods = draw(
            st.lists(st.sampled_from(periods), min_size=1, max_size=4, unique=True)
        )
        sexes = draw(st.sampled_from([("_T",), ("M", "F")]))
        origins = draw(st.sampled_from([("_T",), ("DK", "IMM", "DESC")]))
        holes = draw(st.booleans())
        scale = draw(st.sampled_from([3, 8, 30]))
        keys = [
            (d, area, period, sex, origin)
            for period in block_periods
            for area in leaves
            for sex in sexes
            for origin in origins
        ]
        drawn = draw(st.lists(st.integers(-3, scale), min_size=len(keys), max_size=len(keys)))
        for key, v in zip(keys, drawn, strict=True):
            if (value := decode(v, holes)) != "hole":
                cells[key] = value
    # loose cells anywhere, incl. reported totals over parts and cells to be ignored
    loose = st.tuples(
        st.sampled_from([*elements, "UNKNOWN"]),
        st.sampled_from([*codes, "ZZ"]),
        st.sampled_from([p for ps in PERIODS.values() for p in ps]),
        st.sampled_from(SEXES),
        st.sampled_from(ORIGINS),
    )
    for key, v in draw(st.lists(st.tuples(loose, st.integers(-2, 30)), max_size=25)):
        cells[key] = decode(v, False)
    cell_list = [ref.cell(*key[:3], value, *key[3:]) for key, value in cells.items()]
    threshold = draw(st.integers(3, 5))
    return cell_list, catalog, ref.partnership(areas, threshold)


def as_dicts(frame) -> dict[tuple, dict]:
    out = {}
    for row in frame.to_dict("records"):
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        out[tuple(clean[k] for k in KEY)] = clean
    return out


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_same_rows(actual: dict, expected: dict) -> None:
    assert set(actual) == set(expected)
    for key, exp in expected.items():
        got = actual[key]
        assert got["status"] == exp["status"], key
        for column in ("numerator", "denominator", "value"):
            assert close(got[column], exp[column]), (key, column, got[column], exp[column])


def dimension_groups(
    keys: set[tuple], catalog: Catalog, partnership
) -> list[tuple[tuple, list[tuple]]]:
    """(total, existing categories) of every dimension of §7.6, from the SPEC text."""
    groups = []
    for k in keys:
        ind, area, period, sex, origin = k
        if sex == "_T":
            groups.append((k, [(ind, area, period, s, origin) for s in ("M", "F")]))
        if origin == "_T":
            groups.append((k, [(ind, area, period, sex, o) for o in ("DK", "IMM", "DESC")]))
        groups.append((k, [(ind, c, period, sex, origin) for c in partnership.children(area)]))
        if len(period) == 4 and ref.time_dimension(catalog, catalog.indicators[ind]):
            subs = sub_periods(period, "quarter") + sub_periods(period, "month")
            groups.append((k, [(ind, area, p, sex, origin) for p in subs]))
    return [(t, [c for c in cats if c in keys]) for t, cats in groups]


def connect(cells: list[dict]) -> tuple[duckdb.DuckDBPyConnection, str]:
    con = duckdb.connect()
    con.execute("SET threads = 1")  # tiny data: one thread is fastest
    return con, ref.load_cells(con, cells)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_derived_values_equal_the_reference(scenario):
    """§7.3: same non-missing keys, same state, same rule, same value."""
    cells, catalog, partnership = scenario
    con, name = connect(cells)
    derived = derive_values(con, name, catalog, partnership)
    got = {
        tuple(r[:5]): (r[6], None if r[5] is None or math.isnan(r[5]) else r[5], r[7])
        for r in derived.itertuples(index=False)
    }
    expected = ref.Reference(cells, catalog, partnership).derived()
    assert set(got) == set(expected)
    for key, (state, value, rule) in expected.items():
        assert got[key][0] == state and got[key][2] == rule and close(got[key][1], value), key


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_compute_and_publish_equal_the_reference(scenario):
    cells, catalog, partnership = scenario
    con, name = connect(cells)
    reference = ref.Reference(cells, catalog, partnership)

    # §7.4–7.5: the rows
    rows = compute_indicators(con, name, catalog, partnership)
    expected_rows = {tuple(r[k] for k in KEY): r for r in reference.rows()}
    assert_same_rows(as_dicts(rows), expected_rows)

    # §7.6: published output
    published = publish(rows, catalog, partnership)
    expected_published = {
        tuple(r[k] for k in KEY): r
        for r in ref.publish(list(expected_rows.values()), catalog, partnership)
    }
    actual = as_dicts(published)
    assert_same_rows(actual, expected_published)

    person = {c for c, i in catalog.indicators.items() if catalog.is_person_based(i)}
    threshold = partnership.suppression_threshold
    for key, row in expected_rows.items():
        if key[0] not in person:
            assert actual[key]["status"] == row["status"]  # untouched
        elif ref.primary(row, threshold):
            assert actual[key]["status"] == "suppressed"  # primary, exactly as §7.6 says
    # the promise: no shown total has exactly one suppressed category under it
    keys = {k for k in actual if k[0] in person}
    for total, cats in dimension_groups(keys, catalog, partnership):
        if actual[total]["status"] in ("ok", "undefined"):
            assert sum(actual[c]["status"] == "suppressed" for c in cats) != 1, (total, cats)
        for c in cats + [total]:
            if actual[c]["status"] in ("ok", "undefined"):
                assert not ref.primary(actual[c], threshold)
